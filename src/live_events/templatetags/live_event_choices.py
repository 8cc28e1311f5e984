"""`{% live_event_kinds as kinds %}`: the kinds of live event this organization may add now, for the
"Add Live Video Events" pop-up that the lesson page includes in edit mode."""

from __future__ import annotations

from typing import Any

from django import template

from live_events.choices import LiveEventKindChoice, live_event_kind_choices

register = template.Library()


@register.simple_tag(takes_context=True)
def live_event_kinds(context: dict[str, Any]) -> list[LiveEventKindChoice]:
    request = context["request"]
    return live_event_kind_choices(organization=request.organization)
