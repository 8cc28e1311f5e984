"""Structured log lines, with secrets redacted whatever a caller passes."""

from __future__ import annotations

import logging
import sys

from django.test import RequestFactory

from campus.log_format import StructuredFormatter


def formatted(message: str, *args: object, **extra: object) -> str:
    record = logging.LogRecord("zoom.webhooks", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return StructuredFormatter().format(record)


def test_line_has_time_level_logger_message_and_extra_fields() -> None:
    line = formatted("zoom.webhook.bad_signature", zoom_account_id="acct-1", event_id=7)

    when, level, logger, message, *fields = line.split(" ")
    assert when.endswith("+00:00")
    assert (level, logger, message) == ("WARNING", "zoom.webhooks", "zoom.webhook.bad_signature")
    assert fields == ["event_id=7", "zoom_account_id='acct-1'"]


def test_fields_named_like_secrets_are_redacted() -> None:
    line = formatted(
        "zoom.token.refreshed",
        access_token="eyJ-access",
        refresh_token="eyJ-refresh",
        client_secret="shh",
        authorization="Bearer eyJ",
        password="hunter2",
    )

    for secret in ("eyJ-access", "eyJ-refresh", "shh", "Bearer eyJ", "hunter2"):
        assert secret not in line
    assert "access_token=[redacted]" in line


def test_oauth_query_values_in_request_lines_are_redacted() -> None:
    line = formatted('"%s" %s', "GET /zoom/callback?code=abc123&state=xyz&page=2 HTTP/1.1", 200)

    assert "abc123" not in line
    assert "xyz" not in line
    assert "?code=[redacted]&state=[redacted]&page=2" in line


def test_a_request_is_shown_without_its_query_string() -> None:
    request = RequestFactory().get("/zoom/callback", {"code": "abc123"})

    line = formatted("Not Found: %s", request.path, request=request, status_code=404)

    assert "abc123" not in line
    assert "request='GET /zoom/callback'" in line


def test_exceptions_are_appended() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "campus", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )

    assert "ValueError: boom" in StructuredFormatter().format(record)
