"""The import directions of docs/architecture.md, as `make lint` checks them (import-linter).

Each contract is broken on purpose in a copy of src/ to prove that the check would catch it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # The lint-imports of the virtualenv running the tests.
    executable = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(executable), "--no-logo", "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_current_code_keeps_every_contract() -> None:
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        ("zoomsim/clock.py", "import organizations.models", "zoomsim imports nothing"),
        ("zoomsim/clock.py", "import zoomclient.paths", "zoomsim imports nothing"),
        ("zoomclient/paths.py", "import django.conf", "zoomclient imports no Django"),
        (
            "live_events/providers.py",
            "import zoom_integration.provider",
            "live_events never imports zoom_integration",
        ),
        ("work/backoff.py", "import zoomclient.errors", "work knows nothing of Zoom"),
        ("work/backoff.py", "import zoom_integration.models", "work knows nothing of Zoom"),
    ],
)
def test_an_import_against_the_layering_fails_the_check(
    tmp_path: Path, module: str, forbidden_import: str, contract: str
) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / module
    target.write_text(target.read_text() + f"\n{forbidden_import}  # noqa\n")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    # The contract named breaks; others may break with it through the import (live_events uses
    # work, so work importing Zoom breaks live_events' contract too), the kept ones never.
    assert any(line.startswith(contract) for line in broken), result.stdout
    assert len(broken) <= 2, result.stdout
