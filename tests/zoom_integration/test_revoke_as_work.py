"""DISABLE while Zoom cannot be reached: the revoke at Zoom is a work row that waits and tries
again, with a growing delay, for as long as Zoom stays away (not a few attempts and then never),
and revokes the grant once Zoom answers. Against the live zoomsim: its faults drop the
connections, or Campus points at a port where nothing listens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from organizations.models import Organization
from tests.django_conftest import People
from tests.support.waiting import free_port
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import fault_remove
from tests.zoom_integration.zoom_account_scenes import (
    CaptureOnCommit,
    Connect,
    connect_acme_server_to_server,
    run_when_due,
    status_at_zoom,
    zoom_drops,
)
from work.models import WorkItem, WorkState
from zoom_integration.models import REASON_ORG_ADMIN, AuditEntry, ZoomGrantRevocation
from zoom_integration.services.disable import zoom_integration_disable
from zoom_integration.services.revocation import REVOKE_WORK_KIND

pytestmark = pytest.mark.django_db

# More tries than a work row's default 8 attempts: an outage must not use the revoke up.
TRIES_WHILE_ZOOM_IS_DOWN = 12


def zoom_drops_revoke_calls(zoomsim: LiveZoomsim) -> str:
    """Every call to /oauth/revoke breaks off mid-answer until the rule is removed."""
    return zoom_drops(zoomsim, "^/oauth/revoke$")


def revoke_row() -> WorkItem:
    return WorkItem.objects.get(kind=REVOKE_WORK_KIND)


def disable(organization: Organization, people: People, capture: CaptureOnCommit) -> None:
    with capture(execute=True):  # the bell rings after commit: the first try runs at once
        assert zoom_integration_disable(
            organization=organization, actor=people.org_admin, reason=REASON_ORG_ADMIN
        )


def test_a_revoke_zoom_drops_waits_with_growing_delays_and_revokes_when_zoom_answers(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    token = account.access_token
    rule = zoom_drops_revoke_calls(zoomsim)

    disable(acme, acme_people, django_capture_on_commit_callbacks)

    first = revoke_row()
    assert first.state == WorkState.PENDING
    assert "could not be reached" in first.last_error
    first_delay = first.next_attempt_at - timezone.now()
    assert timedelta(seconds=10) < first_delay <= timedelta(seconds=30)  # half to all of 30 s
    assert status_at_zoom(zoomsim, token) == 200  # not revoked yet
    entry = AuditEntry.objects.get(organization=acme, action="zoom.disabled")
    assert entry.detail["grant_revoked_at_zoom"] is True

    row = first
    for _ in range(TRIES_WHILE_ZOOM_IS_DOWN):
        row = run_when_due(row)
        assert row.state == WorkState.PENDING
        assert row.attempts == 0  # waiting for Zoom is not a failed attempt
    last_delay = row.next_attempt_at - timezone.now()
    assert last_delay > timedelta(minutes=25)  # backed off towards the one-hour cap
    assert last_delay <= timedelta(hours=1)
    revocation = ZoomGrantRevocation.objects.get()
    assert revocation.attempts == TRIES_WHILE_ZOOM_IS_DOWN + 1
    assert revocation.finished_at is None
    assert status_at_zoom(zoomsim, token) == 200

    fault_remove(zoomsim, rule)
    done = run_when_due(row)

    assert done.state == WorkState.DONE
    assert status_at_zoom(zoomsim, token) == 401  # revoked at Zoom
    revocation = ZoomGrantRevocation.objects.get()
    assert revocation.finished_at is not None
    assert revocation.outcome == "revoked at Zoom"
    assert revocation.token == ""  # forgotten once Zoom has it


def test_a_revoke_while_nothing_listens_at_zooms_address_waits_until_zoom_is_back(
    zoomsim: LiveZoomsim,
    settings: Settings,
    acme: Organization,
    acme_people: People,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_server_to_server(acme, acme_people.org_admin)
    token = account.access_token
    zooms_address = settings.ZOOM_OAUTH_BASE_URL
    settings.ZOOM_OAUTH_BASE_URL = f"http://127.0.0.1:{free_port()}"  # Zoom is down

    disable(acme, acme_people, django_capture_on_commit_callbacks)
    row = run_when_due(revoke_row())
    assert row.state == WorkState.PENDING
    assert status_at_zoom(zoomsim, token) == 200

    settings.ZOOM_OAUTH_BASE_URL = zooms_address  # Zoom is back
    done = run_when_due(row)

    assert done.state == WorkState.DONE
    assert status_at_zoom(zoomsim, token) == 401  # the server-to-server token, revoked
    assert ZoomGrantRevocation.objects.get().s2s_client_secret == ""


def test_connecting_again_before_the_revoke_ran_keeps_the_new_grant(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    """The revoke names the old token, kept on its own row: the account's row, connected
    again meanwhile with new tokens, is not what it revokes."""
    connect_acme_account(acme, acme_people.org_admin)
    rule = zoom_drops_revoke_calls(zoomsim)
    disable(acme, acme_people, django_capture_on_commit_callbacks)
    again = connect_acme_account(acme, acme_people.org_admin)

    fault_remove(zoomsim, rule)
    assert run_when_due(revoke_row()).state == WorkState.DONE

    assert status_at_zoom(zoomsim, again.access_token) == 200


def test_a_token_zoom_no_longer_knows_ends_the_revoke(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    """Zoom answers 4xx for a token already revoked: nothing is left to do, the row is done."""
    account = connect_acme_account(acme, acme_people.org_admin)
    rule = zoom_drops_revoke_calls(zoomsim)
    disable(acme, acme_people, django_capture_on_commit_callbacks)
    zoomsim.state.tokens[account.access_token].revoke()  # revoked meanwhile at Zoom
    fault_remove(zoomsim, rule)

    assert run_when_due(revoke_row()).state == WorkState.DONE
    assert ZoomGrantRevocation.objects.get().outcome.startswith("Zoom no longer knows the token")
