"""Cloud recording files: what Zoom says about them (JSON) and how zoom.us serves their bytes.

Downloads work like Zoom's: `download_url` (`/rec/download/{file_id}`, not under /v2) takes the
account's OAuth token or a download token (`recording.completed`'s `download_token`, the API's
`download_access_token`) as `Authorization: Bearer …`, and answers 302 to a signed, short-lived
`/rec/file/{file_id}?exp=…&sig=…` that serves the bytes with Range support. Clients that do not
follow redirects break here as they would against Zoom.

Since 14 February 2023 Zoom takes access tokens only in the `Authorization` header, and its
"Access token change FAQ" (devsupport.zoom.us, article 12363164278669) names `recording.completed`'s
`download_token` as one of them: the old `download_url?access_token=…` form is answered 401/124
"Invalid access token.", whatever the token.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from zoomsim.clock import iso
from zoomsim.endpoint import live_token, require_scopes
from zoomsim.errors import no_recording, unauthorized
from zoomsim.model import DownloadToken, Instance, Meeting, RecordingFile, Segment
from zoomsim.sim import sim_of
from zoomsim.state import State
from zoomsim.whole_numbers import whole_number

FIXTURE_MP4 = Path(__file__).parent / "fixtures" / "recording.mp4"
CONTENT_TYPES = {"MP4": "video/mp4", "VTT": "text/vtt", "TXT": "text/plain"}
CHUNK = 64 * 1024
SIGNED_URL_TTL = 10 * 60  # seconds the redirect target stays valid
DOWNLOAD_SCOPES = (
    "recording:read:admin",
    "recording:read",
    "cloud_recording:read:list_recording_files:admin",
    "cloud_recording:read:list_recording_files",
)
# Signs the short-lived /rec/file URLs. Per process: a restart only voids URLs that live minutes.
_SIGNING_KEY = secrets.token_bytes(32)


# --- content ------------------------------------------------------------------------------------


@cache
def fixture_mp4() -> bytes:
    """A real 3-second 160x120 H.264/AAC clip (faststart), so browsers can play what is imported."""
    return FIXTURE_MP4.read_bytes()


@cache
def _generated_block(file_id: str) -> bytes:
    return b"".join(hashlib.sha256(f"{file_id}:{k}".encode()).digest() for k in range(CHUNK // 32))


def generated_bytes(file_id: str, start: int, stop: int) -> Iterator[bytes]:
    """Bytes [start, stop) of a generated file, in chunks: byte i is `block[i % 65536]` where
    `block` is sha256(f"{file_id}:{k}") for k = 0..2047, concatenated. Deterministic, so tests can
    checksum any range; generated on the fly, so a multi-gigabyte file never sits in memory."""
    block = _generated_block(file_id)
    position = start
    while position < stop:
        offset = position % CHUNK
        length = min(CHUNK - offset, stop - position)
        yield block[offset : offset + length]
        position += length


def _clock(seconds: float) -> str:
    whole = max(int(seconds), 0)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _people_in_join_order(segments: list[Segment]) -> list[Segment]:
    first: dict[str, Segment] = {}
    for segment in sorted(segments, key=lambda s: s.join_time):
        first.setdefault(segment.person_key, segment)
    return list(first.values())


def transcript_vtt(instance: Instance, segments: list[Segment]) -> str:
    """A WebVTT transcript: each participant says hello a little after first joining."""
    lines = ["WEBVTT", ""]
    for number, segment in enumerate(_people_in_join_order(segments), start=1):
        at = segment.join_time - instance.start_time + 1
        lines += [
            str(number),
            f"{_clock(at)}.000 --> {_clock(at + 3)}.000",
            f"{segment.name}: Hello everyone, this is {segment.name}.",
            "",
        ]
    return "\n".join(lines)


def chat_txt(instance: Instance, segments: list[Segment]) -> str:
    """Zoom's saved-chat format: `HH:MM:SS From  Name  to  Everyone:` then the tab-indented text."""
    lines = []
    for segment in _people_in_join_order(segments):
        at = segment.join_time - instance.start_time + 2
        lines += [f"{_clock(at)} From  {segment.name}  to  Everyone:", "\tHi!"]
    return "\n".join(lines) + "\n" if lines else ""


