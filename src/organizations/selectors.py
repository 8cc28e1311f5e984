"""Reads. Every selector that returns an organization's data takes the organization."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, IntegerField, QuerySet, Value, When

from organizations.models import Membership, Organization, Role

# Org admins first, then course admins, then learners.
ROLE_RANK = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(Role.values)),
    output_field=IntegerField(),
)


def membership_for_user(*, user: AbstractBaseUser) -> Membership | None:
    return Membership.objects.select_related("organization", "user").filter(user_id=user.pk).first()


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("permission_sets")
        .annotate(role_rank=ROLE_RANK)
        .order_by("role_rank", "user__last_name", "user__first_name", "user__email")
    )


def org_admin_memberships(*, organization: Organization) -> QuerySet[Membership]:
    """The people who administer the organization, e.g. to tell them the Zoom connection broke."""
    return membership_list(organization=organization).filter(role=Role.ORG_ADMIN)
