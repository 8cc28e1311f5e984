"""The sections of Admin Tools → ADVANCED SETTINGS → INTEGRATIONS, contributed by installed apps.

An integration app registers its section when it loads, and the INTEGRATIONS page renders every
registered section in order, without knowing any of them:

    class ZoomIntegrationConfig(AppConfig):
        def ready(self) -> None:
            integration_section_register(IntegrationSection(
                key="zoom", title="Zoom API Integration",
                template_name="zoom_integration/integration_section.html",
                context=zoom_section_context,  # (MemberRequest) -> dict, optional
            ))

The section template is rendered with the request, `organization`, `membership`, `section` and
whatever its `context` function returns.

An integration can also raise a notice that every Admin Tools page shows at the top (say, "Zoom
stopped accepting the connection"), by registering a notice source: a function of the
organization returning the notices that apply now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from organizations.models import Organization
from organizations.requests import MemberRequest

SectionContext = Callable[[MemberRequest], Mapping[str, object]]


@dataclass(frozen=True)
class IntegrationSection:
    key: str
    title: str
    template_name: str
    context: SectionContext | None = None
    order: int = 100


_sections: dict[str, IntegrationSection] = {}


def integration_section_register(section: IntegrationSection) -> None:
    """Adds the section, or replaces the one with the same key (app loading may run twice)."""
    _sections[section.key] = section


def integration_section_unregister(*, key: str) -> None:
    _sections.pop(key, None)


def integration_sections() -> list[IntegrationSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.title))


@dataclass(frozen=True)
class AdminNotice:
    key: str  # also the element id: `notice-<key>`
    message: str
    link_url: str = ""
    link_text: str = ""
    level: str = "warning"  # warning | error | info: the banner's colour


NoticeSource = Callable[[Organization], list[AdminNotice]]

_notice_sources: dict[str, NoticeSource] = {}


def admin_notice_source_register(*, key: str, source: NoticeSource) -> None:
    _notice_sources[key] = source


def admin_notices(*, organization: Organization) -> list[AdminNotice]:
    """Every notice that applies to `organization` now, from every registered source."""
    return [notice for source in _notice_sources.values() for notice in source(organization)]
