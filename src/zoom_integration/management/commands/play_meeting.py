"""Play a realistic meeting for a session on zoomsim, so that its attendance comes back by itself.

    .venv/bin/python manage.py play_meeting SESSION_ID [--participants 30] [--minutes 45]
    .venv/bin/python manage.py play_meeting --lesson LESSON_ID [--wait 300]

zoomsim (ZOOM_API_BASE_URL's host; the one `make run` starts) runs the meeting, ending now, and
sends Campus `meeting.ended` (and `recording.completed` when the event records to the cloud);
Campus's worker then fetches the report. With --wait, the command then prints the session's sync
status each time it changes and, once the run it played is fetched (not an earlier run of a
session fetched before), the learners' attendance, read through the same selectors as Campus's
pages. See zoom_integration/meeting_player.py.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from live_events.attendance_models import AttendanceInstance, AttendanceSync, AttendanceSyncState
from live_events.attendance_selectors import (
    attendance_for_session,
    attendance_sync_status,
    attendance_unmatched,
)
from live_events.models import LiveEventSession
from zoom_integration.meeting_player import MeetingPlayRefused, meeting_play, session_to_play


def _minutes(value: float) -> str:
    return f"{value:g}"


class Command(BaseCommand):
    help = (
        "Play a meeting for a live event session on zoomsim (registered learners, account users, "
        "guests, rejoins, a cloud recording when the event records), ending now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("session_id", nargs="?", type=int, help="The session's id.")
        parser.add_argument(
            "--lesson",
            type=int,
            help="Instead of a session id: the lesson's Zoom session closest to now.",
        )
        parser.add_argument(
            "--participants", type=int, default=30, help="How many people in all (default 30)."
        )
        parser.add_argument(
            "--minutes", type=int, help="How long the meeting lasts (default: the session's)."
        )
        parser.add_argument(
            "--wait",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Then watch the sync status for up to this long and print the attendance.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        session_id, lesson_id = options["session_id"], options["lesson"]
        if (session_id is None) == (lesson_id is None):
            raise CommandError("Give a session id or --lesson LESSON_ID (one of them).")
        if not 1 <= options["participants"] <= 300:
            raise CommandError("--participants must be from 1 to 300.")
        played_at = timezone.now()
        try:
            session = session_to_play(session_id=session_id, lesson_id=lesson_id)
            played = meeting_play(
                session=session, participants=options["participants"], minutes=options["minutes"]
            )
        except MeetingPlayRefused as refused:
            raise CommandError(str(refused)) from refused
        instance = played.instance
        write = self.stdout.write
        write(
            f"Played Zoom meeting {session.zoom_meeting_id} ({session.event.title}, session "
            f"{session.pk}) on zoomsim at {played.zoomsim_url}:"
        )
        write(f"  instance {instance['uuid']}: {instance['start_time']} to {instance['end_time']}")
        width = max(len(a.name) for a in played.attendees)
        for attendee in played.attendees:
            stays = ", ".join(f"{_minutes(a)}-{_minutes(b)}" for a, b in attendee.segments)
            rejoined = "  (rejoined)" if len(attendee.segments) > 1 else ""
            write(
                f"  {attendee.name:<{width}}  {attendee.joins_as:<12}  in at min {stays}{rejoined}"
            )
        people = len(played.attendees)
        segments = len(instance["segments"])
        write(f"  {people} people, {segments} join segments; the meeting has ended.")
        write(f"  Zoom's report is ready at {instance['report_available_at']}.")
        if instance["recording_files"]:
            kinds = ", ".join(f["file_type"] for f in instance["recording_files"])
            ready = instance["recording_files"][0]["available_at"]
            write(f"  Cloud recording ({kinds}) ready at {ready}: recording.completed follows.")
        else:
            write("  No cloud recording (the event does not record to the cloud).")
        write(
            "zoomsim has sent meeting.ended to Campus; the worker fetches the attendance once "
            "Zoom's report is ready."
        )
        if options["wait"] > 0:
            self.watch(
                session, instance_uuid=instance["uuid"], since=played_at, seconds=options["wait"]
            )

    def watch(
        self, session: LiveEventSession, *, instance_uuid: str, since: datetime, seconds: int
    ) -> None:
        """The sync status whenever it changes, as the session's viewers read it, until the
        played run's report is stored (or Zoom has none: given up since `since`), then the
        learners' rows. A session fetched before is not done: its status reads "fetched" until
        the worker has the new run."""
        organization = session.event.organization
        deadline = time.monotonic() + seconds
        shown = ""
        while True:
            status = attendance_sync_status(
                organization=organization, session_id=session.pk, time_zone=session.time_zone
            )
            if status != shown:
                self.stdout.write(f"  sync status: {status}")
                shown = status
            stored = AttendanceInstance.objects.filter(
                session=session, zoom_uuid=instance_uuid, fetched_at__isnull=False
            ).exists()
            given_up = AttendanceSync.objects.filter(
                session=session, state=AttendanceSyncState.UNAVAILABLE, updated_at__gte=since
            ).exists()
            if stored or given_up:
                break
            if time.monotonic() > deadline:
                self.stdout.write(f"  still not fetched after {seconds} s (is the worker running?)")
                return
            time.sleep(1)
        rows = attendance_for_session(organization=organization, session_id=session.pk)
        for row in rows:
            minutes = row.duration_seconds / 60
            attended = "attended" if row.attended else "did not attend"
            self.stdout.write(f"  {row.name:<30} {attended:<15} {minutes:5.1f} min")
        unmatched = attendance_unmatched(organization=organization, session_id=session.pk)
        self.stdout.write(
            f"  {len(rows)} learners matched; {len(unmatched)} participants matched nobody "
            "(guests, account users who are not learners), for a Course Admin to map."
        )
