"""Live events and their sessions, registrations and recordings.

A live event is provided by Zoom (Campus schedules a meeting per session) or by an external link
(Campus only shows the link). Disabling the Zoom integration turns Zoom events into external-link
events and keeps everything else, so the Zoom ids stay on the rows as history.

Zoom ids are plain fields here (live_events never imports zoom_integration). A session carries what
Campus knows of its meeting at Zoom: its state, the marker Campus put on it (so a create whose
answer was lost can find the meeting it made), and the fields last sent to Zoom (so an edit sends
only what changed, and an edit that changes nothing Zoom sees sends nothing).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class LiveEventProvider(models.TextChoices):
    ZOOM = "zoom", "Zoom"
    EXTERNAL_LINK = "external_link", "External link"


class AttendanceMinimum(models.TextChoices):
    ANY = "any", "Any presence"
    MINUTES = "minutes", "At least a number of minutes"
    PERCENT = "percent", "At least a percentage of the scheduled duration"


class LiveEvent(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="live_events"
    )
    lesson_component = models.ForeignKey(
        "courses.LessonComponent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_events",
    )
    title = models.CharField(max_length=200, help_text="The topic; Zoom's meeting topic.")
    description = models.TextField(blank=True)
    provider = models.CharField(max_length=20, choices=LiveEventProvider.choices)
    external_url = models.URLField(
        max_length=1000, blank=True, help_text="Where learners join an external-link event."
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    # The host at Zoom: the email the builder gave, and the Zoom user it named when validated.
    host_email = models.EmailField(blank=True)
    host_zoom_user_id = models.CharField(max_length=64, blank=True)
    host_name = models.CharField(max_length=200, blank=True)
    alternative_hosts = models.JSONField(
        default=list, blank=True, help_text="Emails of active licensed users of the same account."
    )
    # The builder's options, each mapped to a Zoom meeting setting (zoom_integration's meetings).
    auto_record_cloud = models.BooleanField(default=False)
    auto_upload_recording = models.BooleanField(
        default=False, help_text="Put the cloud recording on the lesson page by itself."
    )
    participant_video = models.BooleanField(default=False)
    mute_upon_entry = models.BooleanField(default=False)
    zoom_notification_emails = models.BooleanField(default=False)
    track_attendance = models.BooleanField(default=True)
    # Attended means present at least this long (docs/attendance.md): any presence by default.
    attendance_minimum = models.CharField(
        max_length=10, choices=AttendanceMinimum.choices, default=AttendanceMinimum.ANY
    )
    attendance_minimum_value = models.PositiveIntegerField(
        default=0, help_text="Minutes, or a percentage of the scheduled duration."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "provider"], name="live_event_org_provider")
        ]

    def __str__(self) -> str:
        return self.title


class ZoomMeetingState(models.TextChoices):
    WAITING = "waiting", "Waiting for Zoom"
    SCHEDULED = "scheduled", "Scheduled"
    FAILED = "failed", "Failed"
    DELETED_AT_ZOOM = "deleted_at_zoom", "Deleted at Zoom"
    REMOVED = "removed", "Removed"


class LiveEventSession(models.Model):
    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(help_text="UTC.")
    time_zone = models.CharField(max_length=64, default="UTC")
    duration_minutes = models.PositiveIntegerField()
    # Zoom meeting ids are int64 and exceed 10 digits: a 32-bit column would overflow.
    zoom_meeting_id = models.BigIntegerField(null=True, blank=True)
    zoom_join_url = models.URLField(max_length=1000, blank=True)
    external_url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="The plain join link once the event is an external link.",
    )
    zoom_state = models.CharField(
        max_length=20, choices=ZoomMeetingState.choices, default=ZoomMeetingState.WAITING
    )
    zoom_problem = models.CharField(
        max_length=500, blank=True, help_text="Why Zoom refused or could not be reached, in words."
    )
    # Put in the meeting's agenda: a retry whose create answer was lost finds the meeting by it.
    zoom_marker = models.CharField(max_length=40, unique=True, null=True, blank=True)
    zoom_create_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="A create was sent (its answer may have been lost)."
    )
    zoom_sent = models.JSONField(
        default=dict, blank=True, help_text="The meeting fields Zoom last accepted."
    )
    zoom_synced_at = models.DateTimeField(null=True, blank=True)
    # After a host change: the old host's meeting, deleted once the new host's meeting exists.
    zoom_meeting_to_delete = models.BigIntegerField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_notifies_registrants = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["event", "removed_at"], name="session_event_removed")]

    def __str__(self) -> str:
        return f"{self.event.title} at {self.starts_at.isoformat()}"

    @property
    def join_url(self) -> str:
        """The link learners use: the plain link when there is one, else Zoom's."""
        return self.external_url or self.zoom_join_url or self.event.external_url

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class RegistrationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for Zoom"
    REGISTERED = "registered", "Registered"
    CANCELLING = "cancelling", "Being cancelled at Zoom"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


# A learner has at most one registration in these states per event.
ACTIVE_REGISTRATION_STATES = (RegistrationStatus.WAITING, RegistrationStatus.REGISTERED)


