"""The bench's work: a handler that does nothing, so the bench measures the work machinery."""

from __future__ import annotations

from work.handlers import register_handler
from work.models import WorkItem

TRIVIAL_KIND = "bench.trivial"


@register_handler(TRIVIAL_KIND)
def trivial(item: WorkItem) -> None:
    """Nothing: claiming, running and recording the outcome is what is measured."""
