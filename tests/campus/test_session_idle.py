"""Sessions end after CAMPUS_SESSION_IDLE_SECONDS without a request, and each request (renewed at
most once a minute) pushes the end out again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campus.session_idle import RENEWED_AT_KEY
from tests.django_conftest import PASSWORD, People

pytestmark = pytest.mark.django_db


def signed_in_through_the_form(email: str) -> tuple[Client, str]:
    client = Client()
    response = client.post(reverse("sign_in"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def expiry_of(session_key: str) -> timedelta:
    return Session.objects.get(pk=session_key).expire_date - timezone.now()


def test_the_idle_limit_is_a_few_hours_not_two_weeks() -> None:
    assert timedelta(hours=1) <= timedelta(seconds=settings.CAMPUS_SESSION_IDLE_SECONDS)
    assert timedelta(seconds=settings.CAMPUS_SESSION_IDLE_SECONDS) <= timedelta(hours=12)
    assert settings.SESSION_COOKIE_AGE == settings.CAMPUS_SESSION_IDLE_SECONDS


def test_the_idle_limit_is_a_setting_read_from_the_environment() -> None:
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "campus.settings",
            "CAMPUS_SESSION_IDLE_SECONDS": "1800",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "1800"


def test_signing_in_gives_a_session_that_ends_after_the_idle_limit(acme_people: People) -> None:
    client, key = signed_in_through_the_form(acme_people.org_admin.email)

    idle = timedelta(seconds=settings.CAMPUS_SESSION_IDLE_SECONDS)
    assert idle - timedelta(seconds=30) < expiry_of(key) <= idle
    assert int(client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == idle.total_seconds()


def test_after_the_idle_limit_the_person_must_sign_in_again(acme_people: People) -> None:
    client, key = signed_in_through_the_form(acme_people.org_admin.email)
    # The idle limit passes with no request: the stored end is behind us.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("admin_tools:menu"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign_in"))


def test_a_request_pushes_the_end_out_again(acme_people: People) -> None:
    client, key = signed_in_through_the_form(acme_people.org_admin.email)
    # Nearly idle for the whole limit: last renewed long ago, 30 seconds left.
    store = SessionStore(session_key=key)
    store[RENEWED_AT_KEY] = store[RENEWED_AT_KEY] - settings.CAMPUS_SESSION_IDLE_SECONDS + 30
    store.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(seconds=30))

    response = client.get(reverse("courses:list"))

    assert response.status_code == 200
    idle = timedelta(seconds=settings.CAMPUS_SESSION_IDLE_SECONDS)
    assert idle - timedelta(seconds=30) < expiry_of(key) <= idle
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == idle.total_seconds()


def test_requests_within_a_minute_of_the_last_renewal_write_nothing(acme_people: People) -> None:
    client, key = signed_in_through_the_form(acme_people.org_admin.email)
    marker = timezone.now() + timedelta(hours=1, seconds=7)
    Session.objects.filter(pk=key).update(expire_date=marker)

    for _ in range(3):
        assert client.get(reverse("courses:list")).status_code == 200

    assert Session.objects.get(pk=key).expire_date == marker


def test_signing_out_ends_the_session_and_it_is_not_renewed(acme_people: People) -> None:
    client, key = signed_in_through_the_form(acme_people.org_admin.email)

    client.post(reverse("sign_out"))

    assert not Session.objects.filter(pk=key).exists()
    assert Session.objects.count() == 0