# --- what Zoom says about recordings ------------------------------------------------------------


def visible_files(state: State, instance_uuid: str) -> list[RecordingFile]:
    """Files the API lists: available, not trashed or deleted. Files still processing are left
    out (Zoom may also list them with an empty `file_type`; we pick the quieter behaviour)."""
    now = state.now()
    return [
        file
        for file in state.recordings.values()
        if file.instance_uuid == instance_uuid
        and not (file.deleted or file.trashed)
        and file.available_at <= now
    ]


def recording_file_json(state: State, file: RecordingFile) -> dict[str, Any]:
    base = state.knobs.base_url
    return {
        "id": file.id,
        "meeting_id": file.instance_uuid,  # Zoom puts the instance UUID here, not the number
        "recording_start": iso(file.recording_start),
        "recording_end": iso(file.recording_end),
        "file_type": file.file_type,
        "file_extension": file.file_extension,
        "file_size": file.file_size,
        "play_url": f"{base}/rec/play/{file.id}",
        "download_url": f"{base}/rec/download/{file.id}",
        "status": "completed",
        "recording_type": file.recording_type,
    }


def recording_json(
    state: State, meeting: Meeting, instance: Instance, files: list[RecordingFile]
) -> dict[str, Any]:
    """The fields GET /meetings/{id}/recordings and `recording.completed` share."""
    end = instance.end_time or instance.start_time
    mp4 = next((f for f in files if f.file_type == "MP4"), files[0] if files else None)
    return {
        "uuid": instance.uuid,
        "id": instance.meeting_id,
        "account_id": instance.account_id,
        "host_id": instance.host_id,
        "topic": instance.topic,
        "start_time": iso(instance.start_time),
        "duration": round((end - instance.start_time) / 60),
        "total_size": sum(f.file_size for f in files),
        "recording_count": len(files),
        "share_url": f"{state.knobs.base_url}/rec/share/{mp4.id if mp4 else ''}",
        "password": instance.recording_password,
        "recording_play_passcode": instance.recording_play_passcode,
        "recording_files": [recording_file_json(state, f) for f in files],
    }


def issue_download_token(state: State, instance: Instance, ttl: float) -> str:
    token = "dl-" + secrets.token_urlsafe(32)
    state.download_tokens[token] = DownloadToken(
        token=token,
        account_id=instance.account_id,
        instance_uuid=instance.uuid,
        expires_at=state.now() + ttl,
    )
    return token


# --- zoom.us routes -----------------------------------------------------------------------------


