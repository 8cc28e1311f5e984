"""Cloud recordings back from Zoom: found by `recording.completed` (webhooks first) or by polling
(the safety net), then streamed into Campus's storage.

Finding them:
- `recording.completed` names the instance's files and carries a `download_token` valid 24 hours
  (reference §5); the import uses it while it is valid, then the account's own OAuth token. Both
  go only in the Authorization header: Zoom refuses tokens in the URL since February 2023.
- Every ended session whose event records to the cloud also gets one poll row
  (`zoom.recording.poll`). It lists the meeting's instances (a meeting started twice has two
  UUIDs) and each instance's recordings; Zoom's "no recording yet" (3301) is no verdict: it tries
  again later, a few minutes apart at first and hours apart later (Zoom takes about twice the
  meeting's length, sometimes a day), for up to 72 hours after the session's end. Then the
  session says "recording not available from Zoom" with Zoom's last answer, and its Course
  Admins are emailed once (live_events.not_available, shared with attendance).

Importing one file (`zoom.recording.import`, one row per file):
- the bytes go to a private partial file under `RECORDING_DOWNLOAD_DIR`, in pieces of
  `RECORDING_PIECE_BYTES` (Range requests), each streamed in 1 MiB chunks: never held whole;
- an interruption keeps what arrived; the next try asks Zoom with Range for the rest. A try
  that brought bytes before Zoom failed (a 5xx, a timeout, a dropped connection) is not a try
  used up: it comes back soon (RetryLater), so a long download on a flaky line never runs out of
  tries while it is still getting somewhere; only tries that bring nothing count;
- the size Zoom serves must be the `file_size` Zoom listed: otherwise the partial file goes, the
  listing is read again, and the import is retried;
- only a whole, checked file is saved through Django's storage (STORAGES["default"]: local files
  or S3) and then published on the row, so the page never shows half a file; a second run finds
  the row published and does nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from campus.private_files import private_dir
from live_events.models import (
    LiveEventProvider,
    LiveEventRecording,
    LiveEventRecordingSync,
    LiveEventSession,
    ZoomMeetingState,
)
from live_events.recording_services import (
    ListedRecordingFile,
    live_event_recording_files_record,
    live_event_recording_import_begin,
    live_event_recording_problem,
    live_event_recording_publish,
    live_event_recording_run_ended,
    live_event_recording_sync_found,
    live_event_recording_sync_waiting,
    live_event_recording_unavailable,
)
from work.handlers import RetryLater
from work.models import WorkItem, WorkState
from work.services import work_enqueue
from zoom_integration.encryption import decrypt_secret, encrypt_secret
from zoom_integration.models import LinkStatus, OrganizationZoomLink, ZoomAccount, ZoomWebhookEvent
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.ended_run import EndedRun
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.zoom_accounts import zoom_account_for_organization
from zoom_integration.services.zoom_answers import zoom_answer_in_words
from zoomclient import (
    ZoomClient,
    ZoomDownloadInterrupted,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomServerError,
    ZoomTransportError,
    ZoomUnauthorized,
)
from zoomclient.json_fields import integer, text
from zoomclient.recordings import MeetingRecordings, RecordingFile

log = logging.getLogger("zoom_integration.recordings")

POLL_KIND = "zoom.recording.poll"
IMPORT_KIND = "zoom.recording.import"
POLL_FOR = timedelta(hours=72)
FIRST_POLL_AFTER = timedelta(minutes=5)
POLL_GAP_MIN = timedelta(minutes=5)
POLL_GAP_MAX = timedelta(hours=4)
CODE_NO_RUN = 3001  # "Meeting does not exist" for past_meetings: no ended instance yet
CODE_NO_RECORDING = 3301  # "There is no recording for this meeting."
REASON_NO_RUN = "Zoom lists no ended run of this meeting yet"
REASON_NO_RECORDING = "Zoom has no recording of this meeting"
REASON_PROCESSING = "Zoom is still processing the recording"
REASON_NOTHING_TO_IMPORT = "Zoom's recording has no video, transcript or chat to import yet"
# The webhook's download_token lives 24 hours; stop using it a little before, so a piece never
# starts with a token about to die.
DOWNLOAD_TOKEN_LIFETIME = timedelta(hours=24)
DOWNLOAD_TOKEN_MARGIN = timedelta(minutes=10)
# A download that got somewhere before Zoom failed resumes this soon, without using up a try.
RESUME_AFTER_PROGRESS = timedelta(seconds=30)
# Tries that bring nothing before the import gives up: more than the work's default 8, because
# an import is resumable and harmless to repeat, Zoom keeps the file for days, and with the
# work's backoff (doubling up to an hour) 20 tries span about half a day of a flaky Zoom.
IMPORT_TRIES = 20


class RecordingSizeMismatch(Exception):
    """Zoom served a different number of bytes than its listing's `file_size`."""


