"""Courses, their lessons, and the components a lesson page is made of.

A component is a block on the lesson page, rendered in position order. Its `kind` says what it is:
"text" is kept here; other apps add kinds that point at their own rows (a live event is a
component of kind "live_event", and the live_events app holds the link to it), and register the
template that renders their kind (courses.components).
"""

from __future__ import annotations

from django.db import models

from organizations.models import Organization


class Course(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title"], name="course_title_unique_in_organization"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"], name="lesson_position_unique_in_course"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ComponentKind(models.TextChoices):
    TEXT = "text", "Text"
    LIVE_EVENT = "live_event", "Live event"


class LessonComponent(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="components")
    kind = models.CharField(max_length=32, choices=ComponentKind.choices)
    position = models.PositiveIntegerField()
    # The text of a "text" component; other kinds keep their content in their own app's rows.
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "position"], name="component_position_unique_in_lesson"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.position} of {self.lesson}"


class Enrollment(models.Model):
    """A learner taking a course. Learners see only the courses they are enrolled in; course
    admins and org admins see every course of their organization."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    learner = models.ForeignKey(
        "organizations.User", on_delete=models.CASCADE, related_name="enrollments"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "enrolled_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "learner"], name="enrollment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.course_id}"
