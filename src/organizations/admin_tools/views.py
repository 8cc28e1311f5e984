"""Organization Admin Tools: the menu, ADVANCED SETTINGS and its tabs. Org admins only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from organizations.access import org_admin_required
from organizations.forms import OrganizationSettingsForm
from organizations.integrations import admin_notices, integration_sections
from organizations.requests import MemberRequest
from organizations.services import organization_update


@org_admin_required
def menu(request: MemberRequest) -> HttpResponse:
    return render(
        request,
        "organizations/admin_tools/menu.html",
        {"notices": admin_notices(organization=request.organization)},
    )


@org_admin_required
def advanced_settings(request: MemberRequest) -> HttpResponse:
    """The ORGANIZATION tab: the organization's name and time zone."""
    organization = request.organization
    form = OrganizationSettingsForm.for_organization(
        organization, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        organization_update(
            organization=organization,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, "Organization settings saved.")
        return redirect("admin_tools:advanced_settings")
    return render(
        request,
        "organizations/admin_tools/organization_tab.html",
        {
            "form": form,
            "active_tab": "organization",
            "notices": admin_notices(organization=organization),
        },
        status=400 if form.is_bound else 200,
    )


@org_admin_required
def integrations(request: MemberRequest) -> HttpResponse:
    """The INTEGRATIONS tab: one section per integration app that registered one."""
    rendered_sections = []
    for section in integration_sections():
        context = {
            "section": section,
            "organization": request.organization,
            "membership": request.membership,
            **(section.context(request) if section.context else {}),
        }
        rendered_sections.append(
            (section, render_to_string(section.template_name, context, request=request))
        )
    return render(
        request,
        "organizations/admin_tools/integrations_tab.html",
        {
            "sections": rendered_sections,
            "active_tab": "integrations",
            "notices": admin_notices(organization=request.organization),
        },
    )
