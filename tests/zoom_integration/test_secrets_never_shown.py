"""Tokens and secrets never reach a page, an error page or a log line."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.urls import reverse

from campus.log_format import StructuredFormatter
from organizations.models import Organization
from tests.django_conftest import People, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_flow import connect_through_zoom
from zoom_integration.models import ZoomAccount

pytestmark = pytest.mark.django_db

Connect = Callable[..., ZoomAccount]


def secrets_of(zoomsim: LiveZoomsim) -> list[str]:
    """Every token zoomsim issued in this test, and the S2S app's secret."""
    values = ["acme-s2s-secret", "campus-client-secret"]
    for token in zoomsim.state.tokens.values():
        values.append(token.access_token)
        if token.refresh_token:
            values.append(token.refresh_token)
    return values


def test_no_token_in_pages_error_pages_or_logs(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = signed_in(acme_people.org_admin)
    pages: list[str] = []
    with caplog.at_level(logging.DEBUG):
        connect_through_zoom(client)
        # An error page: re-authenticating with another Zoom account is refused.
        pages.append(connect_through_zoom(client, "admin@globex.test").content.decode())
        # A failed server-to-server attempt shows the form again.
        pages.append(
            client.post(
                reverse("zoom_integration:server_to_server"),
                {
                    "account_id": "acct-acme",
                    "client_id": "acme-s2s-client-id",
                    "client_secret": "acme-s2s-secret-but-wrong",
                },
            ).content.decode()
        )
        for name in ("zoom_integration:configure", "zoom_integration:disable"):
            pages.append(client.get(reverse(name)).content.decode())
        pages.append(client.get(reverse("admin_tools:integrations")).content.decode())
        client.post(reverse("zoom_integration:disable"))
        pages.append(client.get(reverse("zoom_integration:configure")).content.decode())

    secrets = secrets_of(zoomsim)
    assert len(secrets) > 4
    formatter = StructuredFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    ours = [
        record.getMessage() + repr(vars(record))
        for record in caplog.records
        if record.name.startswith(("zoom_integration", "zoomclient", "work", "live_events"))
    ]
    for secret in secrets:
        assert not any(secret in page for page in pages)
        assert not any(secret in line for line in lines)
        assert not any(secret in text for text in ours)
    assert "acme-s2s-secret-but-wrong" not in pages[1]
