"""VALIDATE on the Zoom meeting form: the host and each alternative host, as the meeting provider
sees them, before anything is saved (saving checks them again)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from live_events.inputs import normalized_email
from live_events.models import LiveEventProvider
from live_events.providers import HostRequirements, scheduling_provider_get
from organizations.models import Organization


@dataclass(frozen=True)
class HostVerdict:
    role: str  # "Host" or "Alternative host"
    email: str
    name: str
    problem: str

    @property
    def ok(self) -> bool:
        return not self.problem


def host_check_for_form(
    *,
    organization: Organization,
    host_email: str,
    alternative_hosts: str,
    cloud_recording: bool,
    longest_session_minutes: int,
) -> list[HostVerdict]:
    provider = scheduling_provider_get(LiveEventProvider.ZOOM.value)
    host = normalized_email(host_email)
    alternatives = [
        normalized_email(part)
        for part in alternative_hosts.replace(";", ",").split(",")
        if part.strip()
    ]
    if not host:
        return [HostVerdict("Host", "", "", "Enter the host's email first.")]
    if provider is None or not provider.is_available(organization=organization):
        reason = provider.unavailable_reason(organization=organization) if provider else ""
        return [HostVerdict("Host", host, "", reason or "Zoom is not connected.")]
    requirements = HostRequirements(
        cloud_recording=cloud_recording, longest_session_minutes=longest_session_minutes
    )
    verdicts = []
    for role, email, alternative in [("Host", host, False)] + [
        ("Alternative host", email, True) for email in dict.fromkeys(alternatives)
    ]:
        try:
            validate_email(email)
        except ValidationError:
            verdicts.append(HostVerdict(role, email, "", f"“{email}” is not an email address."))
            continue
        if alternative and email == host:
            problem = "This is the host; an alternative host is someone else."
            verdicts.append(HostVerdict(role, email, "", problem))
            continue
        check = provider.host_check(
            organization=organization,
            email=email,
            requirements=requirements,
            alternative=alternative,
        )
        verdicts.append(HostVerdict(role, email, check.name, check.problem))
    return verdicts