# --- finding recordings ---------------------------------------------------------------------------


def _from_zoom(url: str) -> bool:
    """The import sends the account's bearer token to `download_url`: only to Zoom's own web
    host (zoom.us and its regional subdomains, or the configured one, e.g. zoomsim)."""
    parts = urlsplit(url)
    configured = urlsplit(settings.ZOOM_OAUTH_BASE_URL)
    if (parts.scheme, parts.netloc) == (configured.scheme, configured.netloc):
        return True
    host = parts.hostname or ""
    return parts.scheme == "https" and (host == "zoom.us" or host.endswith(".zoom.us"))


def _listed(files: Sequence[RecordingFile]) -> list[ListedRecordingFile]:
    return [
        ListedRecordingFile(
            file_id=f.id,
            file_type=f.file_type,
            file_extension=f.file_extension,
            recording_type=f.recording_type,
            file_size=f.file_size,
            download_url=f.download_url,
            recording_start=f.recording_start,
        )
        for f in files
        if f.is_ready  # still processing: listed again once done
        and _from_zoom(f.download_url)
    ]


def _import_enqueue(
    *,
    recording_ids: Sequence[int],
    account: ZoomAccount,
    download_token: str = "",
    token_expires_at: datetime | None = None,
) -> None:
    payload_token: dict[str, str] = {}
    if download_token and token_expires_at is not None:
        # Work payloads are database rows: the token is a secret, so it is stored encrypted.
        payload_token = {
            "download_token": encrypt_secret(download_token),
            "download_token_expires_at": token_expires_at.isoformat(),
        }
    for recording_id in recording_ids:
        work_enqueue(
            kind=IMPORT_KIND,
            subject=f"recording:{recording_id}",
            payload={"recording_id": recording_id, **payload_token},
            dedupe_key=f"{IMPORT_KIND}:{recording_id}",
            pause_group=account.pause_group,
            max_attempts=IMPORT_TRIES,
        )


def _sessions_of_meeting(*, zoom_account_id: str, meeting_id: int) -> list[LiveEventSession]:
    organizations = OrganizationZoomLink.objects.filter(
        zoom_account__zoom_account_id=zoom_account_id, status=LinkStatus.ACTIVE
    ).values_list("organization_id", flat=True)
    return list(
        LiveEventSession.objects.select_related("event").filter(
            zoom_meeting_id=meeting_id,
            event__organization_id__in=list(organizations),
            event__provider=LiveEventProvider.ZOOM,
            removed_at__isnull=True,
        )
    )


