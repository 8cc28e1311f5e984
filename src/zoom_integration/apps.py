from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from organizations.requests import MemberRequest


def _zoom_section_context(request: MemberRequest) -> Mapping[str, object]:
    from zoom_integration.selectors import zoom_connection_summary

    return {"zoom_summary": zoom_connection_summary(organization=request.organization)}


class ZoomIntegrationConfig(AppConfig):
    name = "zoom_integration"
    label = "zoom_integration"
    verbose_name = "Zoom integration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from live_events.providers import meeting_provider_register
        from organizations.integrations import IntegrationSection, integration_section_register

        # Imported for what they register: the work kinds, the task and its beat schedule.
        from zoom_integration import tasks, work_handlers  # noqa: F401
        from zoom_integration.provider import ZoomMeetingProvider

        integration_section_register(
            IntegrationSection(
                key="zoom",
                title="Zoom API Integration",
                template_name="zoom_integration/integration_section.html",
                context=_zoom_section_context,
                order=10,
            )
        )
        meeting_provider_register(ZoomMeetingProvider())
