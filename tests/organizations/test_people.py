"""The People page: the own organization's members only, org admins first."""

from __future__ import annotations

from django.urls import reverse

from organizations.models import User
from tests.django_conftest import People, signed_in


def test_people_page_lists_own_members_with_org_admins_first(
    acme_people: People, globex_admin: User
) -> None:
    html = signed_in(acme_people.course_assistant).get(reverse("organizations:people")).content
    text = html.decode()

    assert globex_admin.email not in text
    emails = [acme_people.by_role(role).email for role in ("org_admin", "learner")]
    assert all(email in text for email in emails)
    assert text.index(acme_people.org_admin.email) < text.index(acme_people.learner.email)
    assert "Course Builder" in text  # the builder's permission set is shown