def zoom_recording_completed(event: ZoomWebhookEvent, envelope: Mapping[str, Any]) -> None:
    """`recording.completed`: record the instance's files, and schedule their import."""
    payload = envelope.get("payload")
    found = payload.get("object") if isinstance(payload, Mapping) else None
    if not isinstance(found, Mapping):
        return
    recordings = MeetingRecordings.from_json(found)
    zoom_account_id = text(payload, "account_id") or event.zoom_account_id  # type: ignore[arg-type]
    download_token = envelope.get("download_token")
    token_expires_at = event.received_at + DOWNLOAD_TOKEN_LIFETIME
    meeting_id = integer(found, "id")
    for session in _sessions_of_meeting(zoom_account_id=zoom_account_id, meeting_id=meeting_id):
        account = zoom_account_for_organization(organization_id=session.event.organization_id)
        if account is None:
            continue
        to_import = live_event_recording_files_record(
            session_id=session.pk,
            source_account_id=zoom_account_id,
            meeting_uuid=recordings.uuid,
            files=_listed(recordings.recording_files),
        )
        _import_enqueue(
            recording_ids=to_import,
            account=account,
            download_token=download_token if isinstance(download_token, str) else "",
            token_expires_at=token_expires_at,
        )
        log.info(
            "zoom.recording.completed",
            extra={"webhook_event_id": event.pk, "session_id": session.pk, "files": len(to_import)},
        )


def session_ends_at(session: LiveEventSession) -> datetime:
    return session.starts_at + timedelta(minutes=session.duration_minutes)


def _looked_for_since(session: LiveEventSession, sync: LiveEventRecordingSync | None) -> datetime:
    """The end the 72 hours count from: the scheduled end, or the last run's end when the host
    ran the meeting later (a restart after the poll had finished)."""
    scheduled = session_ends_at(session)
    if sync is None or sync.last_ended_at is None:
        return scheduled
    return max(scheduled, sync.last_ended_at)


def _last_end_passed(
    session: LiveEventSession, sync: LiveEventRecordingSync | None, now: datetime
) -> datetime:
    """What the gap between tries grows from: the latest end already past. A run held before
    the scheduled time (a host trying the meeting out a day early) is waited on hours apart,
    not every 5 minutes until the scheduled end."""
    ends = [session_ends_at(session)]
    if sync is not None and sync.last_ended_at is not None:
        ends.append(sync.last_ended_at)
    passed = [end for end in ends if end <= now]
    return max(passed) if passed else now


def _recorded_sessions_of_meeting(
    *, zoom_account_id: str, meeting_id: int
) -> list[LiveEventSession]:
    return [
        session
        for session in _sessions_of_meeting(zoom_account_id=zoom_account_id, meeting_id=meeting_id)
        if session.event.auto_record_cloud
        and session.event.removed_at is None
        and session.zoom_state == ZoomMeetingState.SCHEDULED
    ]


def zoom_recording_poll_open(
    *, session: LiveEventSession, zoom_uuid: str, ended_at: datetime | None
) -> WorkItem | None:
    """A run of the session's meeting ended: the session's one poll row looks for its recording
    (again), FIRST_POLL_AFTER from now. A finished poll (it found the first run's recording, or
    gave its verdict) is armed again; one waiting for a later try is brought forward; one running
    runs once more afterwards (the work app's dedupe). So a restart whose `recording.completed`
    is lost is still found. None when the organization has no Zoom link."""
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None:
        return None
    live_event_recording_run_ended(session_id=session.pk, zoom_uuid=zoom_uuid, ended_at=ended_at)
    due = timezone.now() + FIRST_POLL_AFTER
    item = work_enqueue(
        kind=POLL_KIND,
        subject=f"session:{session.pk}",
        payload={"session_id": session.pk},
        organization=session.event.organization,
        dedupe_key=f"{POLL_KIND}:session:{session.pk}",
        run_at=due,
        pause_group=account.pause_group,
    )
    WorkItem.objects.filter(pk=item.pk, state=WorkState.PENDING, next_attempt_at__gt=due).update(
        next_attempt_at=due, updated_at=timezone.now()
    )
    return item


def zoom_recording_meeting_ended(event: ZoomWebhookEvent, run: EndedRun) -> None:
    """`meeting.ended`: for each session of the meeting whose event records to the cloud, the
    recording poll is opened (again) for that run."""
    meeting_id, uuid, ended_at = run.meeting_id, run.uuid, run.ended_at
    sessions = _recorded_sessions_of_meeting(
        zoom_account_id=event.zoom_account_id, meeting_id=meeting_id
    )
    for session in sessions:
        zoom_recording_poll_open(session=session, zoom_uuid=uuid, ended_at=ended_at)
        log.info(
            "zoom.recording.poll_opened",
            extra={"session_id": session.pk, "webhook_event_id": event.pk},
        )


