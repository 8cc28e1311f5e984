"""ZoomClient: one typed method per Zoom endpoint the platform uses.

Each method describes its call (endpoint from `zoomclient.catalog`, encoded path values, query,
body) and types the answer; tokens, the one retry after a 401, errors, rate-limit headers, logging
and paging live once, in `zoomclient.transport`. The client never sleeps on a 429: it raises
ZoomRateLimited with `retry_at` and the caller reschedules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Literal, TypeVar

import httpx

from zoomclient.catalog import ENDPOINTS
from zoomclient.config import DEFAULT_TIMEOUT, ZoomEndpoints
from zoomclient.downloads import CHUNK_SIZE, ByteSink, DownloadResult, download
from zoomclient.json_fields import objects
from zoomclient.meetings import Meeting, MeetingListItem, MeetingListType, MeetingSpec
from zoomclient.oauth import Clock, utc_now
from zoomclient.pacing import Pacer
from zoomclient.past_meetings import PastInstance, PastMeeting, PastParticipant, ReportParticipant
from zoomclient.paths import meeting_ref, path_value
from zoomclient.ratelimits import RateLimitInfo
from zoomclient.recordings import MeetingRecordings, recordings_range
from zoomclient.registrants import (
    BATCH_LIMIT,
    AddedRegistrant,
    BatchRegistrant,
    NewRegistrant,
    Registrant,
    RegistrantAction,
    RegistrantRef,
    RegistrantStatus,
)
from zoomclient.tokens import TokenSource
from zoomclient.transport import QueryParams, ZoomTransport
from zoomclient.users import AccountUser, UserStatus, ZoomUser

# Zoom's largest page for the list endpoints used here; fewer pages, fewer Medium/Heavy calls.
MAX_PAGE_SIZE = 300


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _occurrence(occurrence_id: str | None) -> dict[str, str]:
    """The query naming one occurrence of a recurring meeting; none means the whole meeting."""
    return {"occurrence_id": occurrence_id} if occurrence_id else {}


class ZoomClient:
    """Calls to api.zoom.us/v2 for one Zoom connection. Give it the connection's token source
    and `endpoints.with_api_url(token_set.api_url)` so calls go to the account's region."""

    def __init__(
        self,
        endpoints: ZoomEndpoints,
        token_source: TokenSource,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        http: httpx.Client | None = None,
        clock: Clock = utc_now,
        pacer: Pacer | None = None,
        pacing_account: str = "",
        max_pacing_wait: float = 0.25,
    ) -> None:
        """`pacer` (zoomclient.pacing) budgets every call for `pacing_account`, the Zoom account
        id; a call it holds back for longer than `max_pacing_wait` seconds raises ZoomPaced."""
        self._transport = ZoomTransport(
            endpoints,
            token_source,
            timeout=timeout,
            http=http,
            clock=clock,
            pacer=pacer,
            pacing_account=pacing_account,
            max_pacing_wait=max_pacing_wait,
        )

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> ZoomClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def last_rate_limit(self) -> RateLimitInfo:
        """X-RateLimit-Category/-Type/-Limit/-Remaining of the latest answer."""
        return self._transport.last_rate_limit

    # --- users -------------------------------------------------------------------------------

    def get_user(self, user: str) -> ZoomUser:
        """https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}

        `user` is a user id, an email, or "me" (the user who authorized the app)."""
        response = self._transport.call(ENDPOINTS["get_user"], path={"userId": path_value(user)})
        return ZoomUser.from_json(self._transport.json_object(response))

    def list_users(
        self,
        *,
        status: UserStatus = "active",
        role_id: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> list[AccountUser]:
        """https://developers.zoom.us/docs/api/users/#tag/users/GET/users

        Every page of the account's users with `status` (Zoom's default, "active"), optionally of
        one role ("0" owner, "1" admin, "2" member). A Medium call per page of `page_size` (Zoom
        allows up to 2000). Pending users' rows have no id: `AccountUser.id` is None."""
        params: dict[str, str | int | bool] = {"status": status}
        if role_id is not None:
            params["role_id"] = role_id
        items = self._transport.pages(
            ENDPOINTS["list_users"], items_key="users", page_size=page_size, params=params
        )
        return [AccountUser.from_json(item) for item in items]

    # --- meetings ----------------------------------------------------------------------------

    def create_meeting(self, host_id: str, spec: MeetingSpec) -> Meeting:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings

        Counts against the host's 100 creates+updates a day."""
        response = self._transport.call(
            ENDPOINTS["create_meeting"], path={"userId": path_value(host_id)}, json=spec.to_json()
        )
        return Meeting.from_json(self._transport.json_object(response))

    def list_meetings(
        self, host_id: str, *, type: MeetingListType = "upcoming", page_size: int = MAX_PAGE_SIZE
    ) -> list[MeetingListItem]:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/users/{userId}/meetings

        All pages (a Medium call each). `agenda` is cut to 250 characters in the list."""
        items = self._transport.pages(
            ENDPOINTS["list_meetings"],
            items_key="meetings",
            page_size=page_size,
            path={"userId": path_value(host_id)},
            params={"type": type},
        )
        return [MeetingListItem.from_json(item) for item in items]

    def get_meeting(self, meeting_id: int, *, occurrence_id: str | None = None) -> Meeting:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/meetings/{meetingId}"""
        response = self._transport.call(
            ENDPOINTS["get_meeting"],
            path={"meetingId": meeting_ref(meeting_id)},
            params=_occurrence(occurrence_id),
        )
        return Meeting.from_json(self._transport.json_object(response))

    def update_meeting(
        self, meeting_id: int, spec: MeetingSpec, *, occurrence_id: str | None = None
    ) -> None:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/PATCH/meetings/{meetingId}

        Zoom answers 204 without a body. Counts against the host's 100 creates+updates a day, so
        callers should skip updates that change nothing."""
        self._transport.call(
            ENDPOINTS["update_meeting"],
            path={"meetingId": meeting_ref(meeting_id)},
            params=_occurrence(occurrence_id),
            json=spec.to_json(),
        )

    def delete_meeting(
        self,
        meeting_id: int,
        *,
        schedule_for_reminder: bool = False,
        cancel_meeting_reminder: bool = False,
        occurrence_id: str | None = None,
    ) -> None:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/DELETE/meetings/{meetingId}

        `schedule_for_reminder` emails the host and alternative hosts; `cancel_meeting_reminder`
        emails the registrants."""
        params: QueryParams = {
            "schedule_for_reminder": schedule_for_reminder,
            "cancel_meeting_reminder": cancel_meeting_reminder,
            **_occurrence(occurrence_id),
        }
        self._transport.call(
            ENDPOINTS["delete_meeting"], path={"meetingId": meeting_ref(meeting_id)}, params=params
        )

    # --- registrants -------------------------------------------------------------------------

    def add_registrant(
        self, meeting_id: int, registrant: NewRegistrant, *, auto_approve: bool | None = None
    ) -> AddedRegistrant:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/meetings/{meetingId}/registrants

        The same person may be registered to one meeting 3 times a day."""
        body = registrant.to_json()
        if auto_approve is not None:
            body["auto_approve"] = auto_approve
        response = self._transport.call(
            ENDPOINTS["add_registrant"], path={"meetingId": meeting_ref(meeting_id)}, json=body
        )
        return AddedRegistrant.from_json(self._transport.json_object(response))

    def add_batch_registrants(
        self,
        meeting_id: int,
        registrants: Sequence[NewRegistrant],
        *,
        auto_approve: bool | None = None,
        registrants_confirmation_email: bool | None = None,
    ) -> list[BatchRegistrant]:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/meetings/{meetingId}/batch_registrants

        Zoom takes 30 registrants per call, so larger lists go in chunks of 30 (each a Heavy
        call). If a later chunk fails the earlier ones stay registered; registering the same
        people again returns their existing registrations."""
        added: list[BatchRegistrant] = []
        for chunk in _chunks(registrants, BATCH_LIMIT):
            body: dict[str, object] = {"registrants": [person.to_json() for person in chunk]}
            if auto_approve is not None:
                body["auto_approve"] = auto_approve
            if registrants_confirmation_email is not None:
                body["registrants_confirmation_email"] = registrants_confirmation_email
            response = self._transport.call(
                ENDPOINTS["add_batch_registrants"],
                path={"meetingId": meeting_ref(meeting_id)},
                json=body,
            )
            payload = self._transport.json_object(response)
            added.extend(
                BatchRegistrant.from_json(item) for item in objects(payload, "registrants")
            )
        return added

    def list_registrants(
        self,
        meeting_id: int,
        *,
        status: RegistrantStatus = "approved",
        page_size: int = MAX_PAGE_SIZE,
    ) -> list[Registrant]:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/meetings/{meetingId}/registrants

        All pages. Zoom lists only `approved` registrants unless another status is asked for."""
        items = self._transport.pages(
            ENDPOINTS["list_registrants"],
            items_key="registrants",
            page_size=page_size,
            path={"meetingId": meeting_ref(meeting_id)},
            params={"status": status},
        )
        return [Registrant.from_json(item) for item in items]

    def update_registrant_status(
        self, meeting_id: int, action: RegistrantAction, registrants: Sequence[RegistrantRef]
    ) -> None:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/PUT/meetings/{meetingId}/registrants/status

        Zoom takes 30 registrants per call; larger lists go in chunks of 30."""
        for chunk in _chunks(registrants, BATCH_LIMIT):
            self._transport.call(
                ENDPOINTS["update_registrant_status"],
                path={"meetingId": meeting_ref(meeting_id)},
                json={"action": action, "registrants": [ref.to_json() for ref in chunk]},
            )

    def delete_registrant(
        self, meeting_id: int, registrant_id: str, *, occurrence_id: str | None = None
    ) -> None:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/DELETE/meetings/{meetingId}/registrants/{registrantId}"""
        self._transport.call(
            ENDPOINTS["delete_registrant"],
            path={"meetingId": meeting_ref(meeting_id), "registrantId": path_value(registrant_id)},
            params=_occurrence(occurrence_id),
        )

    # --- past meetings and reports -----------------------------------------------------------

    def get_past_meeting(self, meeting: int | str) -> PastMeeting:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/past_meetings/{meetingId}

        A numeric id means the latest ended instance; pass an instance UUID for another."""
        response = self._transport.call(
            ENDPOINTS["get_past_meeting"], path={"meetingId": meeting_ref(meeting)}
        )
        return PastMeeting.from_json(self._transport.json_object(response))

    def list_past_instances(self, meeting_id: int) -> list[PastInstance]:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/past_meetings/{meetingId}/instances

        Takes the numeric meeting id (not a UUID). Ended instances of the last 15 months only."""
        response = self._transport.call(
            ENDPOINTS["list_past_instances"], path={"meetingId": meeting_ref(int(meeting_id))}
        )
        body = self._transport.json_object(response)
        return [PastInstance.from_json(item) for item in objects(body, "meetings")]

    def list_past_participants(
        self, meeting: int | str, *, page_size: int = MAX_PAGE_SIZE
    ) -> list[PastParticipant]:
        """https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/past_meetings/{meetingId}/participants

        All pages; one row per join segment."""
        items = self._transport.pages(
            ENDPOINTS["list_past_participants"],
            items_key="participants",
            page_size=page_size,
            path={"meetingId": meeting_ref(meeting)},
        )
        return [PastParticipant.from_json(item) for item in items]

    def report_participants(
        self,
        meeting: int | str,
        *,
        include_registrant_id: bool = True,
        page_size: int = MAX_PAGE_SIZE,
    ) -> list[ReportParticipant]:
        """https://developers.zoom.us/docs/api/meetings/#tag/reports/GET/report/meetings/{meetingId}/participants

        All pages (300 rows each, the most Zoom allows: this is a Heavy call); one row per join
        segment. `registrant_id` is only in the rows when asked for with include_fields."""
        params: QueryParams = {"include_fields": "registrant_id"} if include_registrant_id else {}
        items = self._transport.pages(
            ENDPOINTS["report_participants"],
            items_key="participants",
            page_size=page_size,
            path={"meetingId": meeting_ref(meeting)},
            params=params,
        )
        return [ReportParticipant.from_json(item) for item in items]

    # --- recordings --------------------------------------------------------------------------

    def list_recordings(
        self,
        meeting: int | str,
        *,
        include_download_access_token: bool = False,
        ttl_seconds: int | None = None,
    ) -> MeetingRecordings:
        """https://developers.zoom.us/docs/api/meetings/#tag/cloud-recording/GET/meetings/{meetingId}/recordings

        404/3301 (ZoomNotFound) while there is no recording yet. `ttl_seconds` (0-604800) is how
        long the download_access_token lives."""
        params: dict[str, str | int | bool] = {}
        if include_download_access_token:
            params["include_fields"] = "download_access_token"
        if ttl_seconds is not None:
            params["ttl"] = ttl_seconds
        response = self._transport.call(
            ENDPOINTS["list_recordings"], path={"meetingId": meeting_ref(meeting)}, params=params
        )
        return MeetingRecordings.from_json(self._transport.json_object(response))

    def list_user_recordings(
        self,
        user: str,
        *,
        from_date: date,
        to_date: date,
        meeting_id: int | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> list[MeetingRecordings]:
        """https://developers.zoom.us/docs/api/meetings/#tag/cloud-recording/GET/users/{userId}/recordings

        Every page of the cloud recordings `user` (id, email or "me") hosted in meetings that
        started on a UTC day from `from_date` to `to_date`, both included, newest first;
        optionally of one meeting. At most a calendar month: Zoom silently cuts a longer range,
        so one raises ValueError here. Recordings still processing are not listed yet, and rows
        carry no download_access_token (download with the connection's token)."""
        params: dict[str, str | int | bool] = {**recordings_range(from_date, to_date)}
        if meeting_id is not None:
            params["meeting_id"] = meeting_id
        items = self._transport.pages(
            ENDPOINTS["list_user_recordings"],
            items_key="meetings",
            page_size=page_size,
            path={"userId": path_value(user)},
            params=params,
        )
        return [MeetingRecordings.from_json(item) for item in items]

    def delete_recordings(
        self, meeting: int | str, *, action: Literal["trash", "delete"] = "trash"
    ) -> None:
        """https://developers.zoom.us/docs/api/meetings/#tag/cloud-recording/DELETE/meetings/{meetingId}/recordings

        "trash" (Zoom's default) keeps them in the trash for 30 days; "delete" is final."""
        self._transport.call(
            ENDPOINTS["delete_recordings"],
            path={"meetingId": meeting_ref(meeting)},
            params={"action": action},
        )

    def delete_recording_file(
        self,
        meeting: int | str,
        file_id: str,
        *,
        action: Literal["trash", "delete"] = "trash",
    ) -> None:
        """https://developers.zoom.us/docs/api/meetings/#tag/cloud-recording/DELETE/meetings/{meetingId}/recordings/{recordingId}

        400/3303 while the meeting is still running."""
        self._transport.call(
            ENDPOINTS["delete_recording_file"],
            path={"meetingId": meeting_ref(meeting), "recordingId": path_value(file_id)},
            params={"action": action},
        )

    def download_recording_file(
        self,
        download_url: str,
        dest: ByteSink,
        *,
        access_token: str | None = None,
        offset: int = 0,
        stop: int | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> DownloadResult:
        """https://developers.zoom.us/docs/api/using-zoom-apis/#downloading-files

        Streams the file at `download_url` into `dest` (a binary file or a callable taking each
        chunk). `access_token` is a download_access_token (or a webhook's download_token); without
        it the connection's OAuth token is used. `offset` resumes a partial download with a Range
        request; `stop` asks only up to there (a piece of the file). A break mid-way raises
        ZoomDownloadInterrupted with the bytes written so far."""
        return download(
            self._transport,
            download_url,
            dest,
            access_token=access_token,
            offset=offset,
            stop=stop,
            chunk_size=chunk_size,
        )
