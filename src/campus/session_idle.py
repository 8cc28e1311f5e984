"""Sessions end after CAMPUS_SESSION_IDLE_SECONDS without a request (SESSION_COOKIE_AGE), and
each request pushes the end out again: a sliding expiry.

Django's SESSION_SAVE_EVERY_REQUEST would do it with a database write on every page view; here a
session is saved again (new expiry in the row and on the cookie) only when its last renewal is
over a minute old, so a busy person costs one write a minute and the idle limit is kept within a
minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

RENEWED_AT_KEY = "_campus_renewed_at"
RENEW_AFTER_SECONDS = 60


class SlidingSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = request.session
        # Only a signed-in person's session is renewed: a visitor's (or a stale cookie's) would
        # otherwise be stored for nothing, and one that has just signed out stays ended.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            renewed_at = session.get(RENEWED_AT_KEY)
            if (
                session.modified
                or not isinstance(renewed_at, (int, float))
                or now - renewed_at >= RENEW_AFTER_SECONDS
            ):
                # Marks the session modified: SessionMiddleware saves it with a fresh expiry.
                session[RENEWED_AT_KEY] = now
        return response
