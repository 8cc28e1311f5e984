"""POST /zoom/webhooks/: the validation order, storing once, and app_deauthorized."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from live_events.models import LiveEvent, LiveEventProvider, LiveEventRecording
from organizations.models import Organization
from tests.django_conftest import People
from tests.live_events.fixtures import zoom_event
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.conftest import WEBHOOK_SECRET
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem
from zoom_integration.models import (
    AuditEntry,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
    ZoomWebhookEvent,
)
from zoom_integration.services.webhooks import WebhookOutcomeKind, zoom_webhook_receive
from zoomclient.webhooks import signature
from zoomsim.webhooks import compact_json, signed_headers

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., Any]


def post_webhook(
    body: bytes,
    *,
    timestamp: int | None = None,
    secret: str = WEBHOOK_SECRET,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signed = signed_headers(secret, stamp, body, "req-1") if headers is None else headers
    sent = {k: v for k, v in signed.items() if k != "content-type"}
    response: HttpResponse = Client().post(
        reverse("zoom_integration:webhook"),
        data=body,
        content_type="application/json",
        headers=sent,
    )
    return response


def envelope(event: str, account_id: str = "acct-acme", **payload: Any) -> bytes:
    return compact_json(
        {
            "event": event,
            "event_ts": int(time.time() * 1000),
            "payload": {"account_id": account_id, **payload},
        }
    ).encode()


def deauthorized(account_id: str = "acct-acme", **extra: Any) -> bytes:
    return envelope(
        "app_deauthorized",
        account_id,
        user_id="acme-admin",
        signature="0" * 64,
        deauthorization_time="2026-03-01T10:00:00.000Z",
        client_id="campus-client-id",
        **extra,
    )


def test_url_validation_is_answered_with_the_hmac_of_the_plain_token(db: None) -> None:
    body = compact_json(
        {"payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}, "event": "endpoint.url_validation"}
    ).encode()

    response = post_webhook(body)

    assert response.status_code == 200
    expected = hmac.new(
        WEBHOOK_SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256
    ).hexdigest()
    assert json.loads(response.content) == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": expected,
    }


def test_without_a_configured_secret_nothing_is_accepted_and_the_answer_says_why(
    db: None, settings: Any
) -> None:
    settings.ZOOM_WEBHOOK_SECRET = ""
    # Even a body "signed" with the empty secret: no secret, no trust.
    response = post_webhook(deauthorized(), secret="")

    assert response.status_code == 503
    assert json.loads(response.content)["error"] == "not_configured"
    assert not WorkItem.objects.exists()


def test_a_bad_signature_is_refused_with_400_and_logged_with_the_request_id(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)

    with caplog.at_level(logging.INFO):
        response = post_webhook(deauthorized(), secret="not-the-secret")

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "bad_signature"
    assert not ZoomWebhookEvent.objects.exists()
    assert OrganizationZoomLink.objects.get().status == LinkStatus.ACTIVE
    record = next(r for r in caplog.records if r.getMessage() == "zoom.webhook.bad_signature")
    assert record.request_id == "req-1"  # type: ignore[attr-defined]


def test_a_body_changed_after_signing_is_refused(db: None) -> None:
    stamp = str(int(time.time()))
    headers = signed_headers(WEBHOOK_SECRET, stamp, deauthorized(), "req-2")
    # The same JSON re-serialized with spaces: same data, different bytes, so a different HMAC.
    reserialized = json.dumps(json.loads(deauthorized())).encode()

    response = post_webhook(reserialized, headers=headers)

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "bad_signature"


def test_an_old_timestamp_is_refused_even_when_correctly_signed(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    connect_acme_account(acme, acme_people.org_admin)

    response = post_webhook(deauthorized(), timestamp=int(time.time()) - 6 * 60)

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "stale_timestamp"
    assert not ZoomWebhookEvent.objects.exists()
    assert OrganizationZoomLink.objects.get().status == LinkStatus.ACTIVE


def test_missing_signature_headers_are_refused(db: None) -> None:
    response = post_webhook(deauthorized(), headers={})

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "missing_headers"


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"payload": {}}', "\udcff".encode("utf-8", "surrogatepass")],
    ids=["broken", "array", "no-event", "not-utf8"],
)
def test_malformed_json_is_refused_with_400_never_500(db: None, body: bytes) -> None:
    response = post_webhook(body)

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "malformed_json"
    assert not ZoomWebhookEvent.objects.exists()


@pytest.mark.parametrize("timestamp", ["9" * 400, "1" * 5000, "0" * 13], ids=["400", "5000", "13"])
def test_a_signed_timestamp_of_too_many_digits_is_refused_with_400_never_500(
    db: None, timestamp: str
) -> None:
    body = envelope("meeting.ended", object={"id": "1"})
    # Correctly signed over that timestamp: only the number itself is wrong.
    headers = signed_headers(WEBHOOK_SECRET, timestamp, body, "req-long")

    response = post_webhook(body, headers=headers)

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "bad_timestamp"
    assert not ZoomWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b'{"event":"meeting.ended","payload":' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"event":"meeting.ended","payload":' + b'{"a":' * 33 + b"1" + b"}" * 33 + b"}",
        b'{"event":"meeting.ended","payload":{"n":' + b"7" * 5000 + b"}}",
        b'{"event":"meeting.ended","payload":{"n":NaN}}',
    ],
    ids=["1000-deep", "34-deep", "5000-digit-number", "NaN"],
)
def test_signed_json_too_deep_or_out_of_range_is_refused_with_400_never_500(
    db: None, body: bytes
) -> None:
    response = post_webhook(body)

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "malformed_json"
    assert not ZoomWebhookEvent.objects.exists()


def test_brackets_inside_strings_do_not_count_as_nesting(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    topic = '[[[{{{ \\" ' * 200  # a meeting topic can hold any characters
    body = envelope("meeting.ended", object={"id": "81000000101", "topic": topic})

    response = post_webhook(body)

    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "accepted"


def test_an_unknown_account_is_acknowledged_and_ignored(db: None) -> None:
    response = post_webhook(envelope("meeting.ended", "acct-nobody", object={"id": "1"}))

    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "ignored"
    assert not ZoomWebhookEvent.objects.exists()
    assert not WorkItem.objects.exists()


def test_an_event_is_stored_once_and_a_replay_changes_nothing(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    body = envelope("meeting.ended", object={"id": "81000000101", "uuid": "abc=="})

    with django_capture_on_commit_callbacks(execute=True):
        first = post_webhook(body)
    event = ZoomWebhookEvent.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        replay = post_webhook(body)

    assert first.status_code == replay.status_code == 200
    assert json.loads(first.content)["status"] == "accepted"
    assert json.loads(replay.content)["status"] == "duplicate"
    assert ZoomWebhookEvent.objects.count() == 1
    assert WorkItem.objects.filter(kind="zoom.webhook.process").count() == 1
    assert ZoomWebhookEvent.objects.get().processed_at == event.processed_at is not None
    assert event.raw_body == body.decode()
    assert event.body_sha256 == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize(
    ("retention", "recordings_left"),
    [({}, 2), ({"user_data_retention": "true"}, 2), ({"user_data_retention": "false"}, 0)],
    ids=["absent", "true", "false"],
)
def test_app_deauthorized_disables_every_linked_organization_through_the_disable_service(
    two_orgs_on_one_account: ZoomAccount,
    acme: Organization,
    globex: Organization,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    retention: dict[str, str],
    recordings_left: int,
) -> None:
    acme_event = zoom_event(acme, file_id="a-1").event
    globex_event = zoom_event(globex, file_id="g-1").event

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(deauthorized(**retention))

    assert response.status_code == 200
    assert set(OrganizationZoomLink.objects.values_list("status", flat=True)) == {
        LinkStatus.DISABLED
    }
    for event in (acme_event, globex_event):
        assert LiveEvent.objects.get(pk=event.pk).provider == LiveEventProvider.EXTERNAL_LINK
    account = ZoomAccount.objects.get(pk=two_orgs_on_one_account.pk)
    assert account.status == ZoomAccountStatus.REVOKED
    assert account.access_token == ""
    assert LiveEventRecording.objects.count() == recordings_left
    for organization in (acme, globex):
        disabled = AuditEntry.objects.get(organization=organization, action="zoom.disabled")
        assert disabled.actor is None
        assert disabled.detail["reason"] == "app_deauthorized"
        uninstalled = AuditEntry.objects.get(
            organization=organization, action="zoom.app_deauthorized"
        )
        assert uninstalled.detail["user_data_retention"] == retention.get(
            "user_data_retention", "absent"
        )
    assert ZoomWebhookEvent.objects.get().processed_at is not None


def _signed(body: bytes, secret: str = WEBHOOK_SECRET, age: int = 0) -> dict[str, str]:
    stamp = str(int(time.time()) - age)
    return {"raw_body": body, "timestamp": stamp, "signature": signature(body, stamp, secret)}


@pytest.mark.parametrize(
    ("secret_configured", "signed", "kind", "reason", "status"),
    [
        # Each delivery is signed when its test runs, not when the tests are collected: a long
        # run would otherwise make every one of them older than the 5-minute window.
        # No secret: nothing else is looked at, even a body that is not JSON.
        (
            False,
            lambda: _signed(b"{not json", "x"),
            WebhookOutcomeKind.NOT_CONFIGURED,
            "not_configured",
            503,
        ),
        # The signature before the body: a forged body is never parsed.
        (
            True,
            lambda: _signed(b"{not json", "x"),
            WebhookOutcomeKind.REJECTED,
            "bad_signature",
            400,
        ),
        (
            True,
            lambda: _signed(b"{not json", age=301),
            WebhookOutcomeKind.REJECTED,
            "stale_timestamp",
            400,
        ),
        (True, lambda: _signed(b"{not json"), WebhookOutcomeKind.REJECTED, "malformed_json", 400),
        (
            True,
            lambda: _signed(envelope("x", "acct-nobody")),
            WebhookOutcomeKind.IGNORED,
            "unknown_account",
            200,
        ),
    ],
    ids=["not-configured", "bad-signature", "stale", "malformed", "unknown-account"],
)
def test_the_intake_says_what_happened_in_validator_order_and_the_view_chooses_the_status(
    db: None,
    settings: Any,
    secret_configured: bool,
    signed: Callable[[], dict[str, str]],
    kind: WebhookOutcomeKind,
    reason: str,
    status: int,
) -> None:
    settings.ZOOM_WEBHOOK_SECRET = WEBHOOK_SECRET if secret_configured else ""
    delivery = signed()

    outcome = zoom_webhook_receive(**delivery)
    answer = post_webhook(
        delivery["raw_body"],
        headers={
            "x-zm-request-timestamp": delivery["timestamp"],
            "x-zm-signature": delivery["signature"],
        },
    )

    assert (outcome.kind, outcome.reason) == (kind, reason)
    assert answer.status_code == status
    assert not ZoomWebhookEvent.objects.exists()
