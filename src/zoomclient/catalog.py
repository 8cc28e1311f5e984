"""Every Zoom endpoint the client calls, as data: method, path template, rate-limit category, the
per-user daily limit that also applies, and Zoom's documentation page.

A pacer outside the client budgets calls from this (`ENDPOINTS["create_meeting"].category`), and the
client logs the path *template*, so logs never carry ids or emails from the path. Categories are the
labels in Zoom's specs (reference §2): create meeting is Medium, update is Light.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from zoomclient.ratelimits import RateLimitCategory

_MEETINGS_DOCS = "https://developers.zoom.us/docs/api/meetings/#tag/"


@dataclass(frozen=True)
class PerUserDailyLimit:
    """A daily limit per user or registrant on top of the account's budget; resets 00:00 UTC."""

    counted_per: str  # "host" or "registrant"
    limit: int
    shared_with: tuple[str, ...] = ()  # other endpoints counted against the same limit


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    category: RateLimitCategory
    doc_url: str
    per_user_daily: PerUserDailyLimit | None = None


_HOST_MEETING_WRITES = PerUserDailyLimit(
    counted_per="host", limit=100, shared_with=("create_meeting", "update_meeting")
)

_ALL = (
    Endpoint(
        "list_users",
        "GET",
        "/users",
        "Medium",
        "https://developers.zoom.us/docs/api/users/#tag/users/GET/users",
    ),
    Endpoint(
        "get_user",
        "GET",
        "/users/{userId}",
        "Light",
        "https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}",
    ),
    Endpoint(
        "create_meeting",
        "POST",
        "/users/{userId}/meetings",
        "Medium",
        _MEETINGS_DOCS + "meetings/POST/users/{userId}/meetings",
        _HOST_MEETING_WRITES,
    ),
    Endpoint(
        "list_meetings",
        "GET",
        "/users/{userId}/meetings",
        "Medium",
        _MEETINGS_DOCS + "meetings/GET/users/{userId}/meetings",
    ),
    Endpoint(
        "get_meeting",
        "GET",
        "/meetings/{meetingId}",
        "Light",
        _MEETINGS_DOCS + "meetings/GET/meetings/{meetingId}",
    ),
    Endpoint(
        "update_meeting",
        "PATCH",
        "/meetings/{meetingId}",
        "Light",
        _MEETINGS_DOCS + "meetings/PATCH/meetings/{meetingId}",
        _HOST_MEETING_WRITES,
    ),
    Endpoint(
        "delete_meeting",
        "DELETE",
        "/meetings/{meetingId}",
        "Light",
        _MEETINGS_DOCS + "meetings/DELETE/meetings/{meetingId}",
    ),
    Endpoint(
        "add_registrant",
        "POST",
        "/meetings/{meetingId}/registrants",
        "Light",
        _MEETINGS_DOCS + "meetings/POST/meetings/{meetingId}/registrants",
        PerUserDailyLimit(counted_per="registrant", limit=3),
    ),
    Endpoint(
        "add_batch_registrants",
        "POST",
        "/meetings/{meetingId}/batch_registrants",
        "Heavy",
        _MEETINGS_DOCS + "meetings/POST/meetings/{meetingId}/batch_registrants",
    ),
    Endpoint(
        "list_registrants",
        "GET",
        "/meetings/{meetingId}/registrants",
        "Medium",
        _MEETINGS_DOCS + "meetings/GET/meetings/{meetingId}/registrants",
    ),
    Endpoint(
        "update_registrant_status",
        "PUT",
        "/meetings/{meetingId}/registrants/status",
        "Medium",
        _MEETINGS_DOCS + "meetings/PUT/meetings/{meetingId}/registrants/status",
        PerUserDailyLimit(counted_per="registrant", limit=10),
    ),
    Endpoint(
        "delete_registrant",
        "DELETE",
        "/meetings/{meetingId}/registrants/{registrantId}",
        "Light",
        _MEETINGS_DOCS + "meetings/DELETE/meetings/{meetingId}/registrants/{registrantId}",
    ),
    Endpoint(
        "get_past_meeting",
        "GET",
        "/past_meetings/{meetingId}",
        "Light",
        _MEETINGS_DOCS + "meetings/GET/past_meetings/{meetingId}",
    ),
    Endpoint(
        "list_past_instances",
        "GET",
        "/past_meetings/{meetingId}/instances",
        "Medium",
        _MEETINGS_DOCS + "meetings/GET/past_meetings/{meetingId}/instances",
    ),
    Endpoint(
        "list_past_participants",
        "GET",
        "/past_meetings/{meetingId}/participants",
        "Medium",
        _MEETINGS_DOCS + "meetings/GET/past_meetings/{meetingId}/participants",
    ),
    Endpoint(
        "report_participants",
        "GET",
        "/report/meetings/{meetingId}/participants",
        "Heavy",
        _MEETINGS_DOCS + "reports/GET/report/meetings/{meetingId}/participants",
    ),
    Endpoint(
        "list_user_recordings",
        "GET",
        "/users/{userId}/recordings",
        "Medium",
        _MEETINGS_DOCS + "cloud-recording/GET/users/{userId}/recordings",
    ),
    Endpoint(
        "list_recordings",
        "GET",
        "/meetings/{meetingId}/recordings",
        "Light",
        _MEETINGS_DOCS + "cloud-recording/GET/meetings/{meetingId}/recordings",
    ),
    Endpoint(
        "delete_recordings",
        "DELETE",
        "/meetings/{meetingId}/recordings",
        "Light",
        _MEETINGS_DOCS + "cloud-recording/DELETE/meetings/{meetingId}/recordings",
    ),
    Endpoint(
        "delete_recording_file",
        "DELETE",
        "/meetings/{meetingId}/recordings/{recordingId}",
        "Light",
        _MEETINGS_DOCS + "cloud-recording/DELETE/meetings/{meetingId}/recordings/{recordingId}",
    ),
)

ENDPOINTS: Mapping[str, Endpoint] = {endpoint.name: endpoint for endpoint in _ALL}
