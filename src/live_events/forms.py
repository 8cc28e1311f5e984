"""The Course Builder's Zoom meeting form: the event, its sessions (a formset) and its options.

The fields only parse what the browser sent; every rule of a live event (times, hosts at Zoom,
overlaps) is the services' (live_events.inputs and services), whose per-field errors come back
here through `show_errors` and appear beside the fields they name. When a field itself refuses
what was sent, the services are not called, but `show_rule_errors` still runs the rules that need
no provider on whatever parsed, so the builder sees every problem in one round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone

from live_events.inputs import (
    DESCRIPTION_MAX,
    DURATION_MAX_MINUTES,
    SESSIONS_MAX,
    TOPIC_MAX,
    EventInput,
    EventOptions,
    FieldErrors,
    SessionInput,
    check_host_emails,
    check_options,
    check_sessions,
    check_text,
)
from organizations.time_zones import time_zone_names

_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ZoomEventForm(forms.Form):
    topic = forms.CharField(
        label="Topic",
        max_length=TOPIC_MAX,
        help_text="What learners see on the lesson page, and the meeting's topic in Zoom.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Shown to learners above the sessions, and as the meeting's agenda.",
    )
    host_email = forms.CharField(
        label="Host",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "host@example.com"}),
        help_text=(
            "The email of any user of your organization's Zoom account. VALIDATE shows their "
            "name when Zoom knows them."
        ),
    )
    alternative_hosts = forms.CharField(
        label="Alternative Hosts",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=(
            "Optional. Emails separated by commas: licensed users of the same Zoom account who "
            "may start the meeting."
        ),
    )
    auto_record_cloud = forms.BooleanField(label="Auto-record the meeting on Cloud", required=False)
    auto_upload_recording = forms.BooleanField(
        label="Automatically upload the cloud recording to the lesson page",
        required=False,
        help_text="The recording appears on this page by itself after the meeting.",
    )
    participant_video = forms.BooleanField(label="Start Participant Video", required=False)
    mute_upon_entry = forms.BooleanField(label="Mute Participants Upon Entry", required=False)
    zoom_notification_emails = forms.BooleanField(
        label="Send Notification Emails from Zoom",
        required=False,
        help_text="Zoom's own emails to registrants, besides Campus's invitation.",
    )
    track_attendance = forms.BooleanField(
        label="Track attendance",
        required=False,
        initial=True,
        disabled=True,
        help_text="Always on for Zoom events: attendance comes back to this page by itself.",
    )
    # Set when the builder has seen the overlap warning and saves anyway.
    confirm_overlaps = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Set when the builder has read what a host change may do to learners' links.
    confirm_new_links = forms.BooleanField(required=False, widget=forms.HiddenInput)
    position = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def alternative_host_emails(self) -> tuple[str, ...]:
        raw = self.cleaned_data.get("alternative_hosts") or ""
        return tuple(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())


class WallClockField(forms.DateTimeField):
    """A date and time as the builder wrote it, with no zone: the services read it in the
    session's own time zone (Django's field would read it in the builder's, and refuse a time
    that the builder's zone skips although the session's has it)."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            # Naive on purpose: a wall-clock time, placed in its zone by the services.
            return datetime.strptime(str(value).strip()[:16], _DATETIME_LOCAL)  # noqa: DTZ007
        except ValueError:
            raise forms.ValidationError(
                "Enter the start as a date and a time.", code="invalid"
            ) from None


class SessionForm(forms.Form):
    starts_at = WallClockField(
        label="Start Time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL),
        help_text="In the session's time zone.",
    )
    time_zone = forms.CharField(
        label="Time Zone",
        max_length=64,
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
        help_text="Type to search, e.g. “New York” or “Berlin”.",
    )
    duration_minutes = forms.IntegerField(
        label="Duration",
        min_value=1,
        max_value=DURATION_MAX_MINUTES,
        initial=60,
        help_text="Minutes (up to 24 hours).",
        # The services' own words (live_events.inputs), whichever of the two refuses it.
        error_messages={
            "min_value": "Give the session a duration of at least 1 minute.",
            "max_value": "A session lasts from 1 minute to 24 hours.",
        },
    )
    session_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_time_zone(self) -> str:
        name = str(self.cleaned_data["time_zone"]).strip().replace(" ", "_")
        if name not in time_zone_names():
            raise forms.ValidationError(
                f"“{self.cleaned_data['time_zone']}” is not a time zone; pick one from the list."
            )
        return name


if TYPE_CHECKING:
    # BaseFormSet is generic only in django-stubs, not at run time.
    Sessions: TypeAlias = BaseFormSet[SessionForm]

SessionFormSet = formset_factory(
    SessionForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=SESSIONS_MAX,
    validate_max=True,
    absolute_max=SESSIONS_MAX + 1,
)


