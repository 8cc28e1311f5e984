"""The shape of a request once OrganizationMiddleware and an access decorator have run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:  # importable from AppConfig modules, before the models are ready
    from organizations.models import Membership, Organization, User


class MemberRequest(HttpRequest):
    """A request that passed an access decorator: a signed-in member of an organization."""

    user: User
    organization: Organization
    membership: Membership
