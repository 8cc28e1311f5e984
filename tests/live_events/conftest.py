from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

# The live zoomsim with Campus pointed at it, and connecting Acme through the real OAuth flow:
# the live-event services check hosts with Zoom.
from tests.support.zoomsim_fixtures import zoomsim_server  # noqa: F401
from tests.zoom_integration.conftest import connect_acme_account, zoomsim  # noqa: F401


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
