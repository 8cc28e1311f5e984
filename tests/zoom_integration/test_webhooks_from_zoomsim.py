"""Zoom's own webhook deliveries (zoomsim's sender, signed over the bytes it sends) to Campus
running as a live server: the URL-validation handshake, and an uninstall at Zoom disabling both
organizations that share the Zoom account."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from pytest_django.live_server_helper import LiveServer

from live_events.models import LiveEvent, LiveEventProvider, LiveEventRecording
from organizations.models import Organization
from tests.live_events.fixtures import zoom_event
from tests.support.waiting import eventually
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_server_threads import (
    close_zoomsim_webhook_connections,
    let_request_threads_finish,
)
from tests.zoom_integration.zoom_account_scenes import point_zoomsim_webhooks_at
from zoom_integration.models import (
    AuditEntry,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_connections_to_the_live_server(zoomsim: LiveZoomsim) -> Iterator[None]:
    yield
    close_zoomsim_webhook_connections(zoomsim)
    let_request_threads_finish()


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    eventually(condition, timeout=timeout)


def test_zooms_url_validation_of_the_endpoint_succeeds(
    zoomsim: LiveZoomsim, live_server: LiveServer
) -> None:
    point_zoomsim_webhooks_at(zoomsim, live_server)

    result = httpx.post(f"{zoomsim.base_url}/_sim/apps/campus-client-id/validate-endpoint")

    assert result.json()["valid"] is True, result.json()


def test_one_uninstall_at_zoom_disables_both_organizations_sharing_the_account(
    zoomsim: LiveZoomsim,
    live_server: LiveServer,
    two_orgs_on_one_account: ZoomAccount,
    acme: Organization,
    globex: Organization,
) -> None:
    events = [zoom_event(acme, file_id="a-1").event, zoom_event(globex, file_id="g-1").event]
    point_zoomsim_webhooks_at(zoomsim, live_server)
    knobs = httpx.patch(f"{zoomsim.base_url}/_sim/knobs", json={"user_data_retention": "false"})
    assert knobs.status_code == 200, knobs.text

    uninstalled = httpx.post(
        f"{zoomsim.base_url}/_sim/apps/campus-client-id/accounts/acct-acme/uninstall"
    )
    assert uninstalled.status_code == 200, uninstalled.text

    wait_until(
        lambda: (
            not OrganizationZoomLink.objects.filter(status=LinkStatus.ACTIVE).exists()
            and AuditEntry.objects.filter(action="zoom.app_deauthorized").count() == 2
        )
    )

    def deauthorized_delivery_states() -> list[str]:
        deliveries = httpx.get(f"{zoomsim.base_url}/_sim/deliveries").json()["deliveries"]
        return [d["state"] for d in deliveries if d["event"] == "app_deauthorized"]

    # Campus commits before it answers, and zoomsim records "delivered" only once the answer
    # has reached it: wait for that too rather than racing it.
    wait_until(lambda: deauthorized_delivery_states() != ["pending"])
    assert deauthorized_delivery_states() == ["delivered"]
    assert (
        ZoomAccount.objects.get(pk=two_orgs_on_one_account.pk).status == ZoomAccountStatus.REVOKED
    )
    assert all(
        LiveEvent.objects.get(pk=e.pk).provider == LiveEventProvider.EXTERNAL_LINK for e in events
    )
    assert not LiveEventRecording.objects.exists()  # user_data_retention "false"
    for organization in (acme, globex):
        entry = AuditEntry.objects.get(organization=organization, action="zoom.disabled")
        assert entry.actor is None
        assert entry.detail["reason"] == "app_deauthorized"
