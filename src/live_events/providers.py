"""Meeting providers: who runs the meetings of a live event.

The external-link provider is built in. The Zoom provider lives in zoom_integration and registers
itself when that app loads, so live_events never imports it. A provider that schedules meetings
(Zoom) also implements `SchedulingProvider`: the live-event services ask it to check hosts and to
bring each session's meeting and each registration in line with Campus's rows, in the background.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from live_events.models import LiveEventProvider

if TYPE_CHECKING:
    from live_events.models import LiveEventRegistration, LiveEventSession
    from organizations.models import Organization


@dataclass(frozen=True)
class HostRequirements:
    """What the event asks of its host, so the provider can say whether the host may."""

    cloud_recording: bool = False
    longest_session_minutes: int = 0


@dataclass(frozen=True)
class HostCheck:
    """The provider's verdict on a host email: `problem` is a sentence for the builder, empty
    when the person may host (or be an alternative host)."""

    email: str
    problem: str = ""
    name: str = ""
    user_id: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


class MeetingProvider(Protocol):
    key: str
    label: str

    def is_available(self, *, organization: Organization) -> bool:
        """Whether course builders of `organization` may create events with this provider now."""
        ...

    def unavailable_reason(self, *, organization: Organization) -> str:
        """Why not, in a sentence a Course Builder can act on; "" while it is available."""
        ...


@runtime_checkable
class SchedulingProvider(Protocol):
    """A provider that schedules a meeting per session and registers learners (Zoom)."""

    key: str
    label: str

    def is_available(self, *, organization: Organization) -> bool: ...

    def unavailable_reason(self, *, organization: Organization) -> str:
        """Why it is not available now, in words ("" when it is)."""
        ...

    def host_check(
        self,
        *,
        organization: Organization,
        email: str,
        requirements: HostRequirements,
        alternative: bool,
    ) -> HostCheck:
        """Ask the provider whether `email` may host (or, `alternative`, co-host) the event."""
        ...

    def session_sync_request(self, *, session: LiveEventSession) -> None:
        """Bring the session's meeting in line with the row (create, update or delete), in the
        background, after the caller's transaction commits."""
        ...

    def registration_sync_request(self, *, registration: LiveEventRegistration) -> None:
        """Add or cancel the registrant of `registration`, in the background."""
        ...

    def registrations_batch_request(self, *, session: LiveEventSession) -> None:
        """Register every waiting registration of `session` in batches, in the background."""
        ...

    def start_url(self, *, session: LiveEventSession) -> str:
        """A fresh link for the host to start the session's meeting (Zoom's expire after two
        hours, so it is fetched when the host clicks, never stored). Raises ValidationError
        with a sentence when Zoom cannot give one."""
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


def scheduling_provider_get(key: str) -> SchedulingProvider | None:
    provider = _providers.get(key)
    return provider if isinstance(provider, SchedulingProvider) else None


def meeting_providers_available(*, organization: Organization) -> list[MeetingProvider]:
    return [p for p in _providers.values() if p.is_available(organization=organization)]


meeting_provider_register(ExternalLinkProvider())
