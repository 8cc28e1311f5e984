"""Streaming a recording file to the caller's storage, resumable with a Range request.

Zoom's `download_url` takes `Authorization: Bearer <OAuth token or download_access_token>` and
redirects to the file's storage, so redirects are followed (httpx drops the Authorization header
when the redirect leaves the origin). The body is written chunk by chunk, never held whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import httpx

from zoomclient.errors import download_interrupted
from zoomclient.transport import ZoomTransport

# Where the bytes go: a binary file object, or a callable taking each chunk.
ByteSink = BinaryIO | Callable[[bytes], object]

CHUNK_SIZE = 1024 * 1024

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class DownloadResult:
    offset: int  # where this download started in the file
    bytes_written: int  # written by this download, from `offset` on
    total_size: int | None  # of the whole file, when the server said
    content_type: str

    @property
    def complete(self) -> bool:
        return self.total_size is not None and self.offset + self.bytes_written >= self.total_size


def download(
    transport: ZoomTransport,
    download_url: str,
    sink: ByteSink,
    *,
    access_token: str | None = None,
    offset: int = 0,
    stop: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> DownloadResult:
    """Bytes [offset, stop) of the file (to its end without `stop`) into `sink`."""
    if offset < 0:
        raise ValueError("offset must be >= 0")
    if stop is not None and stop <= offset:
        raise ValueError("stop must be after offset")
    write = sink if callable(sink) else sink.write
    last = "" if stop is None else str(stop - 1)
    range_header = {"Range": f"bytes={offset}-{last}"} if offset or stop is not None else {}
    wanted = None if stop is None else stop - offset

    def build(token: str) -> httpx.Request:
        headers = {"Authorization": f"Bearer {token}", **range_header}
        return transport.http.build_request("GET", download_url, headers=headers)

    response = transport.send(
        build,
        log_as="{download_url}",
        stream=True,
        follow_redirects=True,  # download_url answers with a redirect to the file's storage
        token=access_token,
    )
    try:
        # A server that ignores Range answers 200 with the whole file: skip what we have.
        to_skip = offset if offset and response.status_code != 206 else 0
        written = 0
        try:
            for chunk in response.iter_bytes(chunk_size):
                if to_skip:
                    skipped = min(to_skip, len(chunk))
                    chunk = chunk[skipped:]
                    to_skip -= skipped
                if wanted is not None:
                    # A server that ignored the range's end sends more: keep only what was asked.
                    chunk = chunk[: wanted - written]
                if chunk:
                    write(chunk)
                    written += len(chunk)
                if wanted is not None and written >= wanted:
                    break
        except httpx.TransportError as exc:
            raise download_interrupted(exc, offset=offset, bytes_written=written) from exc
        return DownloadResult(
            offset=offset,
            bytes_written=written,
            total_size=_total_size(response, offset),
            content_type=response.headers.get("Content-Type", ""),
        )
    finally:
        response.close()


def _total_size(response: httpx.Response, offset: int) -> int | None:
    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    if match and match.group(3) != "*":
        return int(match.group(3))
    length = response.headers.get("Content-Length", "")
    if not length.isdigit():
        return None
    return int(length) + (offset if response.status_code == 206 else 0)
