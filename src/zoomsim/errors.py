"""Zoom's error shape: `{"code": <int>, "message": "..."}` with Zoom's HTTP status and code."""

from __future__ import annotations

from typing import Any


class ZoomErrorResponse(Exception):
    """Raised by a handler to answer with Zoom's error body; nothing it raised changed state."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid_json() -> ZoomErrorResponse:
    return ZoomErrorResponse(400, 300, "Request Body should be a valid JSON object.")


def invalid_parameter(name: str) -> ZoomErrorResponse:
    """A query parameter Zoom does not accept (bad value, or one zoomsim cannot honour)."""
    return ZoomErrorResponse(400, 300, f"Invalid parameter: {name}.")


def unauthorized(message: str) -> ZoomErrorResponse:
    """Zoom's 401/124: "Requires an access token.", "Invalid access token." or "Access token is
    expired."."""
    return ZoomErrorResponse(401, 124, message)


def meeting_not_found(meeting_id: object) -> ZoomErrorResponse:
    return ZoomErrorResponse(404, 3001, f"Meeting does not exist: {meeting_id}.")


def user_not_found(user_id: object) -> ZoomErrorResponse:
    return ZoomErrorResponse(404, 1001, f"User does not exist: {user_id}.")


def no_recording() -> ZoomErrorResponse:
    return ZoomErrorResponse(404, 3301, "There is no recording for this meeting.")


# The control API (/_sim/...) answers in Zoom's shape too, with the HTTP status as the code.
def control_bad_request(message: str) -> ZoomErrorResponse:
    return ZoomErrorResponse(400, 400, message)


def control_not_found(message: str) -> ZoomErrorResponse:
    return ZoomErrorResponse(404, 404, message)


class OAuthErrorResponse(Exception):
    """zoom.us/oauth errors: `{"reason": "...", "error": "..."}` plus Zoom's 47xx code."""

    def __init__(self, status: int, error: str, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason
        self.code = code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": self.reason, "error": self.error}
        if self.code is not None:
            body["code"] = self.code
        return body
