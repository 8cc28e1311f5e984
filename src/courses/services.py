"""Writes: courses, lessons, components. Positions are appended at the end, under a lock on the
parent row so two builders adding at once do not take the same position."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, QuerySet

from courses.models import ComponentKind, Course, Lesson, LessonComponent
from organizations.models import Organization


def course_get_or_create(*, organization: Organization, title: str, description: str) -> Course:
    course, _ = Course.objects.get_or_create(
        organization=organization, title=title, defaults={"description": description}
    )
    return course


def _position_after_last(siblings: QuerySet[Lesson] | QuerySet[LessonComponent]) -> int:
    last: int | None = siblings.aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def lesson_create(*, course: Course, title: str) -> Lesson:
    Course.objects.select_for_update().filter(pk=course.pk).first()
    position = _position_after_last(Lesson.objects.filter(course=course))
    return Lesson.objects.create(course=course, title=title, position=position)


def lesson_rename(*, lesson: Lesson, title: str) -> Lesson:
    lesson.title = title
    lesson.save(update_fields=["title"])
    return lesson


@transaction.atomic
def lesson_component_create(*, lesson: Lesson, kind: str, body: str = "") -> LessonComponent:
    Lesson.objects.select_for_update().filter(pk=lesson.pk).first()
    position = _position_after_last(LessonComponent.objects.filter(lesson=lesson))
    return LessonComponent.objects.create(lesson=lesson, kind=kind, body=body, position=position)


def lesson_text_add(*, lesson: Lesson, body: str) -> LessonComponent:
    return lesson_component_create(lesson=lesson, kind=ComponentKind.TEXT, body=body)
