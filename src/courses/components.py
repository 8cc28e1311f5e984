"""Which template renders a lesson component of each kind.

The courses app registers "text"; an app that adds a kind registers its template in its
AppConfig.ready(). The template receives `component` and the request's context. A kind without a
registered template (so far "live_event") shows a short notice instead.
"""

from __future__ import annotations

UNAVAILABLE_TEMPLATE = "courses/components/unavailable.html"

_templates: dict[str, str] = {}


def component_template_register(kind: str, template_name: str) -> None:
    _templates[kind] = template_name


def component_template(kind: str) -> str:
    # A kind whose app is not installed must not break the lesson page.
    return _templates.get(kind, UNAVAILABLE_TEMPLATE)
