"""Zoom work in miniature, for the tests that need a real job calling the live zoomsim: it
re-reads the account by id and asks Zoom who the account's tokens belong to."""

from __future__ import annotations

from work.models import WorkItem
from zoom_integration.models import ZoomAccount
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.zoom_work import zoom_work_handler

WHO_AM_I = "zoom.test.who_am_i"
# The account ids Zoom answered with, in order; a test clears it first.
answers_from_zoom: list[str] = []


@zoom_work_handler(WHO_AM_I)
def who_am_i(item: WorkItem) -> None:
    account = ZoomAccount.objects.get(pk=item.payload["zoom_account_pk"])
    with zoom_client_for_account(account) as client:
        answers_from_zoom.append(client.get_user("me").account_id)
