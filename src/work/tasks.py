"""Celery tasks: thin, ids only. The message is a bell; the row holds the work.

(Celery ships no types, hence the ignores on its decorator.)
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from work.config import work_config
from work.services import work_drain, work_ring_due, work_run


@shared_task(name="work.run", ignore_result=True)  # type: ignore[untyped-decorator]
def run_work_item(item_id: int) -> None:
    """The bell: run row `item_id` if it is still due, then keep claiming due rows straight from
    the database while there are any, so work flows at the database's pace, not the broker's."""
    work_run(item_id=item_id)
    work_drain()


@shared_task(name="work.sweep", ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_work() -> int:
    return work_ring_due(now=timezone.now(), limit=work_config().sweep_batch)
