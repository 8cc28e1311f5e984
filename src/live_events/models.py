"""Live events and their sessions and recordings.

A live event is provided by Zoom (Campus schedules a meeting per session) or by an external link
(Campus only shows the link). Disabling the Zoom integration turns Zoom events into external-link
events and keeps everything else, so the Zoom ids stay on the rows as history.
"""

from __future__ import annotations

from django.db import models


class LiveEventProvider(models.TextChoices):
    ZOOM = "zoom", "Zoom"
    EXTERNAL_LINK = "external_link", "External link"


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
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    provider = models.CharField(max_length=20, choices=LiveEventProvider.choices)
    external_url = models.URLField(
        max_length=1000, blank=True, help_text="Where learners join an external-link event."
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "provider"], name="live_event_org_provider")
        ]

    def __str__(self) -> str:
        return self.title


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

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.event.title} at {self.starts_at.isoformat()}"

    @property
    def join_url(self) -> str:
        """The link learners use: the plain link when there is one, else Zoom's."""
        return self.external_url or self.zoom_join_url or self.event.external_url


class LiveEventRecordingSource(models.TextChoices):
    ZOOM = "zoom", "Zoom"


class LiveEventRecording(models.Model):
    session = models.ForeignKey(
        LiveEventSession, on_delete=models.CASCADE, related_name="recordings"
    )
    source = models.CharField(max_length=20, choices=LiveEventRecordingSource.choices)
    source_account_id = models.CharField(
        max_length=64, blank=True, help_text="Zoom's account id the recording was imported from."
    )
    # Recordings are upserted by Zoom's file id, so an import that runs twice stores one row.
    zoom_file_id = models.CharField(max_length=128, unique=True, null=True, blank=True)
    file = models.FileField(upload_to="recordings/%Y/%m/", blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["source", "source_account_id"], name="recording_source_account")
        ]

    def __str__(self) -> str:
        return f"recording {self.zoom_file_id or self.pk} of {self.session_id}"
