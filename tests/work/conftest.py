from __future__ import annotations

from collections.abc import Iterator

import pytest

import tests.work.sample_handlers  # noqa: F401  (registers the handlers the tests run)


@pytest.fixture
def eager_bell() -> Iterator[None]:
    """Ringing the bell runs `work.run` in this process, as a worker would, instead of queueing."""
    from campus.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before
