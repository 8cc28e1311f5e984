from __future__ import annotations

from django.apps import AppConfig


class LiveEventsConfig(AppConfig):
    name = "live_events"
    label = "live_events"
    verbose_name = "Live events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for what it registers: the invitation work kind.
        from courses.components import (
            ComponentMenuEntry,
            component_loader_register,
            component_menu_register,
            component_template_register,
        )
        from courses.models import ComponentKind
        from live_events import work_handlers  # noqa: F401
        from live_events.lesson_blocks import live_event_blocks

        component_template_register(ComponentKind.LIVE_EVENT, "live_events/component.html")
        component_loader_register(ComponentKind.LIVE_EVENT, live_event_blocks)

        component_menu_register(
            ComponentMenuEntry(
                key="live_video_events",
                section="Third Party Links & Tools",
                label="LIVE VIDEO EVENTS",
                description=(
                    "A Zoom meeting or an externally run meeting, with one or more sessions "
                    "for learners to choose from."
                ),
                url_name="live_events:choose",
                dialog_template="live_events/kind_dialog.html",
            )
        )
