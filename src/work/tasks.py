"""Celery tasks: thin, ids only. The message is a bell; the row holds the work.

(Celery ships no types, hence the ignores on its decorator.)
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from work.config import work_config
from work.services import work_ring_due, work_run


@shared_task(name="work.run", ignore_result=True)  # type: ignore[untyped-decorator]
def run_work_item(item_id: int) -> None:
    work_run(item_id=item_id)


@shared_task(name="work.sweep", ignore_result=True)  # type: ignore[untyped-decorator]
def sweep_work() -> int:
    return work_ring_due(now=timezone.now(), limit=work_config().sweep_batch)
