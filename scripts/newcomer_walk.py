"""Walk the README's "Your first live event in ten minutes" for real, with screenshots.

Starts `make run WEB_PORT=… ZOOMSIM_PORT=…` on free ports with a scratch var/ (in the background,
its output in that folder's make-run.log), then drives Debian's Chromium with Playwright through
the README's steps: the Org Admin connects Zoom, the Course Builder adds a Zoom event whose
session starts in a few minutes, a learner registers; `manage.py play_meeting --lesson … --wait`
plays and ends the meeting on zoomsim and waits for the attendance; zoomsim's /sim/ page and the
lesson page are shown afterwards. Screenshots go to docs/screenshots/newcomer-*.png. Stops the
stack at the end, whatever happened.

    .venv/bin/python scripts/newcomer_walk.py [--keep-var]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "campus-demo"
MAKE = shutil.which("make") or "make"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"newcomer-{name}.png"), full_page=True)
    say(f"  screenshot docs/screenshots/newcomer-{name}.png")


def sign_in(page: Page, campus: str, email: str) -> None:
    page.goto(f"{campus}/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Courses")).to_be_visible()


def walk(campus: str, zoom: str, env: dict[str, str]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        size: ViewportSize = {"width": 1280, "height": 900}
        admin = browser.new_context(viewport=size).new_page()
        say("1. The Org Admin connects Zoom")
        sign_in(admin, campus, "admin@campus.test")
        admin.get_by_label("Admin Tools").click()
        admin.get_by_role("link", name="ADVANCED SETTINGS").click()
        admin.get_by_role("link", name="INTEGRATIONS").click()
        admin.get_by_role("link", name="CONFIGURE").click()
        admin.get_by_label("Enable Account-Level Integration with Zoom").check()
        admin.get_by_role("button", name="AUTHENTICATE CAMPUS CONNECTOR").click()
        admin.locator("#email").fill("admin@acme.test")
        admin.locator("#password").fill("zoom-admin")
        admin.locator("button[type=submit]").first.click()
        admin.locator("#authorize").click()
        expect(admin.locator("#zoom-status")).to_have_text("Connected")
        shot(admin, "01-zoom-connected")

        say("2. The Course Builder adds a Zoom event whose session starts in 5 minutes")
        builder = browser.new_context(viewport=size).new_page()
        sign_in(builder, campus, "builder@campus.test")
        builder.get_by_role("link", name="Courses").click()
        builder.locator(".course-card").first.click()
        builder.locator("a:has(.lesson-number)").first.click()
        lesson_url = builder.url.split("?")[0]
        lesson_id = lesson_url.rstrip("/").rsplit("/", 1)[1]
        builder.get_by_label("Lesson settings").click()
        builder.get_by_role("link", name="EDIT CONTENT").click()
        builder.locator(".add-slot").first.hover()
        builder.locator(".add-link").first.click()
        builder.get_by_role("dialog", name="Components").get_by_role(
            "link", name="LIVE VIDEO EVENTS"
        ).click()
        chooser = builder.get_by_role("dialog", name="Add Live Video Events")
        chooser.get_by_role("radio", name="ZOOM MEETING").check()
        chooser.get_by_role("button", name="NEXT").click()
        builder.get_by_label("Topic").fill("My first live event")
        row = builder.locator("[data-session-row]").nth(0)
        starts = datetime.now(UTC) + timedelta(minutes=5)
        row.get_by_label("Start Time").fill(starts.strftime("%Y-%m-%dT%H:%M"))
        row.get_by_label("Time Zone").fill("UTC")
        row.get_by_label("Duration").fill("30")
        builder.get_by_label("Host", exact=True).fill("host@acme.test")
        builder.get_by_role("button", name="VALIDATE").click()
        expect(builder.locator("#host-verdicts")).to_contain_text("can host this meeting")
        builder.get_by_label("Auto-record the meeting on Cloud").check()
        builder.get_by_label("Automatically upload the cloud recording to the lesson page").check()
        shot(builder, "02-zoom-meeting-form")
        builder.get_by_role("button", name="ADD", exact=True).click()
        expect(builder.get_by_text("“My first live event” added with 1 session")).to_be_visible()
        deadline = time.monotonic() + 60
        while "Scheduled at Zoom" not in builder.content():
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not schedule the meeting at Zoom within 60 s")
            time.sleep(1)
            builder.reload()
        shot(builder, "03-event-scheduled")

        say("3. A learner registers")
        learner = browser.new_context(viewport=size).new_page()
        sign_in(learner, campus, "learner1@campus.test")
        learner.goto(lesson_url)
        session = learner.locator(".session").last
        session.get_by_role("button", name="Register").click()
        expect(learner.get_by_text("You are registered for session 1")).to_be_visible()
        deadline = time.monotonic() + 60
        while not learner.locator(".session").last.get_by_role("link", name="Join").count():
            if time.monotonic() > deadline:
                raise SystemExit("the learner's personal link did not come within 60 s")
            time.sleep(1)
            learner.reload()
        shot(learner, "04-learner-registered")

        say(f"4. The meeting: manage.py play_meeting --lesson {lesson_id} --wait 300")
        played = subprocess.run(  # noqa: S603 -- our own command
            [sys.executable, "manage.py", "play_meeting", "--lesson", lesson_id, "--wait", "300"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        say(played.stdout + played.stderr)
        if played.returncode != 0:
            raise SystemExit("play_meeting failed")
        if "attendance fetched" not in played.stdout:
            raise SystemExit("the attendance did not come back")

        say("5. zoomsim's /sim/ page and the lesson page afterwards")
        sim = browser.new_context(viewport=size).new_page()
        sim.goto(f"{zoom}/sim/")
        shot(sim, "05-zoomsim-meeting-ended")
        learner.reload()
        shot(learner, "06-lesson-page-after")
        builder.goto(lesson_url)
        shot(builder, "07-lesson-page-after-course-admin")
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--keep-var", action="store_true")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="campus-newcomer-"))
    web_port, zoomsim_port = free_port(), free_port()
    campus, zoom = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{zoomsim_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    # What a newcomer on other ports sets for manage.py (make run sets them for its children).
    env.update(
        CAMPUS_VAR_DIR=str(var_dir),
        ZOOM_API_BASE_URL=f"{zoom}/v2",
        ZOOM_OAUTH_BASE_URL=zoom,
        CAMPUS_BASE_URL=campus,
    )
    log_path = var_dir / "make-run.log"
    say(f"make run WEB_PORT={web_port} ZOOMSIM_PORT={zoomsim_port} (log {log_path})")
    with log_path.open("wb") as log:
        stack = subprocess.Popen(  # noqa: S603 -- `make run`, as the README says
            [MAKE, "--no-print-directory", "run", f"WEB_PORT={web_port}",
             f"ZOOMSIM_PORT={zoomsim_port}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while "Ctrl-C stops everything." not in log_path.read_text(errors="replace"):
            if stack.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"make run did not come up; see {log_path}")
            time.sleep(0.5)
        walk(campus, zoom, env)
    finally:
        os.killpg(stack.pid, signal.SIGINT)  # Ctrl-C, as the README says
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
        say("make run stopped")
        if not args.keep_var:
            shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