def _sign(file_id: str, expires: int) -> str:
    return hmac.new(_SIGNING_KEY, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def _signed_file_path(state: State, file: RecordingFile) -> str:
    """The short-lived `/rec/file/...` address that serves the bytes (checked in serve_file)."""
    expires = int(state.now()) + SIGNED_URL_TTL
    return f"/rec/file/{quote(file.id)}?exp={expires}&sig={_sign(file.id, expires)}"


def _file_or_404(state: State, file_id: str) -> RecordingFile:
    file = state.recordings.get(file_id)
    if file is None or file.deleted or file.trashed or file.available_at > state.now():
        raise no_recording()
    return file


def _authorize_download(state: State, request: Request, file: RecordingFile) -> None:
    if "access_token" in request.query_params:
        # A token in the URL fails since February 2023, even beside a good header (Zoom: "any
        # API request that is sent with the access token in the URL query parameters will fail").
        raise unauthorized("Invalid access token.")
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    credential = value.strip() if scheme.lower() == "bearer" else ""
    if not credential:
        raise unauthorized("Requires an access token.")
    download = state.download_tokens.get(credential)
    if download is not None:
        if download.expires_at <= state.now():
            raise unauthorized("Access token is expired.")
        if download.instance_uuid != file.instance_uuid:
            raise unauthorized("Invalid access token.")
        return
    token = live_token(state, credential)
    instance = state.instances[file.instance_uuid]
    if token.account_id != instance.account_id:
        # Another account's recording: Zoom does not say it exists.
        raise no_recording()
    require_scopes(token, DOWNLOAD_SCOPES)


async def download(request: Request) -> Response:
    sim = sim_of(request)
    file = _file_or_404(sim.state, str(request.path_params["file_id"]))
    _authorize_download(sim.state, request, file)
    target = sim.state.knobs.base_url + _signed_file_path(sim.state, file)
    return RedirectResponse(target, status_code=302)


class _Unsatisfiable(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range `Range: bytes=…` asks for as [start, stop), None for the whole file.
    Unparseable or multi-range headers are ignored (RFC 9110 allows serving the whole file);
    an unsatisfiable range raises `_Unsatisfiable` (416)."""
    unit, _, spec = header.partition("=")
    first, dash, last = spec.strip().partition("-")
    start, end = whole_number(first), whole_number(last)
    well_formed = (
        unit.strip().lower() == "bytes"
        and dash == "-"
        and (start is not None or not first)
        and (end is not None or not last)
        and (first or last)
    )
    if not well_formed:
        return None
    if start is None:  # a suffix: the last N bytes
        assert end is not None
        if end == 0 or size == 0:
            raise _Unsatisfiable(size)
        return max(size - end, 0), size
    if end is not None and end < start:
        return None  # an invalid range-spec is ignored, not refused (RFC 9110 §14.1.1)
    stop = min(end + 1, size) if end is not None else size
    if start >= size:
        raise _Unsatisfiable(size)
    return start, stop


def _file_body(file: RecordingFile, start: int, stop: int) -> Iterator[bytes]:
    if file.content == "generated":
        return generated_bytes(file.id, start, stop)
    data = fixture_mp4() if file.content == "fixture" else file.text.encode("utf-8")
    return iter([data[start:stop]])


async def serve_file(request: Request) -> Response:
    sim = sim_of(request)
    state = sim.state
    file_id = str(request.path_params["file_id"])
    expires_raw = request.query_params.get("exp", "")
    signature = request.query_params.get("sig", "")
    expires = whole_number(expires_raw) or 0
    # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    signed = hmac.compare_digest(signature.encode(), _sign(file_id, expires).encode())
    if not signed or expires <= state.now():
        return JSONResponse({"code": 403, "message": "The link has expired or is invalid."}, 403)
    file = _file_or_404(state, file_id)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Type": CONTENT_TYPES.get(file.file_extension, "application/octet-stream"),
        "Content-Disposition": f'attachment; filename="{file.id}.{file.file_extension.lower()}"',
    }
    try:
        wanted = _byte_range(request.headers.get("range", ""), file.file_size)
    except _Unsatisfiable as exc:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{exc.size}"})
    start, stop = wanted or (0, file.file_size)
    headers["Content-Length"] = str(stop - start)
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{file.file_size}"
    return StreamingResponse(_file_body(file, start, stop), status_code=status, headers=headers)


async def play(request: Request) -> Response:
    """`play_url`/`share_url`: a page with the recording, behind the recording's passcode
    (`?pwd=` as Zoom documents for splicing `recording_play_passcode` into the URL)."""
    sim = sim_of(request)
    state = sim.state
    file = _file_or_404(state, str(request.path_params["file_id"]))
    instance = state.instances[file.instance_uuid]
    given = request.query_params.get("pwd", "")
    if given not in (instance.recording_play_passcode, instance.recording_password):
        form = (
            '<form method="get"><label>Passcode <input name="pwd" autofocus></label> '
            "<button>Watch</button></form>"
        )
        return HTMLResponse(_page(instance.topic, form), status_code=401 if given else 200)
    source = _signed_file_path(state, file)
    if file.file_type == "MP4":
        body = f'<video controls width="640" src="{html.escape(source)}"></video>'
    else:
        body = f"<pre>{html.escape(file.text)}</pre>"
    return HTMLResponse(_page(instance.topic, body))


def _page(topic: str, body: str) -> str:
    return (
        "<!doctype html><meta charset=utf-8><title>Recording</title>"
        "<style>body{font:15px system-ui,sans-serif;margin:2rem}</style>"
        f"<h1>{html.escape(topic)}</h1>{body}"
    )


routes: list[BaseRoute] = [
    Route("/rec/download/{file_id}", download, methods=["GET"]),
    Route("/rec/file/{file_id}", serve_file, methods=["GET"]),
    Route("/rec/play/{file_id}", play, methods=["GET"]),
    Route("/rec/share/{file_id}", play, methods=["GET"]),
]
