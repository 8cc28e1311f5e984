"""Sign-in throttling (django-axes): repeated failures lock out the account and the address, with
the sign-in page saying so, a structured log line without the password, and a cool-off."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.django_conftest import PASSWORD, People

pytestmark = pytest.mark.django_db

LOCKED_OUT = "Too many failed sign-ins for this account or from this address."


def sign_in(email: str, password: str, address: str = "10.0.0.1") -> tuple[Client, int, str]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("sign_in"), {"username": email, "password": password})
    return client, response.status_code, response.content.decode()


def fail_until_the_limit(email: str, address: str = "10.0.0.1") -> None:
    """Wrong passwords up to the limit: each is told so, and the last one locks the account."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, status, html = sign_in(email, "wrong-password", address)
        assert status == 200
        assert LOCKED_OUT not in html
    _, status, html = sign_in(email, "wrong-password", address)
    assert status == 429
    assert LOCKED_OUT in html


def test_a_run_of_wrong_passwords_locks_the_account_even_against_the_right_one(
    acme_people: People, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="campus.sign_in"):
        fail_until_the_limit("learner@acme.example")
        client, status, html = sign_in("learner@acme.example", PASSWORD)

    assert status == 429
    assert LOCKED_OUT in html
    assert "paused for 15 minutes" in html
    assert 'value="learner@acme.example"' in html  # the form is there, filled in
    assert "_auth_user_id" not in client.session
    locked = [r for r in caplog.records if r.getMessage() == "sign_in.locked_out"]
    assert len(locked) == 1
    assert (locked[0].username, locked[0].ip_address) == ("learner@acme.example", "10.0.0.1")  # type: ignore[attr-defined]
    failed = [r for r in caplog.records if r.getMessage() == "sign_in.failed"]
    assert len(failed) == settings.AXES_FAILURE_LIMIT + 1  # the refused right password too
    for record in caplog.records:
        assert "wrong-password" not in str(record.__dict__)
        assert PASSWORD not in str(record.__dict__)


def test_the_account_is_locked_from_every_address(acme_people: People) -> None:
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in("learner@acme.example", "wrong-password", f"10.0.1.{number}")

    _, status, html = sign_in("learner@acme.example", PASSWORD, "10.0.2.1")

    assert status == 429
    assert LOCKED_OUT in html


def test_the_address_is_locked_for_every_account_but_others_still_sign_in(
    acme_people: People,
) -> None:
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(f"nobody-{number}@acme.example", "wrong-password", "10.0.0.9")

    _, status, _ = sign_in("learner@acme.example", PASSWORD, "10.0.0.9")
    assert status == 429
    client, status, _ = sign_in("learner@acme.example", PASSWORD, "10.0.0.10")
    assert status == 302
    assert "_auth_user_id" in client.session


def test_the_email_counts_as_one_account_in_any_case(acme_people: People) -> None:
    for number in range(settings.AXES_FAILURE_LIMIT):
        email = "Learner@ACME.example" if number % 2 else "learner@acme.example"
        sign_in(email, "wrong-password", f"10.0.3.{number}")

    _, status, _ = sign_in("LEARNER@acme.example", PASSWORD, "10.0.4.1")

    assert status == 429


def test_after_the_cool_off_the_right_password_signs_in_again(acme_people: People) -> None:
    fail_until_the_limit("learner@acme.example")
    assert sign_in("learner@acme.example", PASSWORD)[1] == 429
    # The cool-off has passed: the failures were recorded longer ago than it lasts.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )

    client, status, _ = sign_in("learner@acme.example", PASSWORD)

    assert status == 302
    assert "_auth_user_id" in client.session


def test_a_success_starts_the_count_again(acme_people: People) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("learner@acme.example", "wrong-password")
    assert sign_in("learner@acme.example", PASSWORD)[1] == 302

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("learner@acme.example", "wrong-password")

    assert sign_in("learner@acme.example", PASSWORD)[1] == 302


def test_the_limits_keep_the_demo_usable() -> None:
    assert 5 <= settings.AXES_FAILURE_LIMIT <= 20
    assert timedelta(minutes=5) <= settings.AXES_COOLOFF_TIME <= timedelta(hours=1)


def test_authenticating_outside_a_request_is_refused_by_axes(acme_people: People) -> None:
    # Why code that authenticates (tests included) passes the request: axes needs its address.
    request = RequestFactory().post(reverse("sign_in"))
    assert authenticate(request, username="learner@acme.example", password=PASSWORD) is not None
    with pytest.raises(ValueError, match="requires a request"):
        authenticate(username="learner@acme.example", password=PASSWORD)
