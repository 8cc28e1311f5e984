"""Writes: courses, lessons, components. Positions are given out under a lock on the parent row,
so two builders adding at once do not take the same position."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max, QuerySet

from courses.models import ComponentKind, Course, Enrollment, Lesson, LessonComponent
from organizations.models import Organization, User


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


# Moving a run of positions up by one in a single UPDATE would collide with itself on the unique
# (lesson, position) constraint (PostgreSQL checks it row by row): park the run far away first.
_PARKING_OFFSET = 1_000_000


@transaction.atomic
def lesson_component_create(
    *, lesson: Lesson, kind: str, body: str = "", position: int | None = None
) -> LessonComponent:
    """Add a component at `position` (1 is the top; the ones from there on move down one), or at
    the end when `position` is None or past the end."""
    Lesson.objects.select_for_update().filter(pk=lesson.pk).first()
    siblings = LessonComponent.objects.filter(lesson=lesson)
    end = _position_after_last(siblings)
    if position is None or position >= end:
        position = end
    position = max(position, 1)
    if position < end:
        moved = siblings.filter(position__gte=position)
        moved.update(position=F("position") + _PARKING_OFFSET)
        siblings.filter(position__gte=_PARKING_OFFSET).update(
            position=F("position") - _PARKING_OFFSET + 1
        )
    return LessonComponent.objects.create(lesson=lesson, kind=kind, body=body, position=position)


def lesson_text_add(*, lesson: Lesson, body: str, position: int | None = None) -> LessonComponent:
    return lesson_component_create(
        lesson=lesson, kind=ComponentKind.TEXT, body=body, position=position
    )


def course_enroll(*, course: Course, learner: User) -> Enrollment:
    """Enroll `learner` (of the course's organization) in `course`; again changes nothing."""
    membership = getattr(learner, "membership", None)
    if membership is None or membership.organization_id != course.organization_id:
        raise ValueError("A learner can only take courses of their own organization.")
    enrollment, _created = Enrollment.objects.get_or_create(course=course, learner=learner)
    return enrollment
