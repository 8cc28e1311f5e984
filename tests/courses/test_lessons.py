"""Course and lesson pages, and building a lesson."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses import components
from courses.components import component_template_register
from courses.models import ComponentKind, Course, LessonComponent
from courses.services import lesson_component_create, lesson_create, lesson_text_add
from tests.django_conftest import People, first_lesson, signed_in


def lesson_url(course: Course) -> str:
    lesson = first_lesson(course)
    return reverse("courses:lesson", kwargs={"course_id": course.pk, "lesson_id": lesson.pk})


def test_course_page_lists_lessons_in_order(acme_people: People, acme_course: Course) -> None:
    html = (
        signed_in(acme_people.learner)
        .get(reverse("courses:detail", kwargs={"course_id": acme_course.pk}))
        .content.decode()
    )

    assert html.index("Averages") < html.index("Spread")
    assert "Add a lesson" not in html  # learners do not build


def test_lesson_page_renders_components_in_position_order(
    acme_people: People, acme_course: Course
) -> None:
    lesson = first_lesson(acme_course)
    lesson_text_add(lesson=lesson, body="Second block.")
    lesson_text_add(lesson=lesson, body="Third <b>block</b>.")

    html = signed_in(acme_people.learner).get(lesson_url(acme_course)).content.decode()

    first, second, third = (
        html.index("All about averages."),
        html.index("Second block."),
        html.index("Third &lt;b&gt;block&lt;/b&gt;."),  # text is escaped, never raw HTML
    )
    assert first < second < third


def test_component_of_a_kind_without_a_template_shows_a_notice(
    acme_people: People, acme_course: Course
) -> None:
    lesson_component_create(lesson=first_lesson(acme_course), kind="poll")

    response = signed_in(acme_people.learner).get(lesson_url(acme_course))

    assert response.status_code == 200
    assert b"This part of the lesson is not available right now." in response.content


def test_an_app_registers_the_template_of_its_kind(
    acme_people: People, acme_course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(components, "_templates", dict(components._templates))
    component_template_register("test_kind", "courses/components/text.html")
    lesson_component_create(lesson=first_lesson(acme_course), kind="test_kind", body="Mine.")

    response = signed_in(acme_people.learner).get(lesson_url(acme_course))

    assert b"<p>Mine.</p>" in response.content


def test_builder_adds_a_lesson_at_the_end_and_lands_on_it(
    acme_people: People, acme_course: Course
) -> None:
    response = signed_in(acme_people.course_builder).post(
        reverse("courses:lesson_add", kwargs={"course_id": acme_course.pk}),
        {"title": "Correlation"},
        follow=True,
    )

    new = acme_course.lessons.get(title="Correlation")
    assert new.position == 3
    assert response.redirect_chain[-1][0] == reverse(
        "courses:lesson", kwargs={"course_id": acme_course.pk, "lesson_id": new.pk}
    )
    assert "Lesson “Correlation” added." in response.content.decode()


def test_builder_adds_text_and_renames_the_lesson(acme_people: People, acme_course: Course) -> None:
    client = signed_in(acme_people.course_builder)
    lesson = first_lesson(acme_course)
    kwargs = {"course_id": acme_course.pk, "lesson_id": lesson.pk}

    client.post(reverse("courses:text_add", kwargs=kwargs), {"body": "More on means."})
    client.post(reverse("courses:lesson_title", kwargs=kwargs), {"title": "Means"})

    lesson.refresh_from_db()
    assert lesson.title == "Means"
    assert list(lesson.components.values_list("position", "kind", "body")) == [
        (1, ComponentKind.TEXT, "All about averages."),
        (2, ComponentKind.TEXT, "More on means."),
    ]


def test_empty_forms_answer_400_with_the_error_and_change_nothing(
    acme_people: People, acme_course: Course
) -> None:
    client = signed_in(acme_people.course_builder)
    lesson = first_lesson(acme_course)
    kwargs = {"course_id": acme_course.pk, "lesson_id": lesson.pk}
    components_before = LessonComponent.objects.count()

    responses = [
        client.post(reverse("courses:lesson_add", kwargs={"course_id": acme_course.pk}), {}),
        client.post(reverse("courses:text_add", kwargs=kwargs), {"body": ""}),
        client.post(reverse("courses:lesson_title", kwargs=kwargs), {"title": ""}),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400]
    assert all(b"This field is required." in r.content for r in responses)
    assert acme_course.lessons.count() == 2
    assert LessonComponent.objects.count() == components_before
    lesson.refresh_from_db()
    assert lesson.title == "Averages"


def test_post_only_actions_refuse_get_for_builders(
    acme_people: People, acme_course: Course
) -> None:
    response = signed_in(acme_people.course_builder).get(
        reverse("courses:lesson_add", kwargs={"course_id": acme_course.pk})
    )

    assert response.status_code == 405


def test_positions_continue_after_the_last_one(acme_course: Course) -> None:
    lesson = lesson_create(course=acme_course, title="Third")

    assert lesson.position == 3
    texts = [lesson_text_add(lesson=lesson, body=str(n)) for n in range(3)]
    assert [text.position for text in texts] == [1, 2, 3]
