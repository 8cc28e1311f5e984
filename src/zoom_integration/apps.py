from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from organizations.integrations import AdminNotice
    from organizations.models import Organization
    from organizations.requests import MemberRequest


def _zoom_notices(organization: Organization) -> list[AdminNotice]:
    """The banner every Admin Tools page shows while Zoom refuses the connection."""
    from django.urls import reverse

    from organizations.integrations import AdminNotice
    from zoom_integration.selectors import zoom_connection_summary

    if not zoom_connection_summary(organization=organization).needs_reauth:
        return []
    return [
        AdminNotice(
            key="zoom-needs-reauth",
            message=(
                "Zoom stopped accepting Campus's connection. Zoom work is paused until an Org "
                "Admin re-authenticates."
            ),
            link_url=reverse("zoom_integration:configure"),
            link_text="Re-authenticate with Zoom",
        )
    ]


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
        from organizations.integrations import (
            IntegrationSection,
            admin_notice_source_register,
            integration_section_register,
        )

        # Imported for what they register: the work kinds, the task and its beat schedule.
        from zoom_integration import (  # noqa: F401
            attendance_work,
            meeting_work,
            recording_work,
            tasks,
            work_handlers,
        )
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
        admin_notice_source_register(key="zoom", source=_zoom_notices)
        meeting_provider_register(ZoomMeetingProvider())
