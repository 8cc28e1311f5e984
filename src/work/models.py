from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class WorkState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    PAUSED = "paused", "Paused"


# Rows in these states are history: enqueueing the same work again arms them afresh.
FINISHED_STATES = (WorkState.DONE, WorkState.FAILED, WorkState.CANCELLED)


class WorkItem(models.Model):
    """One piece of background work. The row, not the queue message, is the source of truth."""

    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="work_items",
        help_text="Null for account-wide work that no single organization owns.",
    )
    kind = models.CharField(max_length=100, help_text='Handler name, e.g. "zoom.meeting.create".')
    subject = models.CharField(max_length=200, blank=True, help_text='E.g. "session:42".')
    dedupe_key = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text="One row per piece of work; enqueueing it again reuses it.",
    )
    payload = models.JSONField(
        default=dict, blank=True, help_text="Ids only: handlers re-read the current state."
    )
    state = models.CharField(max_length=10, choices=WorkState.choices, default=WorkState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Renewed while it runs; once past, its worker counts as dead.",
    )
    locked_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Worker and claim of the running attempt (fences stale ones).",
    )
    rerun_requested = models.BooleanField(
        default=False,
        help_text="Enqueued again while running: run once more afterwards.",
    )
    rung_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its bell last rang; the sweeper does not ring it again soon.",
    )
    last_error = models.CharField(max_length=500, blank=True)
    pause_group = models.CharField(
        max_length=100,
        blank=True,
        help_text='Work paused and resumed together, e.g. "zoom-account:7".',
    )
    paused_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweeper: pending rows by due time, running rows by lease expiry.
            models.Index(
                fields=["next_attempt_at"],
                name="work_pending_due",
                condition=Q(state="pending"),
            ),
            models.Index(
                fields=["lease_expires_at"],
                name="work_running_lease",
                condition=Q(state="running"),
            ),
            models.Index(fields=["pause_group", "state"], name="work_pause_group"),
            models.Index(fields=["organization", "state"], name="work_org_state"),
            models.Index(fields=["subject", "kind"], name="work_subject_kind"),
        ]
        ordering = ["next_attempt_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} [{self.state}]"
