"""The "Add Live Video Events" pop-up: ZOOM MEETING while Zoom is connected, otherwise why not;
EXTERNAL LINK always; NEXT leads to the form of the chosen kind."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from organizations.models import Organization
from tests.django_conftest import ROLES, People, first_lesson, signed_in
from zoom_integration.models import (
    ConnectionKind,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)


def _kwargs(course: Course) -> dict[str, int]:
    return {"course_id": course.pk, "lesson_id": first_lesson(course).pk}


def _zoom_linked(organization: Organization, *, status: str) -> None:
    account = ZoomAccount.objects.create(
        zoom_account_id="acct-kind", connection_kind=ConnectionKind.OAUTH, status=status
    )
    OrganizationZoomLink.objects.create(
        organization=organization,
        zoom_account=account,
        status=LinkStatus.ACTIVE,
        enabled_at=timezone.now(),
    )


def _choice_page(user: object, course: Course) -> str:
    url = reverse("live_events:choose", kwargs=_kwargs(course)) + "?position=2"
    response = signed_in(user).get(url)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def test_without_zoom_the_zoom_meeting_is_offered_disabled_with_the_reason(
    acme_people: People, acme_course: Course
) -> None:
    html = _choice_page(acme_people.course_builder, acme_course)

    assert 'value="zoom" disabled' in html
    assert "Your organization has not connected Zoom" in html
    assert 'value="external_link" checked' in html
    assert 'name="position" value="2"' in html
    assert ">NEXT<" in html


def test_with_zoom_connected_zoom_meeting_is_the_first_choice(
    acme: Organization, acme_people: People, acme_course: Course
) -> None:
    _zoom_linked(acme, status=ZoomAccountStatus.CONNECTED)

    html = _choice_page(acme_people.course_builder, acme_course)

    assert 'value="zoom" checked' in html
    assert "ZOOM MEETING" in html
    assert "EXTERNAL LINK" in html
    assert "Unavailable" not in html


def test_while_zoom_needs_reauthentication_zoom_meeting_says_so(
    acme: Organization, acme_people: People, acme_course: Course
) -> None:
    _zoom_linked(acme, status=ZoomAccountStatus.NEEDS_REAUTH)

    html = _choice_page(acme_people.course_builder, acme_course)

    assert 'value="zoom" disabled' in html
    assert "re-authenticate" in html


def test_next_on_an_unavailable_zoom_meeting_says_why_and_sends_nothing(
    acme_people: People, acme_course: Course
) -> None:
    url = reverse("live_events:new", kwargs=_kwargs(acme_course)) + "?provider=zoom"

    response = signed_in(acme_people.course_builder).get(url)

    assert response.status_code == 400
    assert "ZOOM MEETING is unavailable" in response.content.decode()


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("org_admin", "course_builder")])
@pytest.mark.parametrize("url_name", ["live_events:choose", "live_events:new"])
def test_only_builders_may_add_live_events(
    acme_people: People, acme_course: Course, role: str, url_name: str
) -> None:
    url = reverse(url_name, kwargs=_kwargs(acme_course))

    assert signed_in(acme_people.by_role(role)).get(url).status_code == 404


def test_another_organizations_lesson_is_404(acme_people: People, globex_course: Course) -> None:
    url = reverse("live_events:choose", kwargs=_kwargs(globex_course))

    assert signed_in(acme_people.course_builder).get(url).status_code == 404
