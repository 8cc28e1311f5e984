"""What `make run` shows in the terminal, line by line, of what its children write, and its log."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from scripts import run_all
from scripts.run_all import Output, TerminalFilter

from campus.log_format import StructuredFormatter
from campus.mail import ConsoleAndFileEmailBackend


def shown(lines: list[str]) -> list[str]:
    terminal_filter = TerminalFilter()
    return [line for line in lines if terminal_filter.wants(line)]


def formatted(logger: str, level: int, message: str, *, with_traceback: bool = False) -> list[str]:
    exc_info = None
    if with_traceback:
        try:
            raise RuntimeError("boom")
        except RuntimeError as error:
            exc_info = (type(error), error, error.__traceback__)
    record = logging.LogRecord(logger, level, __file__, 1, message, None, exc_info)
    return StructuredFormatter().format(record).splitlines()


def test_an_email_is_shown_whole(tmp_path: Path) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    mail_log = logging.getLogger("campus.mail")
    mail_log.addHandler(handler)
    mail_log.setLevel(logging.INFO)
    try:
        ConsoleAndFileEmailBackend(file_path=str(tmp_path)).send_messages(
            [EmailMessage("Zoom needs you", "Line one.\nLine two.", "c@campus.test", ["a@b.test"])]
        )
    finally:
        mail_log.removeHandler(handler)
    email = StructuredFormatter().format(records[0]).splitlines()
    sweep = formatted("celery.app.trace", logging.INFO, "Task work.sweep[1] succeeded in 0.01s: 0")

    assert shown(sweep + email + sweep) == email
    assert "  Line two." in email


def test_routine_records_and_banners_are_not_shown() -> None:
    lines = [
        *formatted("celery.beat", logging.INFO, "Scheduler: Sending due task work-sweep"),
        *formatted("celery.apps.worker", logging.INFO, "campus@vm ready."),
        " -------------- campus@vm v5.7.0 (collider)",  # Celery's banner, on stdout
        "[tasks]",
        "  . work.sweep",
        "INFO:     Started server process [15392]",  # zoomsim's uvicorn
        "zoomsim listening on http://127.0.0.1:8001",
    ]

    assert shown(lines) == []


def test_requests_warnings_errors_and_their_tracebacks_are_shown() -> None:
    request = formatted("gunicorn.access", logging.INFO, '"GET /sign-in/ HTTP/1.1" 200 1720 3ms')
    warning = formatted("django.request", logging.WARNING, "Not Found: /nowhere/")
    error = formatted("work.run", logging.ERROR, "work.failed", with_traceback=True)
    routine = formatted("work.run", logging.INFO, "work.done")
    uvicorn_error = ["ERROR:    [Errno 98] address already in use"]

    assert shown(request + warning + routine + error + routine + uvicorn_error) == (
        request + warning + error + uvicorn_error
    )
    assert any(line.startswith("Traceback (most recent call last):") for line in error)


def test_a_traceback_or_warning_no_logger_wrote_is_shown() -> None:
    crash = [
        "Traceback (most recent call last):",
        '  File "/x/celery/__main__.py", line 1, in <module>',
        "ModuleNotFoundError: No module named 'campus'",
    ]
    python_warning = [
        "/x/celery/platforms.py:893: SecurityWarning: You're running the worker with superuser",
        "absolutely not recommended!",
    ]
    routine = formatted("celery.beat", logging.INFO, "beat: Starting...")

    assert shown(routine + crash + routine + python_warning) == crash + python_warning


def test_a_large_log_is_set_aside_at_start_and_a_new_one_begun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_all, "LOG_FILE_KEEP_BYTES", 100)
    log_path = tmp_path / "log" / "run_all.log"
    log_path.parent.mkdir()
    log_path.write_text("old line\n" * 20)
    output = Output(io.StringIO())

    output.open_log(log_path)
    output.line("new line", to_terminal=False)

    assert log_path.with_name("run_all.log.1").read_text() == "old line\n" * 20
    assert log_path.read_text().endswith(" new line\n")
    assert "old line" not in log_path.read_text()
    assert output.terminal.getvalue() == ""  # type: ignore[attr-defined]