class LiveEventRegistration(models.Model):
    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="registrations")
    session = models.ForeignKey(
        LiveEventSession, on_delete=models.CASCADE, related_name="registrations"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_registrations"
    )
    status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.WAITING
    )
    zoom_registrant_id = models.CharField(max_length=100, blank=True)
    join_url = models.URLField(max_length=1000, blank=True, help_text="The personal Zoom link.")
    problem = models.CharField(max_length=500, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    zoom_registered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The learner's calendar invitation (live_events.invitations): one UID per registration, and
    # iCalendar's SEQUENCE, raised on every change sent, so calendars take the latest. Null until
    # the first invitation is planned (the registration is registered at Zoom).
    invitation_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="SEQUENCE of the latest invitation planned."
    )
    invitation_sent_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="SEQUENCE of the latest invitation emailed."
    )
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "learner"],
                condition=Q(status__in=["waiting", "registered"]),
                name="one_active_registration_per_learner_per_event",
            )
        ]
        indexes = [models.Index(fields=["session", "status"], name="registration_session_status")]

    def __str__(self) -> str:
        return f"{self.learner_id} in session {self.session_id} [{self.status}]"


class HostMeetingWrites(models.Model):
    """Meeting creates and updates sent to Zoom for one host on one UTC day: Zoom allows a host
    100 a day (reference §4), and the 101st is refused until 00:00 UTC."""

    host_zoom_user_id = models.CharField(max_length=64)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host_zoom_user_id", "day"], name="host_writes_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.host_zoom_user_id} on {self.day}: {self.count}"


class LiveEventRecordingSource(models.TextChoices):
    ZOOM = "zoom", "Zoom"


class LiveEventRecordingStatus(models.TextChoices):
    # Listed by Zoom; waiting for a Course Admin's Import (automatic upload off).
    AVAILABLE = "available", "Available in Zoom"
    IMPORTING = "importing", "Being imported"
    IMPORTED = "imported", "On the lesson page"
    FAILED = "failed", "Import failed"


class LiveEventRecording(models.Model):
    """One file of a session's cloud recording (the video, its transcript, its chat).

    The row exists from the moment Zoom lists the file; `file` is set only once every byte is
    stored and checked against Zoom's `file_size`, so the page never shows half a file."""

    session = models.ForeignKey(
        LiveEventSession, on_delete=models.CASCADE, related_name="recordings"
    )
    source = models.CharField(max_length=20, choices=LiveEventRecordingSource.choices)
    source_account_id = models.CharField(
        max_length=64, blank=True, help_text="Zoom's account id the recording was imported from."
    )
    # Recordings are upserted by Zoom's file id, so an import that runs twice stores one row.
    zoom_file_id = models.CharField(max_length=128, unique=True, null=True, blank=True)
    zoom_meeting_uuid = models.CharField(max_length=128, blank=True)
    file_type = models.CharField(
        max_length=20, blank=True, help_text="Zoom's: MP4, TRANSCRIPT, CHAT."
    )
    file_extension = models.CharField(max_length=10, blank=True)
    recording_type = models.CharField(max_length=64, blank=True)
    file_size = models.BigIntegerField(default=0, help_text="Bytes, as Zoom says.")
    download_url = models.URLField(max_length=1000, blank=True)
    recording_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20,
        choices=LiveEventRecordingStatus.choices,
        default=LiveEventRecordingStatus.AVAILABLE,
    )
    problem = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to="recordings/%Y/%m/", max_length=300, blank=True)
    listed_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["source", "source_account_id"], name="recording_source_account")
        ]

    def __str__(self) -> str:
        return f"recording {self.zoom_file_id or self.pk} of {self.session_id}"

    @property
    def is_published(self) -> bool:
        return self.status == LiveEventRecordingStatus.IMPORTED and bool(self.file)


class RecordingSyncState(models.TextChoices):
    WAITING = "waiting", "Waiting for Zoom's recording"
    FOUND = "found", "Found at Zoom"
    UNAVAILABLE = "unavailable", "Recording not available from Zoom"


class LiveEventRecordingSync(models.Model):
    """Where the search for a cloud-recorded session's recording stands (one row per session,
    made by the provider's poll): still looking (with the next try and Zoom's last answer),
    found, or given up after 72 hours, when the Course Admins were emailed once."""

    session = models.OneToOneField(
        LiveEventSession, on_delete=models.CASCADE, related_name="recording_sync"
    )
    state = models.CharField(
        max_length=20, choices=RecordingSyncState.choices, default=RecordingSyncState.WAITING
    )
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_reason = models.CharField(max_length=300, blank=True, help_text="In words.")
    attempts = models.PositiveIntegerField(default=0)
    admins_told_at = models.DateTimeField(null=True, blank=True)
    # The runs `meeting.ended` named, and the last one's end: a run that ended after the poll
    # had finished opens it again, and is looked for even before Zoom lists it among the
    # meeting's instances, for 72 hours after that end.
    ended_runs = models.JSONField(default=list, blank=True, help_text="Zoom meeting UUIDs.")
    last_ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"recording of session {self.session_id}: {self.state}"


# The attendance models live in their own module; imported here so Django registers them.
from live_events.attendance_models import (  # noqa: E402, F401
    AttendanceInstance,
    AttendanceRecord,
    AttendanceSegment,
    AttendanceSync,
    AttendanceSyncState,
    ParticipantMapping,
)
