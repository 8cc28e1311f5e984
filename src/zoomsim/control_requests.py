"""Reading control-API requests (`/_sim/...`): the JSON body and its typed fields.

Bad input is a 400 in the control shape (`errors.control_bad_request`), raised before the handler
changes anything.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from zoomsim.errors import control_bad_request
from zoomsim.json_bodies import finite_number, parse_json

Body = dict[str, Any]


async def json_object(request: Request) -> Body:
    """The body as a JSON object; an empty body is an empty object."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = parse_json(raw)
    except ValueError as exc:
        raise control_bad_request("Request body should be a valid JSON object.") from exc
    if not isinstance(body, dict):
        raise control_bad_request("Request body should be a valid JSON object.")
    return body


def reject_unknown(body: Body, allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise control_bad_request(f"Unknown field(s): {', '.join(unknown)}.")


def number(body: Body, name: str, default: float) -> float:
    value = finite_number(body.get(name, default))
    if value is None:
        raise control_bad_request(f"{name} must be a (finite) number.")
    return value


def integer(body: Body, name: str, default: int | None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise control_bad_request(f"{name} must be an integer.")
    return value


def text(body: Body, name: str, default: str) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise control_bad_request(f"{name} must be a string.")
    return value


def flag(body: Body, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise control_bad_request(f"{name} must be true or false.")
    return value