def zoom_recording_polls_enqueue(*, now: datetime | None = None) -> int:
    """One poll row for every session that ended in the last 72 hours with cloud recording on
    and no poll yet (periodic: the safety net for a lost or never-sent webhook)."""
    now = now or timezone.now()
    candidates = LiveEventSession.objects.select_related("event").filter(
        event__provider=LiveEventProvider.ZOOM,
        event__auto_record_cloud=True,
        event__removed_at__isnull=True,
        removed_at__isnull=True,
        zoom_meeting_id__isnull=False,
        zoom_state=ZoomMeetingState.SCHEDULED,
        starts_at__lte=now,
        starts_at__gte=now - POLL_FOR - timedelta(days=2),
    )
    enqueued = 0
    for session in candidates:
        ends_at = session_ends_at(session)
        key = f"{POLL_KIND}:session:{session.pk}"
        if not ends_at <= now < ends_at + POLL_FOR or WorkItem.objects.filter(dedupe_key=key):
            continue
        account = zoom_account_for_organization(organization_id=session.event.organization_id)
        if account is None:
            continue
        work_enqueue(
            kind=POLL_KIND,
            subject=f"session:{session.pk}",
            payload={"session_id": session.pk},
            organization=session.event.organization,
            dedupe_key=key,
            run_at=max(now, ends_at + FIRST_POLL_AFTER),
            pause_group=account.pause_group,
        )
        enqueued += 1
    return enqueued


def poll_gap(since_end: timedelta) -> timedelta:
    """Minutes apart soon after the end, hours apart later: a quarter of the time waited so far,
    between 5 minutes and 4 hours."""
    return min(max(since_end / 4, POLL_GAP_MIN), POLL_GAP_MAX)


def _instances_recordings(
    client: ZoomClient, meeting_id: int, *, ended_runs: Sequence[str] = ()
) -> tuple[list[MeetingRecordings], str, list[str]]:
    """Each ended instance's recordings Zoom has; when one has none, why in words; and the
    UUIDs of every ended instance: those Zoom lists and those `meeting.ended` named (Zoom may
    list a run that just ended only a while later)."""
    reason = REASON_NO_RUN
    try:
        listed = [instance.uuid for instance in client.list_past_instances(meeting_id)]
    except (ZoomAccountUnusable, ZoomRateLimited):
        raise  # paused until re-authentication / moved to Zoom's time by zoom_work_handler
    except ZoomError as error:
        reason = zoom_answer_in_words(error, not_yet={CODE_NO_RUN: REASON_NO_RUN})
        listed = []
    runs = listed + [uuid for uuid in ended_runs if uuid not in listed]
    found: list[MeetingRecordings] = []
    for uuid in runs:
        try:
            found.append(client.list_recordings(uuid))
        except (ZoomAccountUnusable, ZoomRateLimited):
            raise
        except ZoomError as error:
            # 3301: nothing ready for this instance (yet); another instance may have one.
            reason = zoom_answer_in_words(error, not_yet={CODE_NO_RECORDING: REASON_NO_RECORDING})
    return found, reason, runs


