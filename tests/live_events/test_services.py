"""The two live-event services the Zoom integration calls when it is disabled or uninstalled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from live_events.models import LiveEvent, LiveEventProvider, LiveEventRecording
from live_events.services import (
    live_event_recordings_delete_for_zoom_account,
    live_events_convert_to_external_link,
)
from organizations.models import Organization
from tests.live_events.fixtures import external_event, zoom_event

pytestmark = pytest.mark.django_db


def test_zoom_events_become_external_links_keeping_title_times_and_join_links(
    acme: Organization, globex: Organization
) -> None:
    fixture = zoom_event(acme)
    other = external_event(acme)
    globex_event = zoom_event(globex, zoom_account_id="acct-globex", file_id="g-1").event

    converted = live_events_convert_to_external_link(organization=acme)

    assert converted == 1
    event = LiveEvent.objects.get(pk=fixture.event.pk)
    assert event.provider == LiveEventProvider.EXTERNAL_LINK
    assert event.title == "Office hours"
    assert event.external_url == fixture.sessions[0].zoom_join_url
    sessions = list(event.sessions.order_by("starts_at"))
    assert [s.starts_at for s in sessions] == [s.starts_at for s in fixture.sessions]
    assert [s.join_url for s in sessions] == [s.zoom_join_url for s in fixture.sessions]
    assert [s.external_url for s in sessions] == [s.zoom_join_url for s in fixture.sessions]
    # The recording already imported stays.
    assert LiveEventRecording.objects.filter(pk=fixture.recording.pk).exists()
    # Untouched: the external event, and another organization's Zoom event.
    assert LiveEvent.objects.get(pk=other.pk).external_url == "https://meet.example.org/guest"
    assert LiveEvent.objects.get(pk=globex_event.pk).provider == LiveEventProvider.ZOOM


def test_converting_twice_converts_nothing_the_second_time(acme: Organization) -> None:
    zoom_event(acme)
    live_events_convert_to_external_link(organization=acme)

    assert live_events_convert_to_external_link(organization=acme) == 0


def test_recordings_of_one_zoom_account_are_deleted_with_their_files(
    acme: Organization,
    globex: Organization,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    acme_recording = zoom_event(acme).recording
    globex_recording = zoom_event(globex, zoom_account_id="acct-globex", file_id="g-1").recording
    acme_file = Path(acme_recording.file.path)
    assert acme_file.exists()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        deleted = live_event_recordings_delete_for_zoom_account(zoom_account_id="acct-acme")

    assert deleted == 1
    assert not LiveEventRecording.objects.filter(pk=acme_recording.pk).exists()
    assert not acme_file.exists()
    assert LiveEventRecording.objects.filter(pk=globex_recording.pk).exists()
    assert Path(globex_recording.file.path).exists()
