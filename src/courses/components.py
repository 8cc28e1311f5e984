"""What a lesson page can hold: the template of each component kind, and the Components menu.

The courses app registers "text"; an app that adds a kind registers its template and its entry of
the Components menu in its AppConfig.ready(), so courses never imports it. A template receives
`component` and the request's context. A kind without a registered template shows a short notice.

The menu is what a Course Builder sees after (+) Add in edit mode: sections (Basic, Third Party
Links & Tools, ...) of entries. An entry names the URL that adds it (reversed with the course and
lesson ids; the position to insert at travels as `?position=`), and may name a dialog template that
the lesson page includes in edit mode, so the entry opens a modal pop-up instead of a new page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from courses.models import Lesson, LessonComponent
    from organizations.requests import MemberRequest

# What an app's kind needs to render its components, fetched once for all of them on the page:
# (request, lesson, components of that kind) -> {component id: whatever its template reads as
# `extra`}. One call per kind keeps the page's query count flat however many blocks it holds.
ComponentLoader = Callable[
    ["MemberRequest", "Lesson", Sequence["LessonComponent"]], Mapping[int, Any]
]

UNAVAILABLE_TEMPLATE = "courses/components/unavailable.html"

# Sections in the order the menu shows them; an entry of another section goes after these.
MENU_SECTIONS = ("Basic", "Third Party Links & Tools")

_templates: dict[str, str] = {}
_loaders: dict[str, ComponentLoader] = {}


@dataclass(frozen=True)
class ComponentMenuEntry:
    key: str
    section: str
    label: str
    description: str
    url_name: str
    dialog_template: str = ""

    @property
    def dialog_id(self) -> str:
        return f"dialog-{self.key}" if self.dialog_template else ""


_menu: dict[str, ComponentMenuEntry] = {}


def component_template_register(kind: str, template_name: str) -> None:
    _templates[kind] = template_name


def component_template(kind: str) -> str:
    # A kind whose app is not installed must not break the lesson page.
    return _templates.get(kind, UNAVAILABLE_TEMPLATE)


def component_loader_register(kind: str, loader: ComponentLoader) -> None:
    _loaders[kind] = loader


def component_extras(
    request: MemberRequest, lesson: Lesson, components: Sequence[LessonComponent]
) -> dict[int, Any]:
    """Each component's `extra`, by component id, from the loader of its kind (if any)."""
    by_kind: dict[str, list[LessonComponent]] = {}
    for component in components:
        by_kind.setdefault(component.kind, []).append(component)
    extras: dict[int, Any] = {}
    for kind, of_kind in by_kind.items():
        loader = _loaders.get(kind)
        if loader is not None:
            extras.update(loader(request, lesson, of_kind))
    return extras


def component_position_asked(query: Mapping[str, str]) -> int | None:
    """The `?position=` that (+) Add carries; anything but a positive number means the end."""
    raw = query.get("position", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def component_menu_register(entry: ComponentMenuEntry) -> None:
    _menu[entry.key] = entry


def component_menu() -> list[tuple[str, list[ComponentMenuEntry]]]:
    """The Components menu as (section, entries) pairs: known sections first, none empty."""
    order = {name: index for index, name in enumerate(MENU_SECTIONS)}
    sections: dict[str, list[ComponentMenuEntry]] = {}
    for entry in _menu.values():
        sections.setdefault(entry.section, []).append(entry)
    return sorted(sections.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
