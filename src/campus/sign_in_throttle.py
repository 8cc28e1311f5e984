"""Sign-in throttling with django-axes: repeated failures lock out the account and the address.

A run of wrong passwords for one account (from anywhere), or from one address (for any account),
locks that account or address out of signing in for a cool-off; a correct password does not get
through meanwhile. The limit and cool-off are settings (CAMPUS_SIGN_IN_FAILURE_LIMIT,
CAMPUS_SIGN_IN_COOLOFF_MINUTES); `manage.py axes_reset` lifts every lockout at once.

This module gives axes what is Campus's: the page a locked-out person sees (the sign-in page,
saying what happened and when to try again), the client address behind Campus's own TLS proxy,
and structured log lines (who and from where, never a password).
"""

from __future__ import annotations

import logging
from typing import Any

from axes.helpers import get_client_ip_address, get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organizations.forms import SignInForm

log = logging.getLogger("campus.sign_in")


def client_ip_address(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE. Behind Campus's TLS proxy (DJANGO_BEHIND_TLS_PROXY) every request
    comes from the proxy, so the address is the last one the proxy added to X-Forwarded-For
    (earlier ones are whatever the client sent); otherwise the connection's own."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.headers.get("x-forwarded-for", "")
        last_hop = forwarded.rpartition(",")[2].strip()
        if last_hop:
            return last_hop
    return str(request.META.get("REMOTE_ADDR", ""))


def locked_out_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, with the lockout said plainly (429)."""
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60) if cool_off else None
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = SignInForm(request, initial={"username": username})
    return render(
        request,
        "campus/sign_in.html",
        {
            "form": form,
            "next": request.POST.get("next", request.GET.get("next", "")),
            "locked_out_minutes": minutes,
        },
        status=429,
    )


@receiver(user_login_failed)
def _log_sign_in_failure(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password in `credentials`; only the username is logged.
    log.info(
        "sign_in.failed",
        extra={
            "username": credentials.get("username", ""),
            "ip_address": get_client_ip_address(request) if request is not None else "",
        },
    )


@receiver(user_locked_out)
def _log_lockout(
    sender: object,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    # axes sends this signal both when a failure reaches the limit and for every try refused
    # while locked out; only the first path counts the failures onto the request (else None).
    newly_locked = getattr(request, "axes_failures_since_start", None) is not None
    who = {"username": username or "", "ip_address": ip_address or ""}
    if newly_locked:
        cool_off = settings.AXES_COOLOFF_TIME
        log.warning(
            "sign_in.locked_out",
            extra={
                **who,
                "failure_limit": settings.AXES_FAILURE_LIMIT,
                "cool_off_minutes": cool_off.total_seconds() / 60,
            },
        )
    else:
        log.info("sign_in.refused_while_locked_out", extra=who)
