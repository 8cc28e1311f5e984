"""Play a realistic meeting for a session on zoomsim, so that its attendance comes back by itself.

    .venv/bin/python manage.py play_meeting SESSION_ID [--participants 30] [--minutes 45]
    .venv/bin/python manage.py play_meeting --lesson LESSON_ID

zoomsim (ZOOM_API_BASE_URL's host; the one `make run` starts) runs the meeting, ending now, and
sends Campus `meeting.ended` (and `recording.completed` when the event records to the cloud);
Campus's worker then fetches the report. See zoom_integration/meeting_player.py.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

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

    def handle(self, *args: Any, **options: Any) -> None:
        session_id, lesson_id = options["session_id"], options["lesson"]
        if (session_id is None) == (lesson_id is None):
            raise CommandError("Give a session id or --lesson LESSON_ID (one of them).")
        if not 1 <= options["participants"] <= 300:
            raise CommandError("--participants must be from 1 to 300.")
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
            "Zoom's report is ready (the session's sync status on the lesson page says when)."
        )
