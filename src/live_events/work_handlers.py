"""Background work of live events that touches only the database and the mail server."""

from __future__ import annotations

from live_events.invitations import INVITATION_WORK_KIND, invitation_send
from work.handlers import register_handler
from work.models import WorkItem


@register_handler(INVITATION_WORK_KIND)
def send_invitation(item: WorkItem) -> None:
    invitation_send(registration_id=int(item.payload["registration_id"]))
