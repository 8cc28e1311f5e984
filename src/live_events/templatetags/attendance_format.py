"""`{{ seconds|duration_words }}`: a time present as people say it ("50 min", "1 h 05 min")."""

from __future__ import annotations

from django import template

register = template.Library()


def duration_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


register.filter("duration_words", duration_words)
