"""Learners see the courses they are enrolled in, and nothing of the others; course admins and
org admins see every course of their organization."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Course
from courses.services import course_enroll
from organizations.models import Organization, Role
from tests.django_conftest import People, first_lesson, make_member, signed_in


@pytest.fixture
def other_course(acme: Organization) -> Course:
    return Course.objects.create(organization=acme, title="Not yours", description="")


def test_a_learner_lists_only_their_courses(
    acme_people: People, acme_course: Course, other_course: Course
) -> None:
    html = signed_in(acme_people.learner).get(reverse("courses:list")).content.decode()

    assert "Statistics" in html
    assert "Not yours" not in html


def test_a_course_a_learner_does_not_take_is_404_with_its_lessons(
    acme: Organization, acme_course: Course
) -> None:
    outsider = make_member(acme, "outsider@acme.example", Role.LEARNER)
    client = signed_in(outsider)
    lesson = first_lesson(acme_course)

    assert client.get(reverse("courses:detail", args=[acme_course.pk])).status_code == 404
    assert (
        client.get(reverse("courses:lesson", args=[acme_course.pk, lesson.pk])).status_code == 404
    )
    course_enroll(course=acme_course, learner=outsider)
    assert (
        client.get(reverse("courses:lesson", args=[acme_course.pk, lesson.pk])).status_code == 200
    )


@pytest.mark.parametrize("role", ["org_admin", "course_builder", "course_assistant"])
def test_admins_see_every_course_of_their_organization(
    acme_people: People, other_course: Course, role: str
) -> None:
    client = signed_in(acme_people.by_role(role))

    assert "Not yours" in client.get(reverse("courses:list")).content.decode()
    assert client.get(reverse("courses:detail", args=[other_course.pk])).status_code == 200


def test_enrolling_twice_is_one_enrollment_and_never_across_organizations(
    acme_people: People, acme_course: Course, globex_course: Course
) -> None:
    course_enroll(course=acme_course, learner=acme_people.learner)

    assert acme_course.enrollments.count() == 1
    with pytest.raises(ValueError, match="own organization"):
        course_enroll(course=globex_course, learner=acme_people.learner)
