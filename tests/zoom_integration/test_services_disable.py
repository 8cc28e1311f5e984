"""Disabling: the one service behind the DISABLE button and Zoom's app_deauthorized."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from live_events.models import LiveEvent, LiveEventProvider, LiveEventRecording
from organizations.models import Organization
from tests.django_conftest import People
from tests.live_events.fixtures import zoom_event
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_account_scenes import Connect, status_at_zoom
from work.models import WorkItem, WorkState
from work.services import work_enqueue
from zoom_integration.models import (
    REASON_ORG_ADMIN,
    AuditEntry,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)
from zoom_integration.services.disable import zoom_integration_disable

pytestmark = pytest.mark.django_db


def test_disabling_converts_events_cancels_work_revokes_at_zoom_and_audits(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    token = account.access_token
    fixture = zoom_event(acme)
    zoom_work = work_enqueue(
        kind="zoom.meeting.create", subject="session:1", payload={}, organization=acme
    )
    other_work = work_enqueue(kind="courses.reindex", subject="c:1", payload={}, organization=acme)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        done = zoom_integration_disable(
            organization=acme, actor=acme_people.org_admin, reason=REASON_ORG_ADMIN
        )

    assert done is True
    link = OrganizationZoomLink.objects.get(organization=acme)
    assert link.status == LinkStatus.DISABLED
    assert link.disabled_by == acme_people.org_admin
    assert link.disabled_at is not None
    event = LiveEvent.objects.get(pk=fixture.event.pk)
    assert event.provider == LiveEventProvider.EXTERNAL_LINK
    assert event.external_url == fixture.sessions[0].zoom_join_url
    assert LiveEventRecording.objects.filter(pk=fixture.recording.pk).exists()
    assert WorkItem.objects.get(pk=zoom_work.pk).state == WorkState.CANCELLED
    assert WorkItem.objects.get(pk=other_work.pk).state == WorkState.PENDING
    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.REVOKED
    assert stored.access_token == stored.refresh_token == ""
    assert status_at_zoom(zoomsim, token) == 401  # revoked at Zoom
    entry = AuditEntry.objects.get(organization=acme, action="zoom.disabled")
    assert entry.actor == acme_people.org_admin
    assert entry.detail["live_events_converted"] == 1
    assert entry.detail["work_cancelled"] == 1
    assert entry.detail["grant_revoked_at_zoom"] is True


def test_the_grant_stays_at_zoom_while_another_organization_uses_the_account(
    zoomsim: LiveZoomsim,
    two_orgs_on_one_account: ZoomAccount,
    acme: Organization,
    globex: Organization,
    acme_people: People,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        zoom_integration_disable(
            organization=acme, actor=acme_people.org_admin, reason=REASON_ORG_ADMIN
        )

    stored = ZoomAccount.objects.get(pk=two_orgs_on_one_account.pk)
    assert stored.status == ZoomAccountStatus.CONNECTED
    assert status_at_zoom(zoomsim, stored.access_token) == 200
    assert OrganizationZoomLink.objects.get(organization=globex).status == LinkStatus.ACTIVE
    entry = AuditEntry.objects.get(organization=acme, action="zoom.disabled")
    assert entry.detail["grant_revoked_at_zoom"] is False


def test_disabling_twice_does_nothing_the_second_time(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    zoom_integration_disable(organization=acme, actor=acme_people.org_admin, reason="x")

    assert zoom_integration_disable(organization=acme, actor=None, reason="y") is False
    assert AuditEntry.objects.filter(action="zoom.disabled").count() == 1


def test_connecting_again_after_disabling_starts_fresh_and_events_stay_converted(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    fixture = zoom_event(acme)
    zoom_integration_disable(organization=acme, actor=acme_people.org_admin, reason="x")

    account = connect_acme_account(acme, acme_people.org_admin)

    assert account.status == ZoomAccountStatus.CONNECTED
    assert OrganizationZoomLink.objects.get(organization=acme).status == LinkStatus.ACTIVE
    assert LiveEvent.objects.get(pk=fixture.event.pk).provider == LiveEventProvider.EXTERNAL_LINK
