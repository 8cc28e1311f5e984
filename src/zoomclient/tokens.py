"""How the client gets access tokens: the `TokenSource` protocol, and the server-to-server source.

The client never stores tokens. For an OAuth (authorization code) connection the caller implements
`TokenSource` over its own storage: Zoom rotates refresh tokens, so the refresh must run under the
caller's lock (one worker at a time) and the new pair be stored before it is used (reference §7.1).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Protocol

from zoomclient.oauth import Clock, TokenSet, ZoomOAuth, utc_now

# Renew a little before expiry, so a token does not die between being handed out and being used.
EXPIRY_MARGIN = timedelta(seconds=60)


class TokenSource(Protocol):
    def access_token(self) -> str:
        """A valid access token (refreshed first if it is about to expire)."""
        ...

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        """Zoom answered 401/124 to `rejected_token`. Return a newer token: one another worker has
        already refreshed, or refresh now (under the caller's lock). Raise ZoomInvalidGrant when
        the refresh token is dead."""
        ...


class ServerToServerTokenSource:
    """Tokens of a Server-to-Server OAuth app (`account_credentials`), cached in this process.

    Historically each new S2S token invalidated the previous one (reference §7.2), so processes
    that each fetch their own kick each other out with 124s; share one token per deployment
    (a cache the processes share) when running more than one process against real Zoom.
    """

    def __init__(self, oauth: ZoomOAuth, account_id: str, *, clock: Clock = utc_now) -> None:
        self._oauth = oauth
        self._account_id = account_id
        self._clock = clock
        self._lock = threading.Lock()
        self._current: TokenSet | None = None

    @property
    def api_url(self) -> str | None:
        return self._current.api_url if self._current else None

    def access_token(self) -> str:
        with self._lock:
            current = self._current
            if current is None or current.expires_within(EXPIRY_MARGIN, self._clock()):
                current = self._fetch()
            return current.access_token

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        with self._lock:
            current = self._current
            if current is not None and current.access_token != rejected_token:
                return current.access_token  # another thread already replaced it
            return self._fetch().access_token

    def _fetch(self) -> TokenSet:
        self._current = self._oauth.account_credentials(self._account_id)
        return self._current
