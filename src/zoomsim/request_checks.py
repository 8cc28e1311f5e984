"""Checking request bodies the way Zoom does: every problem is collected, then one 400/300
"Validation Failed." names them all in `errors: [{field, message}]`.

Handlers check the whole body before they change anything, so a request that fails here leaves the
state as it was.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from zoomsim.errors import ZoomErrorResponse

INVALID = "Invalid field."
REQUIRED = "This field is required."


def too_long(max_length: int) -> str:
    return f"The length of this field must be at most {max_length} characters."


class FieldChecks:
    """Typed reads of a JSON object's fields that note what is wrong instead of raising."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.errors: list[dict[str, str]] = []

    def nested(self, prefix: str) -> FieldChecks:
        """Checks of a sub-object whose errors land in this one, named `prefix.field`."""
        child = FieldChecks(f"{self.prefix}{prefix}.")
        child.errors = self.errors
        return child

    def fail(self, key: str, message: str = INVALID) -> None:
        self.errors.append({"field": f"{self.prefix}{key}", "message": message})

    def _present(self, body: dict[str, Any], key: str, required: bool) -> bool:
        if key in body and body[key] is not None:
            return True
        if required:
            self.fail(key, REQUIRED)
        return False

    def string(
        self,
        body: dict[str, Any],
        key: str,
        *,
        max_length: int | None = None,
        required: bool = False,
        choices: Collection[str] | None = None,
    ) -> str | None:
        if not self._present(body, key, required):
            return None
        value = body[key]
        if not isinstance(value, str):
            self.fail(key)
            return None
        if required and not value.strip():
            self.fail(key, REQUIRED)
            return None
        if max_length is not None and len(value) > max_length:
            self.fail(key, too_long(max_length))
            return None
        if choices is not None and value not in choices:
            self.fail(key)
            return None
        return value

    def integer(
        self,
        body: dict[str, Any],
        key: str,
        *,
        required: bool = False,
        choices: Collection[int] | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        if not self._present(body, key, required):
            return None
        value = body[key]
        # JSON true is a Python int; Zoom does not take it for a number.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key)
            return None
        out_of_range = (minimum is not None and value < minimum) or (
            maximum is not None and value > maximum
        )
        if out_of_range or (choices is not None and value not in choices):
            self.fail(key)
            return None
        return value

    def boolean(self, body: dict[str, Any], key: str) -> bool | None:
        if not self._present(body, key, False):
            return None
        value = body[key]
        if not isinstance(value, bool):
            self.fail(key)
            return None
        return value

    def mapping(self, body: dict[str, Any], key: str) -> dict[str, Any] | None:
        if not self._present(body, key, False):
            return None
        value = body[key]
        if not isinstance(value, dict):
            self.fail(key)
            return None
        return value

    def array(
        self, body: dict[str, Any], key: str, *, required: bool = False, max_items: int = 0
    ) -> list[Any] | None:
        if not self._present(body, key, required):
            return None
        value = body[key]
        if not isinstance(value, list):
            self.fail(key)
            return None
        if max_items and len(value) > max_items:
            self.fail(key, f"The number of items must be at most {max_items}.")
            return None
        return value

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ZoomErrorResponse(400, 300, "Validation Failed.", errors=list(self.errors))
