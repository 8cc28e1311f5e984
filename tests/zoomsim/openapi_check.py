"""Check a zoomsim response against Zoom's own OpenAPI specs: `assert_matches_spec(...)`.

The specs live beside the checkout, in `shared/zoom-openapi/` (see its SOURCE.md): the newest
Meetings spec (meetings, registrants, past_meetings, report, recordings) and the Users spec
(`GET /users` and `GET /users/{userId}`; Zoom split users out of the Meetings spec). They are
OpenAPI 3.0, so the schemas are turned into plain JSON Schema (draft 4, which 3.0's Schema Object
extends) first:

- `$ref`s are inlined from the same document. A `$ref` that points back into its own ancestry
  (a recursive schema) becomes `{}`; none of the responses we check recurse.
- `nullable: true` widens `type` by `"null"` (3.0's spelling of it; none of today's files use it,
  but Zoom's official downloads have).
- `format` is ignored except `date-time`, checked loosely (`2026-12-01T15:00:00Z`, offsets and
  fractions allowed): Zoom's `format: email`/`int64`/`uri` annotations are not enforced by Zoom
  either (e.g. `host_email` may be "" for some hosts).
- The ballerina-sanitized Meetings spec adds `x-ballerina-name` and flattens inline schemas into
  `InlineResponseNNN`/`...AllOfN` components; those are plain `$ref`/`allOf`, handled above. Its
  descriptions sometimes name a different status than the response key (batch_registrants' 201 says
  "HTTP Status Code: 200"): the response *key* is what we trust.

Where the specs and `shared/reference/zoom-api.md` disagree, the reference wins, because it was
compiled from captured real responses while the specs are hand-maintained documentation:

- Extra response fields. The schemas do not set `additionalProperties`, so JSON Schema would let
  anything through and a misspelt zoomsim field would go unnoticed. We close the *top level* of
  every documented 2xx object: a top-level field must be in the schema or listed in
  `UNDOCUMENTED_BUT_REAL` below with the reason Zoom really sends it (e.g. the create-meeting
  schema omits `uuid`, `host_id`, `status`, which real 201s carry, reference §2.1). Nested objects
  (`settings`, list items) stay open as the spec says.
- 401. Zoom answers 401/124 on every endpoint for a missing, expired or revoked token, documented
  once in "Using Zoom APIs" rather than per operation, so 401 is accepted everywhere (with the
  error shape).
- Errors. 4xx responses in these specs have no schema; their descriptions list `Error Code: N`.
  Zoom's error body is `{"code": int, "message": str}` (plus `errors: [{field, message}]` for 300
  "Validation Failed."), which is what we check.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from jsonschema import Draft4Validator

SHARED = Path(__file__).resolve().parents[3] / "shared" / "zoom-openapi"
MEETINGS_SPEC = "meetings-v2.2025-06.ballerina-sanitized.openapi.json"
USERS_SPEC = "users-v2.2026-02.official.openapi.json"

# Paths served from the Users spec; everything else zoomsim serves is in the Meetings spec.
USERS_SPEC_PATHS = frozenset({"/users", "/users/{userId}"})

# Statuses Zoom can answer on any operation although no operation documents them.
GLOBAL_STATUSES = frozenset({401})

# Statuses Zoom really answers that the 2025 Meetings spec documents differently. The reference wins
# (reference §2: DELETE recordings answers 204, per the 2023 official spec [P23] and integrators'
# captures); the 2025 spec's "200" for these deletes has no body schema either, so only the status
# differs, and the body is checked as a 204's: empty.
REAL_STATUSES: dict[tuple[str, str], frozenset[int]] = {
    ("DELETE", "/meetings/{meetingId}/recordings"): frozenset({204}),
    ("DELETE", "/meetings/{meetingId}/recordings/{recordingId}"): frozenset({204}),
    # The operation documents no 400 at all, yet a token without its scope is 400/4711 on every
    # endpoint (reference §1.3) and an expired next_page_token 400/300 on every list (§2.2).
    ("GET", "/users/{userId}/recordings"): frozenset({400}),
}

# (method, path) -> top-level fields Zoom really returns that the operation's schema omits.
UNDOCUMENTED_BUT_REAL: dict[tuple[str, str], frozenset[str]] = {
    # Reference §2.1: "The create schema omits uuid, host_id and status, but real responses include
    # them (captured responses in public code)."
    ("POST", "/users/{userId}/meetings"): frozenset({"uuid", "host_id", "status"}),
    # Reference §2.1 lists `registration_url` among the "Create and GET response" fields; the GET
    # schema (InlineResponse20013) only has it on create.
    ("GET", "/meetings/{meetingId}"): frozenset({"registration_url"}),
    # Reference §2.1 "Recordings" lists `share_url` among the top-level fields (and §5 has it in
    # recording.completed); the GET schema (InlineResponse2003) leaves it out.
    ("GET", "/meetings/{meetingId}/recordings"): frozenset({"share_url"}),
}

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@cache
def _spec(name: str) -> dict[str, Any]:
    path = SHARED / name
    if not path.is_file():
        raise AssertionError(
            f"Zoom OpenAPI spec not found: {path}. The specs live in shared/zoom-openapi/ beside "
            "the checkout (the repository root's parent directory); copy shared/ there (CI does)."
        )
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return spec


def _spec_for(path_template: str) -> dict[str, Any]:
    return _spec(USERS_SPEC if path_template in USERS_SPEC_PATHS else MEETINGS_SPEC)


def _operation(method: str, path_template: str) -> dict[str, Any]:
    spec = _spec_for(path_template)
    item = spec["paths"].get(path_template)
    if item is None:
        raise AssertionError(f"{path_template} is not a path of the Zoom spec (relative to /v2)")
    operation = item.get(method.lower())
    if operation is None:
        raise AssertionError(f"{method.upper()} {path_template} is not in the Zoom spec")
    result: dict[str, Any] = operation
    return result


def _resolve_pointer(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise AssertionError(f"only local $refs are expected in Zoom's specs, got {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _to_json_schema(node: Any, document: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """OpenAPI 3.0 schema → self-contained draft-4 JSON Schema (refs inlined, nullable applied)."""
    if isinstance(node, list):
        return [_to_json_schema(item, document, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            return {}
        return _to_json_schema(_resolve_pointer(document, ref), document, (*seen, ref))
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("example", "examples", "x-ballerina-name", "x-enum-descriptions"):
            continue  # annotations; examples can hold anything, so never walk them as schemas
        if key == "properties" and isinstance(value, dict):
            converted[key] = {
                name: _to_json_schema(sub, document, seen) for name, sub in value.items()
            }
        else:
            converted[key] = _to_json_schema(value, document, seen)
    if converted.pop("nullable", False) is True and "type" in converted:
        types = converted["type"] if isinstance(converted["type"], list) else [converted["type"]]
        converted["type"] = [*types, "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    if isinstance(converted.get("format"), str) and converted["format"] != "date-time":
        del converted["format"]
    return converted


@cache
def _response_schema(method: str, path_template: str, status: str) -> dict[str, Any] | None:
    response = _operation(method, path_template)["responses"][status]
    content = response.get("content") or {}
    media = content.get("application/json")
    if not media or "schema" not in media:
        return None
    schema: dict[str, Any] = _to_json_schema(
        copy.deepcopy(media["schema"]), _spec_for(path_template)
    )
    return schema


def _top_level_properties(schema: dict[str, Any]) -> set[str] | None:
    """Field names the schema documents at its top level, through allOf/oneOf/anyOf."""
    names: set[str] = set(schema.get("properties", {}))
    found = "properties" in schema
    for combinator in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(combinator, []):
            sub = _top_level_properties(part)
            if sub is not None:
                names |= sub
                found = True
    return names if found else None


def _error_shape_problem(body: Any) -> str | None:
    """What is wrong with `body` as Zoom's error body, or None when it is right."""
    if not isinstance(body, dict):
        return "error body is not an object"
    code, message = body.get("code"), body.get("message")
    if not isinstance(code, int) or isinstance(code, bool):
        return f"error `code` must be an integer, got {code!r}"
    if not isinstance(message, str) or not message:
        return f"error `message` must be a non-empty string, got {message!r}"
    if "errors" not in body:
        return None
    errors = body["errors"]
    if not isinstance(errors, list) or not errors:
        return "`errors` must be a non-empty list"
    for item in errors:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) for key in ("field", "message")
        ):
            return f"each of `errors` must be {{field, message}}, got {item!r}"
    return None


