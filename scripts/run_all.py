"""`make run`: Campus, its worker and zoomsim together, seeded, in one terminal; Ctrl-C stops all.

    make run [WEB_PORT=8000] [ZOOMSIM_PORT=8001]
    .venv/bin/python scripts/run_all.py [--web-port 8000] [--zoomsim-port 8001] [--var-dir var]

Steps: check that both ports are free, migrate, collect the static files, seed the demo data, then
start three children — zoomsim, the web app (gunicorn, as at scale), the Celery worker with beat
inside — each in its own process group. Once both servers answer, the addresses and every sign-in
are printed.

Every line the children write goes to var/log/run_all.log; the terminal shows what a person needs:
the banner, the emails Campus sends, Campus's request lines, warnings and errors, and restarts.
A child that dies is started again, after a pause that doubles while it keeps dying (1 s up to
30 s), and the others stay up: Celery's worker can die of a bad task or the OOM killer, and a
demo that falls over with it helps nobody. SIGINT or SIGTERM stops every child (SIGTERM, then
SIGKILL after a grace period).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, TextIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from organizations.demo_people import (  # noqa: E402 -- after the path is set
    DEMO_ORGANIZATIONS,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
)

PYTHON = sys.executable
GRACE_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 90.0
# A child that keeps dying waits longer each time; one that ran a while starts again promptly.
RESTART_FIRST_DELAY_SECONDS = 1.0
RESTART_MAX_DELAY_SECONDS = 30.0
RAN_LONG_ENOUGH_SECONDS = 60.0
LOG_FILE = Path("log") / "run_all.log"  # under the var folder
LOG_FILE_KEEP_BYTES = 20_000_000  # beyond this, the previous run's log becomes run_all.log.1
ZOOMSIM_DEMO_SEED = ROOT / "seeds" / "zoomsim-demo.json"
DEMO_APP = "campus-client-id"  # the Campus app in zoomsim's demo seed


# --- Output: everything to the log file, what a person needs to the terminal ---------------------


class Output:
    """The terminal and the log file, written from many relay threads one whole line at a time."""

    def __init__(self, terminal: TextIO) -> None:
        self.terminal = terminal
        self.log: TextIO | None = None
        self._lock = threading.Lock()

    def open_log(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > LOG_FILE_KEEP_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        self.log = path.open("a", encoding="utf-8", buffering=1)

    def line(self, text: str, *, to_terminal: bool = True) -> None:
        with self._lock:
            if self.log is not None:
                when = datetime.now(tz=UTC).isoformat(timespec="milliseconds")
                self.log.write(f"{when} {text}\n")
            if to_terminal:
                self.terminal.write(text + "\n")
                self.terminal.flush()


output = Output(sys.stdout)


def say(message: str) -> None:
    """The supervisor's own news: always for the person at the terminal."""
    for text in message.split("\n"):
        output.line(text)


# A Campus log line (campus/log_format.py, also gunicorn's through its config): time, level, logger.
_CAMPUS_RECORD = re.compile(r"^\d{4}-\d\d-\d\dT\S+ (?P<level>[A-Z]+) (?P<logger>\S+)")
# uvicorn's and logging.basicConfig's lines (zoomsim): `INFO:     Started server process`.
_PLAIN_RECORD = re.compile(r"^(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL):")
# A warning Python printed itself, before logging took warnings over: `path.py:12: XWarning: ...`.
_PYTHON_WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")
_TRACEBACK = "Traceback (most recent call last):"
_SERIOUS = frozenset({"WARNING", "ERROR", "CRITICAL"})
# Routine by level, but what a person at the terminal is there for.
FOR_PEOPLE_LOGGERS = frozenset(
    {
        "campus.mail",  # the emails Campus sends (campus/mail.py)
        "gunicorn.access",  # Campus's request lines
    }
)


class TerminalFilter:
    """Whether a person needs a line of one child's stream (stdout or stderr, each its own).

    A log record is shown when it is a warning or worse, or comes from FOR_PEOPLE_LOGGERS; the
    lines after it (a traceback, an email's text) go with it. A traceback or a warning that no
    logger wrote is always shown. Anything else — INFO records such as the sweeper's three lines
    every 15 seconds, Celery's start-up banner, zoomsim's start-up — is routine: log file only.
    """

    def __init__(self) -> None:
        self.showing = False

    def wants(self, line: str) -> bool:
        if record := _CAMPUS_RECORD.match(line):
            self.showing = record["level"] in _SERIOUS or record["logger"] in FOR_PEOPLE_LOGGERS
        elif record := _PLAIN_RECORD.match(line):
            self.showing = record["level"] in _SERIOUS
        elif line.startswith(_TRACEBACK) or _PYTHON_WARNING.match(line):
            self.showing = True
        return self.showing


