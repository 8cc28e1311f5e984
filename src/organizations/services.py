"""Writes: organizations, people, memberships."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from organizations.models import Membership, Organization, PermissionSet, Role, User


@transaction.atomic
def organization_get_or_create(*, slug: str, name: str, time_zone: str) -> Organization:
    organization, created = Organization.objects.get_or_create(
        slug=slug, defaults={"name": name, "time_zone": time_zone}
    )
    if created:
        organization.full_clean()
    return organization


def organization_update(*, organization: Organization, name: str, time_zone: str) -> Organization:
    organization.name = name
    organization.time_zone = time_zone
    organization.full_clean()
    organization.save(update_fields=["name", "time_zone"])
    return organization


@transaction.atomic
def member_get_or_create(
    *,
    organization: Organization,
    email: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    permission_codes: Iterable[str] = (),
) -> Membership:
    """The person with this email as a member of the organization, made if absent.

    An existing person keeps their password: running the demo seed again changes nothing.
    """
    email = email.strip().lower()
    user, created = User.objects.get_or_create(
        username=email,
        defaults={"email": email, "first_name": first_name, "last_name": last_name},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.get_or_create(
        user=user, defaults={"organization": organization, "role": role}
    )
    if membership.organization_id != organization.pk:
        raise ValueError(f"{email} already belongs to another organization")
    codes = list(permission_codes)
    if codes:
        membership.permission_sets.add(*PermissionSet.objects.filter(code__in=codes))
    return membership