def _assert_error_shape(response: httpx.Response, where: str) -> None:
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"{where}: error body is not JSON: {response.text[:200]!r}") from exc
    problem = _error_shape_problem(body)
    assert problem is None, f"{where}: {problem} in {body!r}"


def assert_matches_spec(response: httpx.Response, method: str, path_template: str) -> None:
    """Fail unless `response` is what Zoom's spec documents for `METHOD /v2{path_template}`.

    `path_template` is the spec's path relative to /v2, e.g. "/meetings/{meetingId}/registrants".
    """
    method = method.upper()
    where = f"{method} {path_template} → {response.status_code}"
    operation = _operation(method, path_template)
    documented = set(operation.get("responses", {}))
    status = str(response.status_code)
    real = REAL_STATUSES.get((method, path_template), frozenset())
    if (
        status not in documented
        and response.status_code not in GLOBAL_STATUSES
        and response.status_code not in real
    ):
        raise AssertionError(
            f"{where}: status not documented for this operation (documented: "
            f"{sorted(documented)}); body: {response.text[:300]!r}"
        )
    if response.status_code >= 400:
        _assert_error_shape(response, where)
        return
    schema = _response_schema(method, path_template, status) if status in documented else None
    if schema is None:
        # 204s and other body-less successes: Zoom sends no body at all.
        assert response.content == b"", f"{where}: expected no body, got {response.text[:200]!r}"
        return
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"{where}: body is not JSON: {response.text[:200]!r}") from exc
    errors = sorted(
        Draft4Validator(schema, format_checker=_FORMATS).iter_errors(body),
        key=lambda error: list(error.absolute_path),
    )
    if errors:
        lines = [
            f"  at {'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
            for error in errors[:10]
        ]
        detail = "\n".join(lines)
        raise AssertionError(f"{where}: body does not match the spec's schema:\n{detail}")
    documented_fields = _top_level_properties(schema)
    if documented_fields is not None and isinstance(body, dict):
        allowed = documented_fields | UNDOCUMENTED_BUT_REAL.get((method, path_template), set())
        unknown = sorted(set(body) - allowed)
        assert not unknown, (
            f"{where}: top-level fields not in Zoom's schema: {unknown}. If Zoom really sends "
            "them, list them in UNDOCUMENTED_BUT_REAL (tests/zoomsim/openapi_check.py) with the "
            "source; otherwise it is a zoomsim typo."
        )
