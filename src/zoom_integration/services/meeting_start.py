"""The Start button of a host: Zoom's start link, fetched at the moment of the click.

Zoom's `start_url` carries a token that expires two hours after it was issued (reference §7), so
Campus never stores one: `GET /meetings/{id}` returns a fresh link each time.
"""

from __future__ import annotations

from live_events.models import LiveEventSession
from live_events.providers import StartLinkUnavailable
from zoom_integration.services.meeting_errors import zoom_problem
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.zoom_accounts import zoom_account_of
from zoom_integration.services.zoom_api import zoom_client_for_account
from zoomclient import ZoomError


def zoom_meeting_start_url(*, session: LiveEventSession) -> str:
    account = zoom_account_of(session.event.organization)
    if account is None or session.zoom_meeting_id is None:
        raise StartLinkUnavailable("This session has no Zoom meeting yet.")
    try:
        with zoom_client_for_account(account) as client:
            meeting = client.get_meeting(session.zoom_meeting_id)
    except ZoomAccountUnusable as unusable:
        raise StartLinkUnavailable(
            "Zoom stopped accepting Campus's connection; an Org Admin must re-authenticate it. "
            "You can still start the meeting from the Zoom app."
        ) from unusable
    except ZoomError as error:
        problem = zoom_problem(error)
        sentence = (
            "Zoom could not be reached; press Start again in a moment."
            if problem.retryable
            else problem.sentence
        )
        raise StartLinkUnavailable(sentence) from error
    if not meeting.start_url:
        raise StartLinkUnavailable("Zoom gave no start link; start the meeting from the Zoom app.")
    return meeting.start_url
