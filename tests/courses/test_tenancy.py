"""Every course query is scoped: another organization's courses and lessons do not exist for you."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from courses.models import Course, Lesson
from courses.selectors import course_get, course_list, lesson_get
from organizations.models import Organization, User
from tests.django_conftest import People, first_lesson, signed_in


def test_course_list_shows_only_the_own_organizations_courses(
    acme_people: People, acme_course: Course, globex_course: Course
) -> None:
    html = signed_in(acme_people.learner).get(reverse("courses:list")).content.decode()

    assert acme_course.title in html
    assert globex_course.title not in html


def test_course_of_another_organization_answers_404(
    acme_people: People, globex_course: Course
) -> None:
    response = signed_in(acme_people.org_admin).get(
        reverse("courses:detail", kwargs={"course_id": globex_course.pk})
    )

    assert response.status_code == 404
    assert globex_course.title.encode() not in response.content


def test_lesson_of_another_organization_answers_404(
    acme_people: People, globex_course: Course
) -> None:
    lesson = first_lesson(globex_course)

    response = signed_in(acme_people.org_admin).get(
        reverse("courses:lesson", kwargs={"course_id": globex_course.pk, "lesson_id": lesson.pk})
    )

    assert response.status_code == 404


def test_lesson_under_the_wrong_course_answers_404(
    acme_people: People, acme_course: Course, globex_course: Course
) -> None:
    """An own course id cannot be used to reach a foreign lesson."""
    lesson = first_lesson(globex_course)

    response = signed_in(acme_people.org_admin).get(
        reverse("courses:lesson", kwargs={"course_id": acme_course.pk, "lesson_id": lesson.pk})
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("courses:lesson_add", {"title": "Planted"}),
        ("courses:text_add", {"body": "Planted"}),
        ("courses:lesson_title", {"title": "Planted"}),
    ],
)
def test_builder_cannot_change_another_organizations_course(
    url_name: str, data: dict[str, str], acme_people: People, globex_course: Course
) -> None:
    lesson = first_lesson(globex_course)
    kwargs = {"course_id": globex_course.pk}
    if url_name != "courses:lesson_add":
        kwargs["lesson_id"] = lesson.pk

    response = signed_in(acme_people.course_builder).post(reverse(url_name, kwargs=kwargs), data)

    assert response.status_code == 404
    assert not Lesson.objects.filter(title="Planted").exists()
    assert not globex_course.lessons.filter(components__body="Planted").exists()


def test_selectors_refuse_ids_across_organizations(
    acme: Organization, acme_course: Course, globex_course: Course, globex_admin: User
) -> None:
    globex_lesson = first_lesson(globex_course)

    assert list(course_list(organization=acme)) == [acme_course]
    assert course_get(organization=acme, course_id=acme_course.pk) == acme_course
    with pytest.raises(Http404):
        course_get(organization=acme, course_id=globex_course.pk)
    with pytest.raises(Http404):
        lesson_get(organization=acme, course_id=globex_course.pk, lesson_id=globex_lesson.pk)
