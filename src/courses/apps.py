from __future__ import annotations

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from courses.components import component_template_register
        from courses.models import ComponentKind

        component_template_register(ComponentKind.TEXT, "courses/components/text.html")
