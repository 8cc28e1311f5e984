"""`make run`: Campus, its worker and zoomsim together, seeded, in one terminal; Ctrl-C stops all.

    python scripts/run_all.py [--web-port 8000] [--zoomsim-port 8001] [--var-dir var]

Steps: migrate, seed the demo data, then start three children — zoomsim, the web app, the Celery
worker with beat inside — each in its own process group, with its output prefixed by its name.
Once both servers answer, the addresses and every sign-in are printed. SIGINT or SIGTERM stops
every child (SIGTERM, then SIGKILL after a grace period); so does any child dying on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

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
ZOOMSIM_DEMO_SEED = ROOT / "seeds" / "zoomsim-demo.json"
DEMO_APP = "campus-client-id"  # the Campus app in zoomsim's demo seed
_print_lock = threading.Lock()


def say(message: str) -> None:
    with _print_lock:
        print(message, flush=True)  # noqa: T201 -- a command-line program


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    relay: threading.Thread | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 -- our own fixed commands
            self.command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C reaches only this supervisor, which stops the
            # children in order, and a signal to the group also reaches a child's own children
            # (Celery's embedded beat runs as a subprocess of the worker).
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self.relay = threading.Thread(
            target=_relay_output, args=(self.name, self.process.stdout), daemon=True
        )
        self.relay.start()
        say(f"run_all: started {self.name} (pid {self.process.pid})")

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def signal_group(self, signum: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


def _relay_output(name: str, stream: IO[bytes]) -> None:
    for raw in iter(stream.readline, b""):
        say(f"{name:>8} | {raw.decode(errors='replace').rstrip()}")


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stop_reason: str | None = None

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_reason = f"received {signal.Signals(signum).name}"

    def first_death(self) -> Child | None:
        return next((child for child in self.children if child.exit_code is not None), None)

    def should_stop(self) -> bool:
        if self.stop_reason is None and (dead := self.first_death()) is not None:
            self.stop_reason = (
                f"{dead.name} exited with code {dead.exit_code}; stopping everything else"
            )
        return self.stop_reason is not None

    def stop_all(self) -> None:
        say(f"run_all: {self.stop_reason} — stopping {', '.join(c.name for c in self.children)}")
        for child in self.children:
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
            # Whatever the child left behind in its group (a beat process) goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            if child.relay is not None:
                child.relay.join(timeout=2)
        say("run_all: everything stopped")


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
    say(f"run_all: {description}")
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
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
        help="database, keys, broker folders, mail and zoomsim state (default: var/)",
    )
    parser.add_argument("--zoomsim-seed", type=Path, default=ZOOMSIM_DEMO_SEED)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    args.var_dir = args.var_dir.resolve()
    args.var_dir.mkdir(parents=True, exist_ok=True)
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
    run_step("seeding the demo data", [PYTHON, "manage.py", "seed_demo"], env)

    children = [
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
            [
                PYTHON, "manage.py", "runserver", f"{args.host}:{args.web_port}",
                # No autoreloader: it would fork a second server this supervisor cannot see.
                # --insecure serves the stylesheet although DEBUG is off.
                "--noreload", "--insecure",
            ],
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
    supervisor = Supervisor(children)
    signal.signal(signal.SIGINT, supervisor.on_signal)
    signal.signal(signal.SIGTERM, supervisor.on_signal)
    for child in children:
        child.start(env)

    ready_by = time.monotonic() + READY_TIMEOUT_SECONDS
    announced = False
    while not supervisor.should_stop():
        if not announced and answers(f"{web_url}/") and answers(f"{zoomsim_url}/v2/users/me"):
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
