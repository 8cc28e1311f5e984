"""A lesson's edit mode: the gear menu, (+) Add between components, the Components menu, and adding
a component where (+) Add was pressed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from courses.models import Course, LessonComponent
from courses.services import lesson_text_add
from tests.django_conftest import ROLES, People, first_lesson, signed_in


def _lesson_kwargs(course: Course) -> dict[str, int]:
    return {"course_id": course.pk, "lesson_id": first_lesson(course).pk}


def _page(user: object, course: Course, query: str = "") -> str:
    url = reverse("courses:lesson", kwargs=_lesson_kwargs(course)) + query
    response = signed_in(user).get(url)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def test_builders_find_edit_content_behind_the_gear(
    acme_people: People, acme_course: Course
) -> None:
    html = _page(acme_people.course_builder, acme_course)

    gear = html[html.index('class="page-gear"') :]
    assert 'aria-label="Lesson settings"' in gear
    assert "EDIT CONTENT" in gear
    assert "?edit=1" in gear
    assert 'class="add-link"' not in html  # not until edit mode


@pytest.mark.parametrize("role", ["course_assistant", "learner"])
def test_others_have_no_gear_and_no_edit_mode(
    acme_people: People, acme_course: Course, role: str
) -> None:
    html = _page(acme_people.by_role(role), acme_course, "?edit=1")

    assert "EDIT CONTENT" not in html
    assert 'class="add-link"' not in html
    assert 'id="components-menu"' not in html


def test_edit_mode_offers_add_before_each_component_and_at_the_end(
    acme_people: People, acme_course: Course
) -> None:
    lesson_text_add(lesson=first_lesson(acme_course), body="Second.")

    html = _page(acme_people.course_builder, acme_course, "?edit=1")

    positions = re.findall(r'class="add-link" href="[^"]*" data-position="(\d*)"', html)
    assert positions == ["1", "2", ""]  # before the first, before the second, at the end
    assert "DONE EDITING" in html
    assert re.search(r"</span> Add<span", html)  # the link reads "(+) Add"
    menu = html[html.index('id="components-menu"') :]
    assert menu.index("Basic") < menu.index("Third Party Links &amp; Tools")
    assert menu.index("Third Party Links &amp; Tools") < menu.index("LIVE VIDEO EVENTS")
    # LIVE VIDEO EVENTS opens the "Add Live Video Events" pop-up, a real <dialog>.
    assert 'data-dialog="dialog-live_video_events"' in menu
    assert '<dialog class="dialog" id="dialog-live_video_events"' in html
    assert "Add Live Video Events" in html


def test_the_components_menu_is_a_page_too(acme_people: People, acme_course: Course) -> None:
    url = reverse("courses:component_menu", kwargs=_lesson_kwargs(acme_course))

    html = signed_in(acme_people.course_builder).get(url + "?position=1").content.decode()

    assert "Third Party Links &amp; Tools" in html
    assert reverse("live_events:choose", kwargs=_lesson_kwargs(acme_course)) + "?position=1" in html


def test_text_goes_where_add_was_pressed(acme_people: People, acme_course: Course) -> None:
    lesson = first_lesson(acme_course)
    lesson_text_add(lesson=lesson, body="Last.")
    client = signed_in(acme_people.course_builder)
    kwargs = _lesson_kwargs(acme_course)

    form = client.get(reverse("courses:text_new", kwargs=kwargs) + "?position=2").content.decode()
    assert 'name="position" value="2"' in form
    response = client.post(
        reverse("courses:text_add", kwargs=kwargs), {"body": "Between.", "position": "2"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?edit=1")
    assert list(lesson.components.order_by("position").values_list("position", "body")) == [
        (1, "All about averages."),
        (2, "Between."),
        (3, "Last."),
    ]


def test_a_position_past_the_end_appends(acme_people: People, acme_course: Course) -> None:
    lesson = first_lesson(acme_course)

    signed_in(acme_people.course_builder).post(
        reverse("courses:text_add", kwargs=_lesson_kwargs(acme_course)),
        {"body": "End.", "position": "99"},
    )

    assert list(lesson.components.values_list("position", flat=True)) == [1, 2]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("org_admin", "course_builder")])
@pytest.mark.parametrize("url_name", ["courses:component_menu", "courses:text_new"])
def test_the_edit_pages_are_404_to_everyone_but_builders(
    acme_people: People, acme_course: Course, role: str, url_name: str
) -> None:
    url = reverse(url_name, kwargs=_lesson_kwargs(acme_course))

    assert signed_in(acme_people.by_role(role)).get(url).status_code == 404


def test_another_organizations_lesson_is_404(acme_people: People, globex_course: Course) -> None:
    client = signed_in(acme_people.course_builder)
    kwargs = _lesson_kwargs(globex_course)
    before = LessonComponent.objects.count()

    assert client.get(reverse("courses:component_menu", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("courses:text_add", kwargs=kwargs), {"body": "x"}).status_code == 404
    assert LessonComponent.objects.count() == before
