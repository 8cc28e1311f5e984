"""Reads, each scoped to the organization: another organization's course is a 404. Given a
`learner`, a course they are not enrolled in is a 404 too (course and org admins pass None: they
see every course of their organization)."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import Course, Lesson, LessonComponent
from organizations.models import Organization, User


def _visible(courses: QuerySet[Course], learner: User | None) -> QuerySet[Course]:
    return courses if learner is None else courses.filter(enrollments__learner=learner)


def course_list(*, organization: Organization, learner: User | None = None) -> QuerySet[Course]:
    courses = Course.objects.filter(organization=organization)
    return _visible(courses, learner).annotate(lesson_count=Count("lessons", distinct=True))


def course_get(
    *, organization: Organization, course_id: int, learner: User | None = None
) -> Course:
    return get_object_or_404(
        _visible(Course.objects.filter(organization=organization), learner), pk=course_id
    )


def lesson_list(*, course: Course) -> QuerySet[Lesson]:
    return Lesson.objects.filter(course=course).order_by("position")


def lesson_get(
    *, organization: Organization, course_id: int, lesson_id: int, learner: User | None = None
) -> Lesson:
    lessons = Lesson.objects.select_related("course").filter(
        course__organization=organization, course_id=course_id
    )
    if learner is not None:
        lessons = lessons.filter(course__enrollments__learner=learner)
    return get_object_or_404(lessons, pk=lesson_id)


def course_learners(*, course: Course) -> QuerySet[User]:
    """The learners enrolled in `course`, by name."""
    return User.objects.filter(enrollments__course=course).order_by("last_name", "first_name", "id")


def lesson_component_list(*, lesson: Lesson) -> QuerySet[LessonComponent]:
    return LessonComponent.objects.filter(lesson=lesson).order_by("position")
