"""The People page: who is in the organization, with which role and permission sets."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from organizations.access import course_admin_required
from organizations.requests import MemberRequest
from organizations.selectors import membership_list


@course_admin_required
def people(request: MemberRequest) -> HttpResponse:
    memberships = membership_list(organization=request.organization)
    return render(request, "organizations/people.html", {"memberships": memberships})
