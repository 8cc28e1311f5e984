"""Reads, each scoped to the organization: another organization's course is a 404."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import Course, Lesson, LessonComponent
from organizations.models import Organization


def course_list(*, organization: Organization) -> QuerySet[Course]:
    return Course.objects.filter(organization=organization).annotate(lesson_count=Count("lessons"))


def course_get(*, organization: Organization, course_id: int) -> Course:
    return get_object_or_404(Course, organization=organization, pk=course_id)


def lesson_list(*, course: Course) -> QuerySet[Lesson]:
    return Lesson.objects.filter(course=course).order_by("position")


def lesson_get(*, organization: Organization, course_id: int, lesson_id: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("course"),
        course__organization=organization,
        course_id=course_id,
        pk=lesson_id,
    )


def lesson_component_list(*, lesson: Lesson) -> QuerySet[LessonComponent]:
    return LessonComponent.objects.filter(lesson=lesson).order_by("position")
