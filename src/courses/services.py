"""Writes: courses, lessons, components. Positions are appended at the end, under a lock on the
parent row so two builders adding at once do not take the same position."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from courses.models import ComponentKind, Course, Lesson, LessonComponent
from organizations.models import Organization


def course_get_or_create(*, organization: Organization, title: str, description: str) -> Course:
    course, _ = Course.objects.get_or_create(
        organization=organization, title=title, defaults={"description": description}
    )
    return course


@transaction.atomic
def lesson_create(*, course: Course, title: str) -> Lesson:
    Course.objects.select_for_update().filter(pk=course.pk).first()
    last = Lesson.objects.filter(course=course).aggregate(last=Max("position"))["last"]
    return Lesson.objects.create(course=course, title=title, position=(last or 0) + 1)


def lesson_rename(*, lesson: Lesson, title: str) -> Lesson:
    lesson.title = title
    lesson.save(update_fields=["title"])
    return lesson


@transaction.atomic
def lesson_component_create(*, lesson: Lesson, kind: str, body: str = "") -> LessonComponent:
    Lesson.objects.select_for_update().filter(pk=lesson.pk).first()
    last = LessonComponent.objects.filter(lesson=lesson).aggregate(last=Max("position"))["last"]
    return LessonComponent.objects.create(
        lesson=lesson, kind=kind, body=body, position=(last or 0) + 1
    )


def lesson_text_add(*, lesson: Lesson, body: str) -> LessonComponent:
    return lesson_component_create(lesson=lesson, kind=ComponentKind.TEXT, body=body)
