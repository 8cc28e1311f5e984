"""Pages for running meetings by hand: `/sim/` (start, join, leave, end, move the clock) and what
zoom.us shows a person who opens a join link: `/w/{id}?tk=…` (a registrant's personal link) and
`/j/{id}` (join as a guest by typing a name).

Plain HTML forms that POST and redirect back; every change goes through `zoomsim.happenings`, so
it sends the same webhooks as the control API.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from functools import partial
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from zoomsim import happenings
from zoomsim.clock import iso
from zoomsim.errors import ZoomErrorResponse, control_bad_request, control_not_found
from zoomsim.model import Instance, Meeting
from zoomsim.sim import Simulator, sim_of
from zoomsim.state import State

CLOCK_STEPS = {"hour": 3600, "day": 24 * 3600}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#0b5cff;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1rem;align-items:center}
header h1{font-size:1.1rem;margin:0;flex:1}
main{padding:1rem 1.5rem;max-width:72rem}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1rem;margin:0 0 1rem}
h2{font-size:1.05rem;margin:.2rem 0 .6rem}h3{font-size:.95rem;margin:.8rem 0 .3rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
form{display:inline-flex;gap:.3rem;margin:.15rem .6rem .15rem 0}
.joins{display:grid;gap:.2rem;justify-items:start;margin:.3rem 0 .6rem}
button.end{background:#cf222e}
button{background:#0b5cff;color:#fff;border:0;border-radius:6px;padding:.3rem .7rem;cursor:pointer}
button.quiet{background:#eaeef2;color:#1f2328}
input,select{padding:.25rem;border:1px solid #d0d7de;border-radius:6px}
.muted{color:#57606a}.error{background:#ffebe9;border-color:#ff8182}
code{font-size:.85em}
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status)


def _button(
    action: str,
    label: str,
    fields: dict[str, str] | None = None,
    quiet: bool = False,
    css_class: str = "",
) -> str:
    hidden = "".join(
        f'<input type=hidden name="{_e(k)}" value="{_e(v)}">' for k, v in (fields or {}).items()
    )
    css_class = "quiet" if quiet else css_class
    css = f' class="{_e(css_class)}"' if css_class else ""
    return (
        f'<form method=post action="{_e(action)}">{hidden}<button{css}>{_e(label)}</button></form>'
    )


def _back(error: str = "") -> RedirectResponse:
    target = "/sim/" + (f"?{urlencode({'error': error})}" if error else "")
    return RedirectResponse(target, status_code=303)


def _path_uuid(uuid: str) -> str:
    # Instance UUIDs may hold "/" and "+": keep them one path value.
    return quote(uuid, safe="")


# --- /sim/ ----------------------------------------------------------------------------------------


def _instance_rows(state: State, instance: Instance) -> str:
    rows = []
    for segment in happenings.instance_segments(state, instance):
        action = ""
        if segment.leave_time is None and instance.end_time is None:
            action = _button(f"/sim/segments/{segment.id}/leave", "Leave", quiet=True)
        who = segment.email or (
            "user " + segment.participant_user_id if segment.participant_user_id else "guest"
        )
        rows.append(
            f"<tr><td>{_e(segment.name)}</td><td class=muted>{_e(who)}</td>"
            f"<td>{_e(iso(segment.join_time))}</td>"
            f"<td>{_e(iso(segment.leave_time)) if segment.leave_time else 'in the meeting'}</td>"
            f"<td><code>{_e(segment.user_id)}</code></td><td>{action}</td></tr>"
        )
    if not rows:
        return "<p class=muted>Nobody has joined.</p>"
    head = "<tr><th>Name</th><th>Who</th><th>Joined</th><th>Left</th><th>user_id</th><th></th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _join_form(action: str, kind: str, field: str, label: str) -> str:
    return (
        f'<form method=post action="{_e(action)}"><input type=hidden name=kind value={kind}>'
        f"{field}<button>{_e(label)}</button></form>"
    )


def _select(name: str, choices: list[tuple[str, str]]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(text)}</option>' for v, text in choices)
    return f"<select name={name}>{options}</select>"


def _join_forms(state: State, meeting: Meeting, instance: Instance) -> str:
    action = f"/sim/instances/{_path_uuid(instance.uuid)}/join"
    registrants = [
        (r.id, f"{r.first_name} {r.last_name} <{r.email}>")
        for r in state.registrants.values()
        if r.meeting_id == meeting.id and r.status == "approved"
    ]
    users = sorted(
        (u.id, f"{u.display_name} <{u.email}>")
        for u in state.users.values()
        if u.account_id == meeting.account_id
    )
    forms = []
    if registrants:
        field = _select("registrant_id", registrants)
        forms.append(_join_form(action, "registrant", field, "Join as registrant"))
    forms.append(_join_form(action, "user", _select("user_id", users), "Join as account user"))
    guest = "<input name=guest_name placeholder='Guest name' required maxlength=64>"
    forms.append(_join_form(action, "guest", guest, "Join as guest"))
    return f'<div class="joins">{"".join(forms)}</div>'


def _processing_label(state: State, instance: Instance) -> str:
    """When Zoom has the ended instance's report and recording ready (knobs `report_delay`,
    `recording_delay`), so a person running a demo sees why Campus is still waiting."""
    now = state.now()

    def when(available_at: float) -> str:
        return "ready" if available_at <= now else f"processing until {iso(available_at)}"

    labels = []
    if instance.report_available_at is not None:
        labels.append(f"report {when(instance.report_available_at)}")
    files = [f for f in state.recordings.values() if f.instance_uuid == instance.uuid]
    if files:
        labels.append(f"recording {when(max(f.available_at for f in files))}")
    return "".join(f" · {label}" for label in labels)


def _meeting_section(state: State, meeting: Meeting) -> str:
    instances = sorted(
        (i for i in state.instances.values() if i.meeting_id == meeting.id),
        key=lambda i: i.start_time,
        reverse=True,
    )
    running = next((i for i in instances if i.end_time is None), None)
    host = state.users.get(meeting.host_id)
    parts = [
        f"<h3>{_e(meeting.topic)} <span class=muted>· {meeting.id} · host "
        f"{_e(host.email if host else meeting.host_id)} · {_e(meeting.status)} · recording "
        f"{_e(meeting.settings.get('auto_recording', 'none'))}</span></h3>"
    ]
    if running is None:
        parts.append(_button(f"/sim/meetings/{meeting.id}/start", "Start an instance"))
    for instance in instances:
        state_label = (
            "running"
            if instance.end_time is None
            else f"ended {iso(instance.end_time)}{_processing_label(state, instance)}"
        )
        parts.append(
            f"<p><code>{_e(instance.uuid)}</code> · started {_e(iso(instance.start_time))} · "
            f"{_e(state_label)}</p>"
        )
        if instance.end_time is None:
            parts.append(_join_forms(state, meeting, instance))
            parts.append(
                _button(
                    f"/sim/instances/{_path_uuid(instance.uuid)}/end",
                    "End the instance",
                    css_class="end",
                )
            )
        parts.append(_instance_rows(state, instance))
    return "".join(parts)


async def dashboard(request: Request) -> Response:
    state = sim_of(request).state
    error = request.query_params.get("error", "")
    sections = []
    if error:
        sections.append(f"<section class=error>{_e(error)}</section>")
    for account in sorted(state.accounts.values(), key=lambda a: a.name):
        meetings = sorted(
            (m for m in state.meetings.values() if m.account_id == account.id and not m.deleted),
            key=lambda m: m.created_at,
        )
        body = "".join(_meeting_section(state, m) for m in meetings) or (
            "<p class=muted>No meetings yet.</p>"
        )
        title = f"<h2>{_e(account.name)} <span class=muted>{_e(account.id)}</span></h2>"
        sections.append(f"<section>{title}{body}</section>")
    clock = (
        f"<span>Clock: <strong id=clock>{_e(iso(state.now()))}</strong></span>"
        + _button("/sim/clock/advance", "+1 hour", {"step": "hour"}, quiet=True)
        + _button("/sim/clock/advance", "+1 day", {"step": "day"}, quiet=True)
    )
    header = f"<header><h1>zoomsim · meetings</h1>{clock}</header>"
    return _page("zoomsim meetings", f"{header}<main>{''.join(sections)}</main>")


def _form_text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


PageHandler = Callable[[Request, Simulator], Awaitable[None]]


def _action(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """A /sim/ form action: do it, then back to /sim/ (with the reason if Zoom would refuse)."""

    async def endpoint(request: Request) -> Response:
        try:
            await handler(request, sim_of(request))
        except ZoomErrorResponse as exc:
            return _back(exc.message)
        return _back()

    return endpoint


async def _start(request: Request, sim: Simulator) -> None:
    meeting = happenings.find_meeting(sim.state, str(request.path_params["meeting_id"]))
    happenings.start_instance(sim, meeting)


async def _join(request: Request, sim: Simulator) -> None:
    form = await request.form()
    instance = happenings.find_instance(sim.state, str(request.path_params["uuid"]))
    meeting = happenings.meeting_of(sim.state, instance)
    kind = _form_text(form, "kind")
    if kind == "registrant":
        joiner = happenings.registrant_joiner(sim.state, meeting, _form_text(form, "registrant_id"))
    elif kind == "user":
        joiner = happenings.user_joiner(sim.state, _form_text(form, "user_id"))
    else:
        joiner = happenings.guest_joiner(_form_text(form, "guest_name"))
    happenings.join(sim, instance, joiner)


async def _leave(request: Request, sim: Simulator) -> None:
    segment = sim.state.segments.get(str(request.path_params["segment_id"]))
    if segment is None:
        raise control_not_found("Participant not found.")
    happenings.leave(sim, segment)


async def _end(request: Request, sim: Simulator) -> None:
    happenings.end_instance(
        sim, happenings.find_instance(sim.state, str(request.path_params["uuid"]))
    )


async def _advance(request: Request, sim: Simulator) -> None:
    step = _form_text(await request.form(), "step")
    if step not in CLOCK_STEPS:
        raise control_bad_request("Unknown clock step.")
    sim.state.clock.advance(CLOCK_STEPS[step])
    sim.changed()


# --- join links -----------------------------------------------------------------------------------


def _join_page(meeting: Meeting | None, body: str, status: int = 200) -> HTMLResponse:
    title = meeting.topic if meeting else "Zoom"
    return _page(
        title, f"<header><h1>Zoom</h1></header><main><section>{body}</section></main>", status
    )


def _meeting_or_none(state: State, meeting_id: str) -> Meeting | None:
    meeting = state.meetings.get(meeting_id)
    return None if meeting is None or meeting.deleted else meeting


async def personal_link(request: Request) -> Response:
    """A registrant's personal `join_url`: who they will join as, and a Join button."""
    sim = sim_of(request)
    meeting = _meeting_or_none(sim.state, str(request.path_params["meeting_id"]))
    token = request.query_params.get("tk", "")
    registrant_id = (
        happenings.registrant_by_link_token(sim.state, meeting.id, token) if meeting else None
    )
    if meeting is None or registrant_id is None:
        return _join_page(meeting, "<h2>This meeting link is not valid.</h2>", 404)
    registrant = sim.state.registrants[registrant_id]
    name = registrant.display_name
    if happenings.running_instance(sim.state, meeting) is None:
        return _join_page(
            meeting,
            f"<h2>{_e(meeting.topic)}</h2><p>Hello {_e(name)}: the meeting has not started yet. "
            "Please wait for the host, then reload this page.</p>",
        )
    button = _button(f"/w/{meeting.id}", "Join", {"tk": token})
    return _join_page(
        meeting, f"<h2>You are joining {_e(meeting.topic)} as {_e(name)}</h2>{button}"
    )