def zoom_recording_poll(*, session_id: int) -> None:
    """Look for the session's recordings at Zoom; RetryLater while none is there yet, and 72
    hours after the session's end the verdict "recording not available from Zoom" with Zoom's
    last answer (the Course Admins are emailed once)."""
    session = LiveEventSession.objects.select_related("event").get(pk=session_id)
    if session.removed_at is not None or session.zoom_meeting_id is None:
        return
    if not session.event.auto_record_cloud:
        return  # no cloud recording asked for: nothing to wait for, nothing to report
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None:
        return
    sync = LiveEventRecordingSync.objects.filter(session=session).first()
    ended_runs = [str(uuid) for uuid in sync.ended_runs] if sync is not None else []
    ends_at = _looked_for_since(session, sync)
    # Listed even when recording.completed was first: a restarted meeting's other run may have
    # a recording whose notice never came. Recording the same files again changes nothing.
    with zoom_client_for_account(account) as client:
        found, reason, runs = _instances_recordings(
            client, session.zoom_meeting_id, ended_runs=ended_runs
        )
    for recordings in found:
        files = recordings.recording_files
        listed = _listed(files)
        if any(not f.is_ready for f in files):
            reason = REASON_PROCESSING
        elif files:
            reason = REASON_NOTHING_TO_IMPORT
        if not listed:
            continue
        to_import = live_event_recording_files_record(
            session_id=session.pk,
            source_account_id=account.zoom_account_id,
            meeting_uuid=recordings.uuid,
            files=listed,
        )
        _import_enqueue(recording_ids=to_import, account=account)
    now = timezone.now()
    give_up_at = ends_at + POLL_FOR
    # The last try falls on the 72nd hour, not up to a gap after it.
    next_try = min(now + poll_gap(now - _last_end_passed(session, sync, now)), give_up_at)
    # Found means rows for the page: Zoom may list its audio file before the video.
    have = set(
        LiveEventRecording.objects.filter(session=session).values_list(
            "zoom_meeting_uuid", flat=True
        )
    )
    if have:
        live_event_recording_sync_found(session_id=session.pk)
        if now >= give_up_at or all(uuid in have for uuid in runs):
            return  # the import rows carry on from here
        # Another run of the meeting has no recording yet: looked for again, within the
        # 72 hours (a run too short to be recorded just keeps a light call every few hours).
        raise RetryLater(next_try, f"Another run of the meeting: {reason}.")
    if now >= give_up_at:
        live_event_recording_unavailable(session_id=session.pk, reason=reason)
        log.warning("zoom.recording.unavailable", extra={"session_id": session.pk})
        return
    live_event_recording_sync_waiting(session_id=session.pk, next_try_at=next_try, reason=reason)
    raise RetryLater(next_try, f"{reason}.")


# --- importing one file ---------------------------------------------------------------------------


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _partial_path(recording: LiveEventRecording) -> Path:
    folder = private_dir(Path(settings.RECORDING_DOWNLOAD_DIR))
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", recording.zoom_file_id or str(recording.pk))
    return folder / f"{recording.pk}-{safe_id}.part"


def _stored_name(recording: LiveEventRecording) -> str:
    event = recording.session.event
    extension = re.sub(r"[^a-z0-9]", "", recording.file_extension.lower()) or "bin"
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", recording.zoom_file_id or str(recording.pk))
    return (
        f"recordings/org-{event.organization_id}/session-{recording.session_id}/"
        f"{safe_id}.{extension}"
    )


def _download_token(payload: Mapping[str, Any], now: datetime) -> str | None:
    """The webhook's download_token while it is valid, else None (the account's token)."""
    secret, expires = payload.get("download_token"), payload.get("download_token_expires_at")
    if not isinstance(secret, str) or not isinstance(expires, str):
        return None
    if datetime.fromisoformat(expires) - DOWNLOAD_TOKEN_MARGIN <= now:
        return None
    return decrypt_secret(secret)


def _fetch_piece(
    client: ZoomClient,
    recording: LiveEventRecording,
    partial: Path,
    *,
    offset: int,
    stop: int,
    token: str | None,
) -> tuple[int, int | None]:
    """Append bytes [offset, stop) to the partial file; (bytes written, total size served)."""
    with partial.open("ab") as sink:
        try:
            result = client.download_recording_file(
                recording.download_url, sink, access_token=token, offset=offset, stop=stop
            )
        except ZoomDownloadInterrupted:
            sink.flush()  # what arrived stays: the next try resumes after it
            raise
    return result.bytes_written, result.total_size


