"""Meeting providers: who runs the meetings of a live event.

The external-link provider is built in. The Zoom provider lives in zoom_integration and registers
itself when that app loads, so live_events never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from live_events.models import LiveEventProvider

if TYPE_CHECKING:
    from organizations.models import Organization


class MeetingProvider(Protocol):
    key: str
    label: str

    def is_available(self, *, organization: Organization) -> bool:
        """Whether course builders of `organization` may create events with this provider now."""
        ...

    def unavailable_reason(self, *, organization: Organization) -> str:
        """Why not, in a sentence a Course Builder can act on; "" while it is available."""
        ...


class ExternalLinkProvider:
    key = LiveEventProvider.EXTERNAL_LINK.value
    label = "External link"

    def is_available(self, *, organization: Organization) -> bool:
        return True

    def unavailable_reason(self, *, organization: Organization) -> str:
        return ""


_providers: dict[str, MeetingProvider] = {}


def meeting_provider_register(provider: MeetingProvider) -> None:
    _providers[provider.key] = provider


def meeting_provider_get(key: str) -> MeetingProvider | None:
    return _providers.get(key)


def meeting_providers_available(*, organization: Organization) -> list[MeetingProvider]:
    return [p for p in _providers.values() if p.is_available(organization=organization)]


meeting_provider_register(ExternalLinkProvider())
