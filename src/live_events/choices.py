"""The first step of adding a live event: which kind, and whether it can be had now."""

from __future__ import annotations

from dataclasses import dataclass

from live_events.models import LiveEventProvider
from live_events.providers import meeting_provider_get
from organizations.models import Organization

# The pop-up offers these, in this order, by the names course builders know them by.
_OFFERED = (
    (
        LiveEventProvider.ZOOM,
        "ZOOM MEETING",
        "Campus schedules a Zoom meeting per session; learners register and join with their own "
        "link, and attendance comes back by itself.",
    ),
    (
        LiveEventProvider.EXTERNAL_LINK,
        "EXTERNAL LINK",
        "A meeting run elsewhere: learners see its times and a link to join.",
    ),
)


@dataclass(frozen=True)
class LiveEventKindChoice:
    provider: str
    label: str
    description: str
    unavailable_reason: str
    preselected: bool = False

    @property
    def available(self) -> bool:
        return not self.unavailable_reason


def live_event_kind_choices(*, organization: Organization) -> list[LiveEventKindChoice]:
    choices: list[LiveEventKindChoice] = []
    for provider, label, description in _OFFERED:
        registered = meeting_provider_get(provider.value)
        reason = (
            "This kind of live event is not installed."
            if registered is None
            else registered.unavailable_reason(organization=organization)
        )
        preselected = not reason and not any(choice.available for choice in choices)
        choices.append(LiveEventKindChoice(provider.value, label, description, reason, preselected))
    return choices
