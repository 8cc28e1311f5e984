"""Whether a person may host (or be an alternative host of) a Campus meeting, asked of Zoom by
email: `GET /users/{email}` within the organization's Zoom account.

Zoom's rules (reference §2.1, the meeting and registrant specs): the host must be an active user
of the account (a pending invitation or a deactivated user cannot host: 3161). Registration, which
gives every learner a personal link, needs a licensed host, and so does cloud recording; a Basic
(unlicensed) user's meetings end after 40 minutes. Alternative hosts must be active, licensed
users of the same account. Each refusal is a sentence saying what to do.
"""

from __future__ import annotations

import logging

from live_events.providers import HostCheck, HostRequirements
from organizations.models import Organization
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.meeting_errors import zoom_problem
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.zoom_accounts import zoom_account_of
from zoomclient import ZoomError, ZoomNotFound, ZoomUser

log = logging.getLogger("zoom_integration.hosts")

# A Basic (unlicensed) user's meetings end after this many minutes.
BASIC_MEETING_MINUTES = 40


def zoom_host_check(
    *,
    organization: Organization,
    email: str,
    requirements: HostRequirements,
    alternative: bool,
) -> HostCheck:
    account = zoom_account_of(organization)
    if account is None:
        return HostCheck(email=email, problem="Zoom is not connected for your organization.")
    try:
        with zoom_client_for_account(account) as client:
            user = client.get_user(email)
    except ZoomAccountUnusable:
        return HostCheck(
            email=email,
            problem=(
                "Zoom stopped accepting Campus's connection, so the host cannot be checked. An "
                "Org Admin must re-authenticate it in Admin Tools."
            ),
        )
    except ZoomNotFound:
        return HostCheck(email=email, problem=_not_in_account(email))
    except ZoomError as error:
        problem = zoom_problem(error, host_email=email)
        if problem.retryable:
            return HostCheck(
                email=email,
                problem="Zoom could not be reached to check this person; try again in a moment.",
            )
        return HostCheck(email=email, problem=problem.sentence)
    if user.account_id and user.account_id != account.zoom_account_id:
        return HostCheck(email=email, problem=_not_in_account(email))
    refusal = _refusal(user, email, requirements, alternative=alternative)
    log.info(
        "zoom.host.checked",
        extra={"zoom_user_id": user.id, "alternative": alternative, "ok": not refusal},
    )
    return HostCheck(email=email, problem=refusal, name=_name(user), user_id=user.id)


def _not_in_account(email: str) -> str:
    return (
        f"No one with the email {email} is a user of your organization's Zoom account. Check "
        "the email, or ask your Zoom admin to add them."
    )


def _refusal(
    user: ZoomUser, email: str, requirements: HostRequirements, *, alternative: bool
) -> str:
    if user.status == "pending":
        return (
            f"{email} has not accepted the invitation to your Zoom account yet; they can host "
            "once they accept it."
        )
    if user.status != "active":
        return (
            f"{email} is deactivated in your Zoom account. Ask your Zoom admin to reactivate "
            "them, or choose someone else."
        )
    if user.is_licensed:
        return ""
    if alternative:
        return (
            f"{email} is a Basic (unlicensed) Zoom user; Zoom accepts only licensed users as "
            "alternative hosts. Ask your Zoom admin for a license, or choose someone else."
        )
    needs = ["registration (each learner's personal link)"]
    if requirements.cloud_recording:
        needs.append("cloud recording")
    if requirements.longest_session_minutes > BASIC_MEETING_MINUTES:
        needs.append(f"meetings over {BASIC_MEETING_MINUTES} minutes")
    return (
        f"{email} is a Basic (unlicensed) Zoom user, who cannot host {_listed(needs)}. Ask your "
        "Zoom admin for a license, or choose another host."
    )


def _listed(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _name(user: ZoomUser) -> str:
    full = f"{user.first_name} {user.last_name}".strip()
    return user.display_name or full or user.email
