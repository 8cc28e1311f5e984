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
  meeting's length, sometimes a day), for up to 72 hours after the session's end.

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
    LiveEventSession,
    ZoomMeetingState,
)
from live_events.recording_services import (
    ListedRecordingFile,
    live_event_recording_files_record,
    live_event_recording_import_begin,
    live_event_recording_problem,
    live_event_recording_publish,
)
from work.handlers import RetryLater
from work.models import WorkItem
from work.services import work_enqueue
from zoom_integration.encryption import decrypt_secret, encrypt_secret
from zoom_integration.models import LinkStatus, OrganizationZoomLink, ZoomAccount, ZoomWebhookEvent
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.zoom_accounts import zoom_account_for_organization
from zoomclient import (
    ZoomClient,
    ZoomDownloadInterrupted,
    ZoomNotFound,
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


def _instances_recordings(client: ZoomClient, meeting_id: int) -> list[MeetingRecordings]:
    found = []
    for instance in client.list_past_instances(meeting_id):
        try:
            found.append(client.list_recordings(instance.uuid))
        except ZoomNotFound:
            continue  # 3301: nothing ready for this instance (yet)
    return found


def zoom_recording_poll(*, session_id: int) -> None:
    """Look for the session's recordings at Zoom; RetryLater while none is there yet."""
    session = LiveEventSession.objects.select_related("event").get(pk=session_id)
    if session.removed_at is not None or session.zoom_meeting_id is None:
        return
    if LiveEventRecording.objects.filter(session=session).exists():
        return  # found already (the webhook was first): the import rows carry on from here
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None:
        return
    with zoom_client_for_account(account) as client:
        found = _instances_recordings(client, session.zoom_meeting_id)
    recorded = 0
    for recordings in found:
        to_import = live_event_recording_files_record(
            session_id=session.pk,
            source_account_id=account.zoom_account_id,
            meeting_uuid=recordings.uuid,
            files=_listed(recordings.recording_files),
        )
        _import_enqueue(recording_ids=to_import, account=account)
        recorded += len(recordings.recording_files)
    if recorded:
        return
    now = timezone.now()
    since_end = now - session_ends_at(session)
    if since_end >= POLL_FOR:
        log.info("zoom.recording.none_after_72h", extra={"session_id": session.pk})
        return
    raise RetryLater(now + poll_gap(since_end), "Zoom has no recording for this session yet.")


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
            problem = f"Download interrupted at {kept} bytes; resuming."
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