def _refresh_listing(client: ZoomClient, recording: LiveEventRecording) -> None:
    """Read the instance's listing again (a new size, a new download_url)."""
    try:
        fresh = client.list_recordings(recording.zoom_meeting_uuid)
    except ZoomNotFound:
        return
    live_event_recording_files_record(
        session_id=recording.session_id,
        source_account_id=recording.source_account_id,
        meeting_uuid=fresh.uuid,
        files=_listed(fresh.recording_files),
    )


def _download_whole(
    client: ZoomClient, recording: LiveEventRecording, partial: Path, token: str | None
) -> None:
    expected = recording.file_size
    offset = partial.stat().st_size if partial.exists() else 0
    if offset > expected:
        partial.unlink()
        offset = 0
    if offset:
        log.info("zoom.recording.resuming", extra={"recording_id": recording.pk, "offset": offset})
    piece = max(int(settings.RECORDING_PIECE_BYTES), 1)
    while offset < expected:
        stop = min(offset + piece, expected)
        try:
            written, total = _fetch_piece(
                client, recording, partial, offset=offset, stop=stop, token=token
            )
        except ZoomUnauthorized:
            if token is None:
                raise
            # A download_token Zoom no longer takes (a late webhook's): the account's own token.
            token = None
            continue
        if total is not None and total != expected:
            raise RecordingSizeMismatch(
                f"Zoom serves {total} bytes but listed the file as {expected} bytes."
            )
        if written == 0:
            raise RecordingSizeMismatch(f"Zoom's file ended at {offset} of {expected} bytes.")
        offset = partial.stat().st_size
    if partial.stat().st_size != expected:
        raise RecordingSizeMismatch(
            f"Stored {partial.stat().st_size} bytes but Zoom listed {expected} bytes."
        )


def zoom_recording_import(*, recording_id: int, payload: Mapping[str, Any]) -> None:
    """Stream one file into storage and publish it (see the module docstring)."""
    recording = live_event_recording_import_begin(recording_id=recording_id)
    if recording is None:
        return  # on the page already: twice is once
    recording = LiveEventRecording.objects.select_related("session__event").get(pk=recording.pk)
    account = zoom_account_for_organization(organization_id=recording.session.event.organization_id)
    if account is None:
        live_event_recording_problem(
            recording_id=recording.pk, problem="Zoom is not connected any more.", failed=True
        )
        return
    partial = _partial_path(recording)
    had = _size(partial)
    with zoom_client_for_account(account) as client:
        try:
            _download_whole(client, recording, partial, _download_token(payload, timezone.now()))
        except RecordingSizeMismatch as mismatch:
            partial.unlink(missing_ok=True)  # never a half (or wrong) file kept
            _refresh_listing(client, recording)
            live_event_recording_problem(
                recording_id=recording.pk, problem=str(mismatch), failed=False
            )
            raise
        except (ZoomTransportError, ZoomServerError) as error:
            kept = _size(partial)
            reason = zoom_answer_in_words(error, not_yet={})
            problem = (
                f"Download interrupted after {kept:,} bytes ({reason}); resuming"
                if kept
                else f"{reason}; trying again"
            )
            live_event_recording_problem(recording_id=recording.pk, problem=problem, failed=False)
            if kept > had:
                raise RetryLater(timezone.now() + RESUME_AFTER_PROGRESS, problem) from error
            raise
    with partial.open("rb") as whole:
        stored = default_storage.save(_stored_name(recording), File(whole))
    if not live_event_recording_publish(recording_id=recording.pk, stored_name=stored):
        default_storage.delete(stored)
    partial.unlink(missing_ok=True)
    log.info(
        "zoom.recording.imported",
        extra={"recording_id": recording.pk, "bytes": recording.file_size},
    )


def zoom_recording_import_failed(*, recording_id: int, reason: str) -> None:
    live_event_recording_problem(recording_id=recording_id, problem=reason, failed=True)


def zoom_recordings_import_request(
    *, session: LiveEventSession, recording_ids: Sequence[int]
) -> int:
    """A Course Admin's Import: the same work as an automatic upload, with the account's token."""
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None or not recording_ids:
        return 0
    _import_enqueue(recording_ids=recording_ids, account=account)
    return len(recording_ids)
