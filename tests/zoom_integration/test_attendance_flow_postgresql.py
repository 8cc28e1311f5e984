"""The attendance flow tests again on PostgreSQL (`-m services` with DATABASE_URL=postgres://…):
its row locks refuse what SQLite lets pass (FOR UPDATE on the nullable side of an outer join)."""

from __future__ import annotations

import os

import pytest

from tests.zoom_integration.test_attendance_flow import *  # noqa: F403

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL=postgres://...",
    ),
]
