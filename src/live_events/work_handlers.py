"""The live-events kinds of background work (registered with `work` when the app loads)."""

from __future__ import annotations

from live_events.invitation_services import INVITATION_SEND_KIND, registration_invitation_send
from live_events.not_available import (
    NOT_AVAILABLE_EMAIL_KIND,
    SessionData,
    course_admin_not_available_email_send,
)
from work.handlers import register_handler
from work.models import WorkItem


# Not atomic: an SMTP exchange must not sit inside a transaction (on SQLite it would hold the
# single write lock for the whole round trip); the handler records the send in its own write.
@register_handler(INVITATION_SEND_KIND, atomic=False)
def invitation_send(item: WorkItem) -> None:
    registration_invitation_send(
        registration_id=int(item.payload["registration_id"]),
        sequence=int(item.payload["sequence"]),
    )


# Not atomic, for the same reason; the row turning done is the email's "sent" mark.
@register_handler(NOT_AVAILABLE_EMAIL_KIND, atomic=False)
def not_available_email_send(item: WorkItem) -> None:
    course_admin_not_available_email_send(
        session_id=int(item.payload["session_id"]),
        user_id=int(item.payload["user_id"]),
        data=SessionData[str(item.payload["data"])],
        reason=str(item.payload["reason"]),
    )
