"""Fixtures of the Zoom integration tests: a live zoomsim, Django pointed at it, and helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytest_django.fixtures import Settings

from organizations.models import Organization, User
from tests.support.zoomsim_fixtures import zoomsim_server  # noqa: F401
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.oauth_flow import CAMPUS_CALLBACK, authorization_code
from zoom_integration.models import ZoomAccount
from zoom_integration.services.connection import zoom_connect_with_authorization_code

if TYPE_CHECKING:
    # Not imported at run time: this conftest loads before tests/conftest.py registers
    # tests.django_conftest as a plugin, and importing it first would skip its assert rewriting.
    from tests.django_conftest import People

CAMPUS_CLIENT_ID = "campus-client-id"
TEST_SERVER = "http://testserver"
CALLBACK_PATH = "/admin-tools/integrations/zoom/callback"
WEBHOOK_SECRET = "campus-webhook-secret"


def point_campus_at(zoomsim: LiveZoomsim, settings: Settings, campus_base_url: str) -> None:
    """Campus's Zoom settings aimed at the live zoomsim, and zoomsim's Campus app told about
    this Campus's callback URL (as an app's redirect URLs are set in Zoom's Marketplace)."""
    settings.ZOOM_OAUTH_BASE_URL = zoomsim.base_url
    settings.ZOOM_API_BASE_URL = zoomsim.base_url + "/v2"
    settings.ZOOM_CLIENT_ID = CAMPUS_CLIENT_ID
    settings.ZOOM_CLIENT_SECRET = "campus-client-secret"
    settings.ZOOM_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.CAMPUS_BASE_URL = campus_base_url
    app = zoomsim.state.apps[CAMPUS_CLIENT_ID]
    app.redirect_urls.append(campus_base_url + CALLBACK_PATH)


@pytest.fixture
def zoomsim(zoomsim_server: LiveZoomsim, settings: Settings) -> LiveZoomsim:  # noqa: F811
    """A running zoomsim reset to the test seed, with Campus's settings pointed at it."""
    zoomsim_server.reset()
    point_campus_at(zoomsim_server, settings, TEST_SERVER)
    return zoomsim_server


@pytest.fixture
def connect_acme_account(zoomsim: LiveZoomsim) -> Callable[..., ZoomAccount]:
    """Connect an organization through the real code exchange (zoomsim's pages give the code)."""

    def connect(
        organization: Organization, actor: User, email: str = "admin@acme.test"
    ) -> ZoomAccount:
        code = authorization_code(zoomsim, email)
        return zoom_connect_with_authorization_code(
            organization=organization,
            actor=actor,
            code=code,
            redirect_uri=CAMPUS_CALLBACK,
            code_verifier="",
        )

    return connect


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _eager_bell(eager_bell: None) -> None:
    """Every test here runs its enqueued work at once (see `eager_bell`)."""


@pytest.fixture
def two_orgs_on_one_account(
    zoomsim: LiveZoomsim,
    acme: Organization,
    globex: Organization,
    acme_people: People,
    globex_admin: User,
    connect_acme_account: Callable[..., ZoomAccount],
) -> ZoomAccount:
    """Acme and Globex both connected to Zoom account acct-acme (one university, two Campus
    organizations); Globex's admin authorized as the Zoom account's owner."""
    connect_acme_account(acme, acme_people.org_admin)
    return connect_acme_account(globex, globex_admin, "owner@acme.test")
