"""Attendance of live sessions, as Zoom reports it after the meeting (docs/attendance.md).

- `AttendanceSync`: where a session's attendance stands (one row per session): fetched, waiting
  for Zoom (with the next try and why), given up after 72 hours, and when the meeting first ended.
- `AttendanceInstance`: one run of the session's meeting (Zoom's instance UUID) and whether its
  report has been stored. A meeting started twice has two.
- `AttendanceSegment`: one join segment as Zoom reported it (one row per report row), replaced
  whole when its instance's report is fetched again, so a re-fetch changes nothing.
- `AttendanceRecord`: one row per (session, person), recomputed from the segments: the learner
  when matched, else the participant's identity (Zoom user id, email, name).
- `ParticipantMapping`: a Course Admin's "this participant is that learner": remembered for the
  course's later sessions when the participant has an identity (a Zoom user id, an email); for a
  guest known only by a typed name, for the session it was made in (`session`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from live_events.attendance_merge import identity_lasts, name_key_label


class AttendanceSyncState(models.TextChoices):
    WAITING = "waiting", "Waiting for the meeting to end"
    RETRYING = "retrying", "Waiting for Zoom's report"
    FETCHED = "fetched", "Attendance fetched"
    UNAVAILABLE = "unavailable", "Data not available from Zoom"


class AttendanceSync(models.Model):
    session = models.OneToOneField(
        "live_events.LiveEventSession", on_delete=models.CASCADE, related_name="attendance_sync"
    )
    state = models.CharField(
        max_length=20, choices=AttendanceSyncState.choices, default=AttendanceSyncState.WAITING
    )
    first_ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When the meeting's first run ended (Zoom's end time)."
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_reason = models.CharField(max_length=300, blank=True, help_text="In words.")
    attempts = models.PositiveIntegerField(default=0)
    # After a complete fetch, one more look for a run of the meeting that started later.
    late_check_at = models.DateTimeField(null=True, blank=True)
    admins_told_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_try_at"], name="attendance_sync_due")]

    def __str__(self) -> str:
        return f"attendance of session {self.session_id}: {self.state}"


class AttendanceInstance(models.Model):
    session = models.ForeignKey(
        "live_events.LiveEventSession",
        on_delete=models.CASCADE,
        related_name="attendance_instances",
    )
    zoom_uuid = models.CharField(max_length=100)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    segment_count = models.PositiveIntegerField(default=0)
    last_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "zoom_uuid"], name="attendance_instance")
        ]

    def __str__(self) -> str:
        return f"instance {self.zoom_uuid} of session {self.session_id}"


class AttendanceSegment(models.Model):
    instance = models.ForeignKey(
        AttendanceInstance, on_delete=models.CASCADE, related_name="segments"
    )
    registrant_id = models.CharField(max_length=100, blank=True)
    zoom_user_id = models.CharField(
        max_length=100, blank=True, help_text="Zoom's participant_user_id; empty for guests."
    )
    email = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=200, blank=True)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(default=0, help_text="As Zoom reported it.")

    class Meta:
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.joined_at.isoformat()} to {self.left_at.isoformat()}"


class AttendanceRecord(models.Model):
    session = models.ForeignKey(
        "live_events.LiveEventSession", on_delete=models.CASCADE, related_name="attendance"
    )
    # "learner:<id>" when matched, else the unmatched participant's identity key.
    person_key = models.CharField(max_length=320)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="live_attendance",
    )
    identity_key = models.CharField(
        max_length=320, blank=True, help_text="The participant's identity (unmatched rows)."
    )
    zoom_user_id = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=200, blank=True)
    attended = models.BooleanField(default=False)
    duration_seconds = models.PositiveIntegerField(default=0)
    first_join_at = models.DateTimeField(null=True, blank=True)
    last_leave_at = models.DateTimeField(null=True, blank=True)
    segments = models.JSONField(
        default=list, blank=True, help_text="[[instance uuid, join ISO, leave ISO], ...]"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person_key"], name="attendance_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_key} in session {self.session_id}"

    @property
    def matched(self) -> bool:
        return self.learner_id is not None

    @property
    def label(self) -> str:
        """The unmatched participant as listed: the typed name, numbered when several people
        typed it at once ("Sam", "Sam (2)"), else the email."""
        return (self.name or self.email or "(no name)") + (name_key_label(self.identity_key) or "")

    @property
    def lasting(self) -> bool:
        """Whether a mapping of this participant holds for the course's later sessions too."""
        return identity_lasts(self.identity_key)


class ParticipantMapping(models.Model):
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="participant_mappings"
    )
    identity_key = models.CharField(max_length=320)
    # Set for a name-only guest: the same typed name in another session may be someone else.
    session = models.ForeignKey(
        "live_events.LiveEventSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="participant_mappings",
        help_text="The one session the mapping holds for; empty: the course's sessions.",
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapped_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "identity_key"],
                condition=models.Q(session__isnull=True),
                name="one_mapping_per_identity_per_course",
            ),
            models.UniqueConstraint(
                fields=["session", "identity_key"],
                condition=models.Q(session__isnull=False),
                name="one_mapping_per_identity_per_session",
            ),
        ]

    def __str__(self) -> str:
        where = f"session {self.session_id}" if self.session_id else f"course {self.course_id}"
        return f"{self.identity_key} → {self.learner_id} in {where}"