async def personal_link_join(request: Request) -> Response:
    sim = sim_of(request)
    meeting = _meeting_or_none(sim.state, str(request.path_params["meeting_id"]))
    token = _form_text(await request.form(), "tk")
    registrant_id = (
        happenings.registrant_by_link_token(sim.state, meeting.id, token) if meeting else None
    )
    if meeting is None or registrant_id is None:
        return _join_page(meeting, "<h2>This meeting link is not valid.</h2>", 404)
    return _joined(
        sim, meeting, partial(happenings.registrant_joiner, sim.state, meeting, registrant_id)
    )


async def guest_link(request: Request) -> Response:
    sim = sim_of(request)
    meeting = _meeting_or_none(sim.state, str(request.path_params["meeting_id"]))
    if meeting is None:
        return _join_page(None, "<h2>This meeting ID is not valid.</h2>", 404)
    if happenings.running_instance(sim.state, meeting) is None:
        return _join_page(
            meeting,
            f"<h2>{_e(meeting.topic)}</h2><p>The meeting has not started yet.</p>",
        )
    form = (
        f'<form method=post action="/j/{meeting.id}"><label>Your name '
        "<input name=name required maxlength=64 autofocus></label><button>Join</button></form>"
    )
    return _join_page(meeting, f"<h2>Join {_e(meeting.topic)}</h2>{form}")


