"""The endpoint catalog a pacer budgets with agrees with Zoom's own specs."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from tests.zoomsim.openapi_check import MEETINGS_SPEC, SHARED, USERS_SPEC
from zoomclient import ENDPOINTS, Endpoint


@cache
def spec(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SHARED / name).read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=lambda e: e.name)
def test_each_endpoint_is_in_zooms_spec_with_the_same_rate_limit_label(endpoint: Endpoint) -> None:
    # Users endpoints are in the Users spec; the meetings of a user (/users/{userId}/meetings)
    # are in the Meetings spec.
    users = spec(USERS_SPEC)
    in_users = endpoint.method.lower() in users["paths"].get(endpoint.path, {})
    document = users if in_users else spec(MEETINGS_SPEC)
    operation = document["paths"][endpoint.path][endpoint.method.lower()]
    label = re.search(r"Rate Limit Label[^`]*`([A-Z-]+)`", operation.get("description", ""))
    assert label is not None, f"no rate-limit label for {endpoint.name}"
    assert label.group(1).capitalize() == endpoint.category


def test_create_and_update_share_the_hosts_daily_limit() -> None:
    create, update = ENDPOINTS["create_meeting"], ENDPOINTS["update_meeting"]
    assert create.per_user_daily is not None
    assert create.per_user_daily is update.per_user_daily
    assert create.per_user_daily.limit == 100
