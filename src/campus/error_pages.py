"""Pages in Campus's look for the errors a person meets by accident, each saying what happened and
where to go: a form sent from a stale page (CSRF, 403), a page that is not there (404), an address
opened that only takes a form (405), and a page refused (403).

Django's own answers are bare: a 405 from `require_POST` (or a class-based view) has no body at
all, so `MethodNotAllowedPageMiddleware` gives those a page; an answer that already has a body
(an API's JSON, say) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW. `reason` is Django's technical one; it is not shown."""
    return render(
        request, "campus/errors/csrf.html", {"retry_url": _form_page(request)}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404."""
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403 (views answer 404 rather than 403, but Django itself may refuse)."""
    return render(request, "403.html", status=403)


class MethodNotAllowedPageMiddleware:
    """A bodiless 405 becomes a page (keeping its Allow header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:  # type: ignore[attr-defined]
            return response
        page = render(
            request,
            "405.html",
            {"form_page_url": _page_to_go_back_to(request)},
            status=405,
        )
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page


def _form_page(request: HttpRequest) -> str | None:
    """Where the refused form was: the page that sent it (the Referer, when it is Campus's own),
    else the address one step up."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return _page_to_go_back_to(request)


def _page_to_go_back_to(request: HttpRequest) -> str | None:
    """The page the form most likely came from: the address one step up (the Zoom page for
    .../zoom/authenticate/), when Campus has a page there."""
    parent = request.path.rstrip("/").rpartition("/")[0] + "/"
    try:
        resolve(parent)
    except Resolver404:
        return None
    return parent