def session_inputs(sessions: Sessions) -> tuple[SessionInput, ...]:
    return tuple(
        SessionInput(
            starts_at=form.cleaned_data["starts_at"],
            time_zone=form.cleaned_data["time_zone"],
            duration_minutes=form.cleaned_data["duration_minutes"],
            session_id=form.cleaned_data.get("session_id"),
        )
        for form in sessions.forms
        if form.cleaned_data
    )


def event_input(form: ZoomEventForm, sessions: Sessions) -> EventInput:
    data = form.cleaned_data
    return EventInput(
        topic=data["topic"],
        description=data.get("description") or "",
        sessions=session_inputs(sessions),
        host_email=data["host_email"],
        alternative_hosts=form.alternative_host_emails(),
        options=EventOptions(
            auto_record_cloud=data["auto_record_cloud"],
            auto_upload_recording=data["auto_upload_recording"],
            participant_video=data["participant_video"],
            mute_upon_entry=data["mute_upon_entry"],
            zoom_notification_emails=data["zoom_notification_emails"],
            track_attendance=True,
        ),
    )


def show_errors(
    errors: Mapping[str, Sequence[str]], form: ZoomEventForm, sessions: Sessions
) -> list[str]:
    """Put the services' errors beside their fields; returns those about the sessions as a whole
    (no session, too many) for the page to show above them."""
    about_sessions: list[str] = []
    for key, messages in errors.items():
        for message in messages:
            _place(key, str(message), form, sessions, about_sessions)
    return about_sessions


def _place(
    key: str,
    message: str,
    form: ZoomEventForm,
    sessions: Sessions,
    about_sessions: list[str],
) -> None:
    if key == "sessions":
        about_sessions.append(message)
        return
    if key.startswith("sessions."):
        _prefix, index, field = key.split(".", 2)
        known = field in SessionForm.base_fields
        if index.isdigit() and int(index) < len(sessions.forms) and known:
            sessions.forms[int(index)].add_error(field, message)
            return
        about_sessions.append(message)
        return
    form.add_error(key if key in ZoomEventForm.base_fields else None, message)


# Stand-ins for fields the form refused, so the rules can judge the rest; whatever the rules say
# about a stand-in is dropped, as that field already shows its own error.
_UNREADABLE_TOPIC = "(unreadable)"
_UNREADABLE_START = datetime(9000, 1, 1, tzinfo=UTC)  # far in the future: never "in the past"
_UNREADABLE_DURATION = 60


def show_rule_errors(form: ZoomEventForm, sessions: Sessions) -> list[str]:
    """After the form or a session row refused a field: the rules that need no provider, run on
    what parsed, their errors put beside their fields (those already showing an error keep only
    their own). Returns the errors about the sessions as a whole, as `show_errors` does."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    rows = tuple(
        SessionInput(
            starts_at=row.get("starts_at") or _UNREADABLE_START,
            # No zone: no start can be judged either; the zone's own error is the one shown.
            time_zone=row.get("time_zone") or "",
            duration_minutes=row.get("duration_minutes") or _UNREADABLE_DURATION,
        )
        for row in (getattr(one, "cleaned_data", {}) for one in sessions.forms)
    )
    unchecked = EventInput(
        topic=data.get("topic") or _UNREADABLE_TOPIC,
        description=data.get("description") or "",
        sessions=rows,
        host_email=data.get("host_email") or "",
        alternative_hosts=form.alternative_host_emails() if data else (),
        options=EventOptions(
            auto_record_cloud=bool(data.get("auto_record_cloud")),
            auto_upload_recording=bool(data.get("auto_upload_recording")),
        ),
    )
    errors = FieldErrors()
    check_text(unchecked, errors)
    check_options(unchecked.options, errors)
    check_sessions(unchecked.sessions, errors, now=timezone.now())
    check_host_emails(unchecked, errors)
    new = {
        key: messages
        for key, messages in errors.as_dict().items()
        if not _shows_an_error(key, form, sessions)
    }
    return [*sessions.non_form_errors(), *show_errors(new, form, sessions)]


def _shows_an_error(key: str, form: ZoomEventForm, sessions: Sessions) -> bool:
    if key == "sessions":
        return bool(sessions.non_form_errors())
    if key.startswith("sessions."):
        _prefix, index, field = key.split(".", 2)
        if not index.isdigit() or int(index) >= len(sessions.forms):
            return True
        return field in sessions.forms[int(index)].errors
    if key == "__all__":
        return bool(form.non_field_errors())
    return key in form.errors


def session_initial(*, time_zone: str) -> list[dict[str, Any]]:
    return [{"time_zone": time_zone, "duration_minutes": 60}]