def _relay_output(name: str, stream: IO[bytes]) -> None:
    terminal_filter = TerminalFilter()
    for raw in iter(stream.readline, b""):
        text = raw.decode(errors="replace").rstrip()
        output.line(f"{name:>8} | {text}", to_terminal=terminal_filter.wants(text))


# --- The children ---------------------------------------------------------------------------------


def _how_it_ended(exit_code: int) -> str:
    if exit_code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-exit_code).name}"
    return f"exited with code {exit_code}"


@dataclass
class Child:
    name: str
    command: list[str]
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    relays: list[threading.Thread] = field(default_factory=list, repr=False)
    started_at: float = 0.0
    starts: int = 0
    quick_deaths: int = 0
    restart_at: float | None = None  # when a dead child is due to start again

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 -- our own fixed commands
            self.command,
            cwd=ROOT,
            env={**env, **self.extra_env},
            stdin=subprocess.DEVNULL,
            # Apart, so that what follows a log record on stderr (its traceback) is told from
            # what a child prints on stdout (Celery's banner).
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Its own process group: Ctrl-C reaches only this supervisor, which stops the
            # children in order, and a signal to the group also reaches a child's own children
            # (Celery's embedded beat, gunicorn's workers).
            start_new_session=True,
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.relays = [
            threading.Thread(target=_relay_output, args=(self.name, stream), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for relay in self.relays:
            relay.start()
        self.started_at = time.monotonic()
        self.starts += 1
        again = f", start {self.starts}" if self.starts > 1 else ""
        say(f"run_all: started {self.name} (pid {self.process.pid}{again})")

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def signal_group(self, signum: signal.Signals) -> None:
        if self.process is None:
            return
        # Also once the child itself has exited: what it left in its group goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def clear_away(self) -> None:
        """After the child exited: whatever it left in its group (a beat process, gunicorn
        workers holding the port) is killed, and the last of its output relayed."""
        self.signal_group(signal.SIGKILL)
        for relay in self.relays:
            relay.join(timeout=2)

    def restart_delay(self, now: float) -> float:
        if now - self.started_at >= RAN_LONG_ENOUGH_SECONDS:
            self.quick_deaths = 0
        delay = min(RESTART_MAX_DELAY_SECONDS, RESTART_FIRST_DELAY_SECONDS * 2.0**self.quick_deaths)
        self.quick_deaths += 1
        return delay


class Supervisor:
    def __init__(self, children: list[Child], env: dict[str, str]) -> None:
        self.children = children
        self.env = env
        self.stop_reason: str | None = None

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_reason = f"received {signal.Signals(signum).name}"

    def start_all(self) -> None:
        for child in self.children:
            child.start(self.env)

    def all_running(self) -> bool:
        return all(child.process is not None and child.exit_code is None for child in self.children)

    def look_after_children(self) -> None:
        """Start again, after its pause, any child that died; the others carry on."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at and self.stop_reason is None:
                    child.restart_at = None
                    child.start(self.env)
            elif (exit_code := child.exit_code) is not None:
                child.clear_away()
                delay = child.restart_delay(now)
                child.restart_at = now + delay
                say(
                    f"run_all: {child.name} {_how_it_ended(exit_code)}; "
                    f"starting it again in {delay:.0f}s"
                )

    def stop_all(self) -> None:
        say(f"run_all: {self.stop_reason} — stopping {', '.join(c.name for c in self.children)}")
        for child in self.children:
            if child.exit_code is None:
                child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"run_all: {child.name} did not stop within {GRACE_SECONDS:.0f}s; killing it")
                child.signal_group(signal.SIGKILL)
                child.process.wait()
            child.clear_away()
        say("run_all: everything stopped")


# --- Before starting ------------------------------------------------------------------------------


def port_problem(host: str, port: int) -> str | None:
    """Why a server could not listen on host:port, or None when it can."""
    with socket.socket() as probe:
        # As gunicorn and uvicorn do: a port the last run left in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is taken: another program is listening there"
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def ports_problem(host: str, web_port: int, zoomsim_port: int) -> str | None:
    if web_port == zoomsim_port:
        return f"Campus and zoomsim cannot share port {web_port}"
    for port in (web_port, zoomsim_port):
        if (problem := port_problem(host, port)) is not None:
            return problem
    return None


def answers(url: str) -> bool:
    """Whether an HTTP server answers at all (an error status is an answer)."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 -- our own loopback URL
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def run_step(description: str, command: list[str], env: dict[str, str]) -> None:
    """A step before the children start: its output to the log file, and to the terminal too
    when it fails."""
    say(f"run_all: {description}")
    result = subprocess.run(  # noqa: S603 -- our own fixed commands
        command, cwd=ROOT, env=env, check=False, capture_output=True, text=True
    )
    failed = result.returncode != 0
    for text in (result.stdout + result.stderr).splitlines():
        output.line(f"    step | {text}", to_terminal=failed)
    if failed:
        say(f"run_all: {description} failed with code {result.returncode}; nothing was started")
        sys.exit(result.returncode)


# Where Campus takes Zoom's OAuth redirect and Zoom's webhooks (zoom_integration/urls.py).
CALLBACK_PATH = "/admin-tools/integrations/zoom/callback"
WEBHOOK_PATH = "/zoom/webhooks/"


def point_zoomsim_at_campus(zoomsim_url: str, web_url: str, client_id: str) -> None:
    """Register this Campus's addresses with zoomsim's demo app, as an app developer does in the
    Zoom Marketplace, so connecting and webhooks work on whatever port Campus runs."""
    request = urllib.request.Request(  # noqa: S310 -- our own loopback URL
        f"{zoomsim_url}/_sim/apps/{client_id}",
        method="PATCH",
        headers={"Content-Type": "application/json"},
        data=json.dumps(
            {
                "redirect_urls": [web_url + CALLBACK_PATH],
                "webhook_url": web_url + WEBHOOK_PATH,
            }
        ).encode(),
    )
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass


def zoom_sign_ins(seed: Path) -> list[str]:
    """The demo Zoom account's people, admins first: who may authorize Campus, and who may not."""
    account = json.loads(seed.read_text())["accounts"][0]
    lines = []
    for role in ("admin", "owner", "member"):
        for user in account["users"]:
            if user.get("role") == role and user.get("status", "active") == "active":
                note = "" if role != "member" else "   (not a Zoom admin: Campus refuses it)"
                lines.append(f"  {user['email']:<24} {user['password']:<13} Zoom {role}{note}")
                if role == "member":
                    return lines
    return lines


def banner(args: argparse.Namespace, web_url: str, zoomsim_url: str) -> str:
    organization_names = {slug: name for slug, name, _ in DEMO_ORGANIZATIONS}
    people = "\n".join(
        f"  {person.email:<24} {DEMO_PASSWORD:<13} "
        f"{person.description} · {organization_names[person.organization_slug]}"
        for person in DEMO_PEOPLE
    )
    zoom_account = json.loads(args.zoomsim_seed.read_text())["accounts"][0]["name"]
    lines = [
        "",
        "=" * 78,
        "Campus is running.",
        f"  Campus           {web_url}/",
        f"  Zoom (zoomsim)   {zoomsim_url}/",
        f"  Email            printed here and written to {args.var_dir / 'mail'}",
        f"  Full log         {args.var_dir / LOG_FILE}",
        "                   (here: requests, emails, warnings, errors and restarts)",
        "",
        "Sign in to Campus:",
        people,
        "",
        f"When Campus sends you to Zoom, sign in to the {zoom_account} Zoom account as:",
        *zoom_sign_ins(args.zoomsim_seed),
    ]
    lines += ["", "Ctrl-C stops everything.", "=" * 78, ""]
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--web-port", type=int, default=int(os.environ.get("CAMPUS_WEB_PORT", "8000"))
    )
    parser.add_argument(
        "--zoomsim-port", type=int, default=int(os.environ.get("ZOOMSIM_PORT", "8001"))
    )
    parser.add_argument(
        "--var-dir",
        type=Path,
        default=Path(os.environ.get("CAMPUS_VAR_DIR", ROOT / "var")),
        help="database, keys, broker folders, mail, logs and zoomsim state (default: var/)",
    )
    parser.add_argument("--zoomsim-seed", type=Path, default=ZOOMSIM_DEMO_SEED)
    return parser.parse_args(argv)


def children_for(args: argparse.Namespace) -> list[Child]:
    return [
        Child(
            "zoomsim",
            [
                PYTHON, "-m", "zoomsim",
                "--host", args.host,
                "--port", str(args.zoomsim_port),
                "--seed", str(args.zoomsim_seed),
                "--state", str(args.var_dir / "zoomsim-state.json"),
                "--log-level", "info",
            ],
        ),
        Child(
            "web",
            # The production server, as at scale (campus/gunicorn_config.py).
            [PYTHON, "-m", "gunicorn", "-c", "python:campus.gunicorn_config",
             "campus.wsgi:application"],
            extra_env={"CAMPUS_BIND": f"{args.host}:{args.web_port}"},
        ),
        Child(
            "worker",
            [
                PYTHON, "-m", "celery", "-A", "campus", "worker",
                "--beat", "--schedule", str(args.var_dir / "celery" / "beat-schedule"),
                "--pool=threads", "--concurrency=4", "--loglevel=info",
                # The filesystem broker has no broadcast: no gossip, mingle or heartbeats.
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--hostname", "campus@%h",
            ],
        ),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    # Everything under var/ (the database and its WAL, keys, mail, logs) private to its owner;
    # the children inherit it.
    os.umask(0o077)
    args = parse_arguments(argv)
    if importlib.util.find_spec("django") is None:
        say(
            f"run_all: {PYTHON} has no Django: run `make run` (it sets up .venv and uses it), "
            "or .venv/bin/python scripts/run_all.py"
        )
        return 2
    if (problem := ports_problem(args.host, args.web_port, args.zoomsim_port)) is not None:
        say(
            f"run_all: {problem}. Nothing was started. Stop it, or choose other ports: "
            "make run WEB_PORT=8400 ZOOMSIM_PORT=8401"
        )
        return 1
    args.var_dir = args.var_dir.resolve()
    args.var_dir.mkdir(parents=True, exist_ok=True)
    output.open_log(args.var_dir / LOG_FILE)
    web_url = f"http://{args.host}:{args.web_port}"
    zoomsim_url = f"http://{args.host}:{args.zoomsim_port}"

    env = dict(os.environ)
    env["CAMPUS_VAR_DIR"] = str(args.var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env["DJANGO_SETTINGS_MODULE"] = "campus.settings"
    # Explicit settings win; otherwise Campus talks to the zoomsim started here.
    env.setdefault("CAMPUS_BASE_URL", web_url)
    env.setdefault("ZOOM_OAUTH_BASE_URL", zoomsim_url)
    env.setdefault("ZOOM_API_BASE_URL", f"{zoomsim_url}/v2")

    run_step("migrating the database", [PYTHON, "manage.py", "migrate", "--noinput"], env)
    run_step(
        "collecting the static files", [PYTHON, "manage.py", "collectstatic", "--noinput"], env
    )
    run_step("seeding the demo data", [PYTHON, "manage.py", "seed_demo"], env)

    supervisor = Supervisor(children_for(args), env)
    signal.signal(signal.SIGINT, supervisor.on_signal)
    signal.signal(signal.SIGTERM, supervisor.on_signal)
    supervisor.start_all()

    ready_by = time.monotonic() + READY_TIMEOUT_SECONDS
    announced = False
    while supervisor.stop_reason is None:
        supervisor.look_after_children()
        if (
            not announced
            # Ours that answer, not a server that took a port after the check above.
            and supervisor.all_running()
            and answers(f"{web_url}/sign-in/")
            and answers(f"{zoomsim_url}/v2/users/me")
        ):
            if env["ZOOM_OAUTH_BASE_URL"] == zoomsim_url:
                point_zoomsim_at_campus(zoomsim_url, web_url, env.get("ZOOM_CLIENT_ID", DEMO_APP))
            say(banner(args, web_url, zoomsim_url))
            announced = True
        elif not announced and time.monotonic() > ready_by:
            supervisor.stop_reason = f"not answering after {READY_TIMEOUT_SECONDS:.0f}s"
            break
        time.sleep(0.2)

    supervisor.stop_all()
    return 0 if supervisor.stop_reason and supervisor.stop_reason.startswith("received") else 1


if __name__ == "__main__":
    sys.exit(main())
