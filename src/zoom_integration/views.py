"""The Zoom pages of Admin Tools (Org Admins only) and Zoom's webhook endpoint. Thin: parse,
check, call one service, render."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations.access import org_admin_required
from organizations.requests import MemberRequest
from zoom_integration.forms import EnableIntegrationForm, ServerToServerForm
from zoom_integration.models import REASON_ORG_ADMIN
from zoom_integration.selectors import (
    zoom_audit_entries_page,
    zoom_connection_summary,
    zoom_live_event_count,
)
from zoom_integration.services.connection import (
    SIGN_IN_AS_ADMIN,
    ZoomConnectRefused,
    zoom_authorization_begin,
    zoom_connect_server_to_server,
    zoom_connect_with_authorization_code,
)
from zoom_integration.services.disable import zoom_integration_disable
from zoom_integration.services.webhooks import (
    WebhookOutcome,
    WebhookOutcomeKind,
    zoom_webhook_receive,
)

log = logging.getLogger("zoom_integration.views")

# The OAuth attempt in progress, in the Org Admin's session: bound to the session (a callback in
# another browser has no state to match) and to the organization.
SESSION_KEY = "zoom_oauth"


def callback_url() -> str:
    """Registered with Zoom as the app's redirect URL: absolute, from CAMPUS_BASE_URL."""
    return settings.CAMPUS_BASE_URL + reverse("zoom_integration:callback")


def _configure_page(
    request: MemberRequest,
    *,
    enable_form: EnableIntegrationForm | None = None,
    s2s_form: ServerToServerForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "summary": zoom_connection_summary(organization=request.organization),
        "enable_form": enable_form or EnableIntegrationForm(),
        "s2s_form": s2s_form or ServerToServerForm(),
        "error": error,
        "audit_page": zoom_audit_entries_page(
            organization=request.organization, page_number=request.GET.get("page")
        ),
    }
    return render(request, "zoom_integration/configure.html", context, status=status)


@org_admin_required
@require_GET
def configure(request: MemberRequest) -> HttpResponse:
    return _configure_page(request)


@org_admin_required
@require_POST
def authenticate(request: MemberRequest) -> HttpResponse:
    """AUTHENTICATE CAMPUS CONNECTOR: off to Zoom's consent page, state and verifier kept here.
    The level is chosen once, when connecting: re-authenticating an active integration does not
    ask for it again."""
    if not zoom_connection_summary(organization=request.organization).is_active:
        form = EnableIntegrationForm(request.POST)
        if not form.is_valid():
            return _configure_page(request, enable_form=form, status=400)
    # No request to Zoom yet: this only builds the URL, the state and the PKCE verifier.
    authorization = zoom_authorization_begin(redirect_uri=callback_url())
    request.session[SESSION_KEY] = {
        "state": authorization.state,
        "code_verifier": authorization.code_verifier,
        "organization_id": request.organization.pk,
    }
    return redirect(authorization.url)


@org_admin_required
@require_GET
def callback(request: MemberRequest) -> HttpResponse:
    pending = _authorization_started_here(request)
    if pending is None:
        log.warning(
            "zoom.connect.state_mismatch", extra={"organization_id": request.organization.pk}
        )
        return _configure_page(
            request,
            error=(
                "This answer from Zoom does not belong to an authentication started here "
                "(it may be old, or from another browser). Nothing was changed. "
                "Start again with AUTHENTICATE CAMPUS CONNECTOR."
            ),
            status=400,
        )
    if request.GET.get("error"):
        log.info(
            "zoom.connect.denied_at_zoom",
            # Bounded: the query string is whatever the browser brought back.
            extra={"organization_id": request.organization.pk, "error": request.GET["error"][:100]},
        )
        return _configure_page(request, error=_denied_message(request.GET), status=400)
    code = request.GET.get("code", "")
    if not code:
        return _configure_page(request, error="Zoom sent no authorization code.", status=400)
    try:
        account = zoom_connect_with_authorization_code(
            organization=request.organization,
            actor=request.user,
            code=code,
            redirect_uri=callback_url(),
            code_verifier=str(pending.get("code_verifier", "")),
        )
    except ZoomConnectRefused as refused:
        return _configure_page(request, error=refused.message, status=400)
    messages.success(request, f"Zoom is connected: {account.account_label}.")
    return redirect("zoom_integration:configure")


