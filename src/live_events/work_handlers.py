"""The live-events kinds of background work (registered with `work` when the app loads)."""

from __future__ import annotations

from live_events.invitation_services import INVITATION_SEND_KIND, registration_invitation_send
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