async def guest_link_join(request: Request) -> Response:
    sim = sim_of(request)
    meeting = _meeting_or_none(sim.state, str(request.path_params["meeting_id"]))
    if meeting is None:
        return _join_page(None, "<h2>This meeting ID is not valid.</h2>", 404)
    name = _form_text(await request.form(), "name")
    return _joined(sim, meeting, partial(happenings.guest_joiner, name))


def _joined(
    sim: Simulator, meeting: Meeting, joiner_of: Callable[[], happenings.Joiner]
) -> Response:
    instance = happenings.running_instance(sim.state, meeting)
    if instance is None:
        return _join_page(meeting, "<p>The meeting has not started yet.</p>", 409)
    try:
        segment = happenings.join(sim, instance, joiner_of())
    except ZoomErrorResponse as exc:
        return _join_page(meeting, f"<p>{_e(exc.message)}</p>", 400)
    leave = _button(f"/w/{meeting.id}/leave", "Leave meeting", {"segment": segment.id}, quiet=True)
    return _join_page(
        meeting,
        f"<h2>You are in {_e(meeting.topic)}</h2><p>Joined as {_e(segment.name)} at "
        f"{_e(iso(segment.join_time))}.</p>{leave}",
    )


async def leave_link(request: Request) -> Response:
    sim = sim_of(request)
    meeting = _meeting_or_none(sim.state, str(request.path_params["meeting_id"]))
    segment = sim.state.segments.get(_form_text(await request.form(), "segment"))
    instance = sim.state.instances.get(segment.instance_uuid) if segment else None
    if meeting is None or segment is None or instance is None or instance.meeting_id != meeting.id:
        return _join_page(meeting, "<p>You are not in this meeting.</p>", 404)
    if segment.leave_time is None:
        happenings.leave(sim, segment)
    return _join_page(meeting, f"<h2>You left {_e(meeting.topic)}.</h2>")


async def sim_root(request: Request) -> Response:
    return RedirectResponse("/sim/", status_code=307)


routes: list[BaseRoute] = [
    Route("/sim", sim_root, methods=["GET"]),
    Route("/sim/", dashboard, methods=["GET"]),
    Route("/sim/meetings/{meeting_id}/start", _action(_start), methods=["POST"]),
    Route("/sim/instances/{uuid:path}/join", _action(_join), methods=["POST"]),
    Route("/sim/instances/{uuid:path}/end", _action(_end), methods=["POST"]),
    Route("/sim/segments/{segment_id}/leave", _action(_leave), methods=["POST"]),
    Route("/sim/clock/advance", _action(_advance), methods=["POST"]),
    Route("/w/{meeting_id}", personal_link, methods=["GET"]),
    Route("/w/{meeting_id}", personal_link_join, methods=["POST"]),
    Route("/w/{meeting_id}/leave", leave_link, methods=["POST"]),
    Route("/j/{meeting_id}", guest_link, methods=["GET"]),
    Route("/j/{meeting_id}", guest_link_join, methods=["POST"]),
]