def _authorization_started_here(request: MemberRequest) -> dict[str, Any] | None:
    """The OAuth attempt this session started for this organization, if Zoom's answer carries
    its state. Taken from the session either way: a state answers one callback only."""
    pending = request.session.pop(SESSION_KEY, None)
    returned_state = request.GET.get("state", "")
    if (
        not isinstance(pending, dict)
        or pending.get("organization_id") != request.organization.pk
        or not returned_state
        or not hmac.compare_digest(str(pending.get("state", "")), returned_state)
    ):
        return None
    return pending


def _denied_message(query: QueryDict) -> str:
    description = str(query.get("error_description", ""))
    if "admin" in description.lower() or "owner" in description.lower():
        # Zoom refused because the person who signed in is not an owner or admin.
        return SIGN_IN_AS_ADMIN
    return (
        "Zoom did not authorize Campus (the request was declined). Nothing was changed. "
        "To connect, authenticate again and choose Authorize, signed in to Zoom as an owner or "
        "admin of your Zoom account."
    )


@org_admin_required
@require_POST
def server_to_server(request: MemberRequest) -> HttpResponse:
    form = ServerToServerForm(request.POST)
    if not form.is_valid():
        return _configure_page(request, s2s_form=form, status=400)
    try:
        account = zoom_connect_server_to_server(
            organization=request.organization,
            actor=request.user,
            account_id=form.cleaned_data["account_id"],
            client_id=form.cleaned_data["client_id"],
            client_secret=form.cleaned_data["client_secret"],
        )
    except ZoomConnectRefused as refused:
        # Shown inside the credentials form, beside what the person typed.
        form.add_error(None, refused.message)
        return _configure_page(request, s2s_form=form, status=400)
    messages.success(
        request, f"Zoom is connected with server-to-server credentials: {account.account_label}."
    )
    return redirect("zoom_integration:configure")


@org_admin_required
@require_http_methods(["GET", "POST"])
def disable(request: MemberRequest) -> HttpResponse:
    """GET: the confirmation stating exactly what will happen. POST: do it."""
    summary = zoom_connection_summary(organization=request.organization)
    if not summary.is_active:
        raise Http404
    if request.method == "POST":
        zoom_integration_disable(
            organization=request.organization, actor=request.user, reason=REASON_ORG_ADMIN
        )
        messages.success(
            request,
            "The Zoom integration is disabled. Zoom live events are now externally-linked events.",
        )
        return redirect("admin_tools:integrations")
    return render(
        request,
        "zoom_integration/disable_confirm.html",
        {
            "summary": summary,
            "zoom_event_count": zoom_live_event_count(organization=request.organization),
        },
    )


# What Zoom makes of each status: it retries a 5xx later and gives up on a 4xx; anything else is
# acknowledged with 200 (Zoom retries a delivery without a 2xx within 3 seconds).
_WEBHOOK_STATUS = {
    WebhookOutcomeKind.NOT_CONFIGURED: 503,  # Campus's configuration is at fault: retry later
    WebhookOutcomeKind.REJECTED: 400,  # the delivery is at fault, and nothing changed
    WebhookOutcomeKind.UNAVAILABLE: 503,  # nothing was kept: Zoom must deliver it again
}


@csrf_exempt  # Zoom cannot send a CSRF token; the HMAC signature authenticates the request.
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    outcome = zoom_webhook_receive(
        raw_body=request.body,
        timestamp=request.headers.get("x-zm-request-timestamp"),
        signature=request.headers.get("x-zm-signature"),
        request_id=request.headers.get("x-zm-request-id", "")[:100],
    )
    return JsonResponse(_webhook_answer(outcome), status=_WEBHOOK_STATUS.get(outcome.kind, 200))


def _webhook_answer(outcome: WebhookOutcome) -> dict[str, str]:
    if outcome.url_validation is not None:
        return dict(outcome.url_validation)
    if outcome.kind in _WEBHOOK_STATUS:
        return {"error": outcome.reason, "message": outcome.message}
    if outcome.kind is WebhookOutcomeKind.IGNORED:
        return {"status": outcome.kind.value, "reason": outcome.reason}
    return {"status": outcome.kind.value}
