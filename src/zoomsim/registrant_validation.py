"""Request bodies of the registrant endpoints: add one, add a batch, change their status.

Limits are the Meetings spec's: `email` ≤128, `first_name` and `last_name` ≤64, a custom
question's `value` ≤128, at most 30 registrants per batch or status change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zoomsim.meeting_json import REGISTRANT_PROFILE_FIELDS
from zoomsim.request_checks import INVALID, FieldChecks

MAX_PER_CALL = 30
STATUS_ACTIONS = ("approve", "cancel", "deny")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class RegistrantInput:
    email: str
    first_name: str
    last_name: str
    extra: dict[str, Any] = field(default_factory=dict)  # profile fields, kept as sent


@dataclass
class RegistrationRequest:
    registrants: list[RegistrantInput]
    auto_approve: bool


@dataclass
class StatusChange:
    action: str
    targets: list[dict[str, str]]  # each {"id": ...} and/or {"email": ...}


def _person(checks: FieldChecks, body: dict[str, Any]) -> RegistrantInput | None:
    email = checks.string(body, "email", required=True, max_length=128)
    if email is not None and not _EMAIL.match(email):
        checks.fail("email", INVALID)
        email = None
    first_name = checks.string(body, "first_name", required=True, max_length=64)
    last_name = checks.string(body, "last_name", max_length=64)
    if email is None or first_name is None:
        return None
    return RegistrantInput(email=email, first_name=first_name, last_name=last_name or "")


def parse_registrant_body(body: dict[str, Any]) -> RegistrationRequest:
    """POST /meetings/{id}/registrants."""
    checks = FieldChecks()
    person = _person(checks, body)
    for name in REGISTRANT_PROFILE_FIELDS:
        checks.string(body, name)
    checks.string(body, "language")
    auto_approve = checks.boolean(body, "auto_approve")
    questions = checks.array(body, "custom_questions")
    for index, question in enumerate(questions or []):
        if not isinstance(question, dict):
            checks.fail(f"custom_questions[{index}]")
            continue
        question_checks = checks.nested(f"custom_questions[{index}]")
        question_checks.string(question, "title")
        question_checks.string(question, "value", max_length=128)
    checks.raise_if_failed()
    assert person is not None  # every way to None above recorded an error
    person.extra = {
        key: value
        for key, value in body.items()
        if key not in ("email", "first_name", "last_name", "auto_approve") and value is not None
    }
    return RegistrationRequest([person], bool(auto_approve))


def parse_batch_body(body: dict[str, Any]) -> RegistrationRequest:
    """POST /meetings/{id}/batch_registrants: up to 30 `{email, first_name, last_name}`."""
    checks = FieldChecks()
    auto_approve = checks.boolean(body, "auto_approve")
    checks.boolean(body, "registrants_confirmation_email")
    items = checks.array(body, "registrants", required=True, max_items=MAX_PER_CALL)
    people: list[RegistrantInput] = []
    for index, item in enumerate(items or []):
        if not isinstance(item, dict):
            checks.fail(f"registrants[{index}]")
            continue
        person = _person(checks.nested(f"registrants[{index}]"), item)
        if person is not None:
            people.append(person)
    if items == []:
        checks.fail("registrants", "This field is required.")
    checks.raise_if_failed()
    return RegistrationRequest(people, bool(auto_approve))


def parse_status_body(body: dict[str, Any]) -> StatusChange:
    """PUT /meetings/{id}/registrants/status: `{action, registrants: [{id, email}]}`."""
    checks = FieldChecks()
    action = checks.string(body, "action", required=True, choices=STATUS_ACTIONS)
    items = checks.array(body, "registrants", required=True, max_items=MAX_PER_CALL)
    targets: list[dict[str, str]] = []
    for index, item in enumerate(items or []):
        if not isinstance(item, dict):
            checks.fail(f"registrants[{index}]")
            continue
        item_checks = checks.nested(f"registrants[{index}]")
        errors_before = len(checks.errors)
        target = {
            key: value
            for key in ("id", "email")
            if (value := item_checks.string(item, key)) is not None and value
        }
        if not target and len(checks.errors) == errors_before:
            item_checks.fail("id", "Either id or email is required.")
        targets.append(target)
    if items == []:
        checks.fail("registrants", "This field is required.")
    checks.raise_if_failed()
    assert action is not None
    return StatusChange(action, targets)
