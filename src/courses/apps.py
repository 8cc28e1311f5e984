from __future__ import annotations

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from courses.components import (
            ComponentMenuEntry,
            component_menu_register,
            component_template_register,
        )
        from courses.models import ComponentKind

        component_template_register(ComponentKind.TEXT, "courses/components/text.html")
        component_menu_register(
            ComponentMenuEntry(
                key="text",
                section="Basic",
                label="TEXT",
                description="Paragraphs of text: instructions, reading, context.",
                url_name="courses:text_new",
            )
        )
