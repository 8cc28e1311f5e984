"""Live events on lesson pages, under the lesson they belong to."""

from __future__ import annotations

from django.urls import path

from live_events import (
    attendance_views,
    edit_views,
    meeting_views,
    recording_views,
    session_views,
    views,
)

app_name = "live_events"

_lesson = "<int:course_id>/lessons/<int:lesson_id>/live-events/"

urlpatterns = [
    path(f"{_lesson}add/", views.kind_choose, name="choose"),
    path(f"{_lesson}new/", views.event_new, name="new"),
    path(f"{_lesson}zoom/", views.zoom_event_create, name="zoom_create"),
    path(f"{_lesson}hosts/validate/", views.host_validate, name="host_validate"),
    path("events/<int:event_id>/edit/", edit_views.zoom_event_edit, name="edit"),
    path("events/<int:event_id>/remove/", edit_views.event_remove, name="remove"),
    path(
        "events/<int:event_id>/sessions/<int:session_id>/remove/",
        edit_views.session_remove,
        name="session_remove",
    ),
    path("sessions/<int:session_id>/register/", session_views.register, name="register"),
    path("sessions/<int:session_id>/cancel/", session_views.cancel, name="cancel"),
    path("sessions/<int:session_id>/join/", session_views.join, name="join"),
    path("sessions/<int:session_id>/start/", session_views.start, name="start"),
    path("sessions/<int:session_id>/recreate/", meeting_views.session_recreate, name="recreate"),
    path(
        "sessions/<int:session_id>/registrations/",
        session_views.registrations,
        name="registrations",
    ),
    path(
        "sessions/<int:session_id>/registrations/add/",
        session_views.register_learners,
        name="register_learners",
    ),
    path("events/<int:event_id>/attendance/", attendance_views.event_attendance, name="attendance"),
    path(
        "events/<int:event_id>/attendance.csv",
        attendance_views.event_attendance_csv,
        name="attendance_csv",
    ),
    path(
        "events/<int:event_id>/attendance/minimum/",
        attendance_views.event_attendance_minimum,
        name="attendance_minimum",
    ),
    path(
        "sessions/<int:session_id>/attendance/",
        attendance_views.session_attendance,
        name="session_attendance",
    ),
    path(
        "sessions/<int:session_id>/attendance.csv",
        attendance_views.session_attendance_csv,
        name="session_attendance_csv",
    ),
    path(
        "sessions/<int:session_id>/attendance/map/",
        attendance_views.session_attendance_map,
        name="session_attendance_map",
    ),
    path(
        "sessions/<int:session_id>/attendance/fetch/",
        attendance_views.session_attendance_fetch,
        name="session_attendance_fetch",
    ),
    path("recordings/<int:recording_id>/", recording_views.recording_file, name="recording_file"),
]
