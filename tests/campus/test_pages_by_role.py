"""Every page and action of the platform, for every role: who may, and who gets 404 (not 403)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Course, Lesson
from organizations.models import User
from tests.django_conftest import ROLES, People, first_lesson, signed_in

EVERYONE = frozenset(ROLES)
COURSE_ADMINS = frozenset({"org_admin", "course_builder", "course_assistant"})
BUILDERS = frozenset({"org_admin", "course_builder"})
ORG_ADMINS = frozenset({"org_admin"})

# (url name, which kwargs it takes, who may open it)
PAGES = [
    ("courses:list", "", EVERYONE),
    ("courses:detail", "course", EVERYONE),
    ("courses:lesson", "lesson", EVERYONE),
    ("organizations:people", "", COURSE_ADMINS),
    ("admin_tools:menu", "", ORG_ADMINS),
    ("admin_tools:advanced_settings", "", ORG_ADMINS),
    ("admin_tools:integrations", "", ORG_ADMINS),
]

# (url name, which kwargs, form data, who may post it)
ACTIONS = [
    ("courses:lesson_add", "course", {"title": "New lesson"}, BUILDERS),
    ("courses:lesson_title", "lesson", {"title": "Renamed"}, BUILDERS),
    ("courses:text_add", "lesson", {"body": "Some words."}, BUILDERS),
    (
        "admin_tools:advanced_settings",
        "",
        {"name": "Acme U", "time_zone": "Europe/Paris"},
        ORG_ADMINS,
    ),
]


def url_for(name: str, takes: str, course: Course) -> str:
    lesson: Lesson = first_lesson(course)
    kwargs = {
        "": {},
        "course": {"course_id": course.pk},
        "lesson": {"course_id": course.pk, "lesson_id": lesson.pk},
    }[takes]
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "takes", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_page_answers_200_to_allowed_roles_and_404_to_the_others(
    name: str,
    takes: str,
    allowed: frozenset[str],
    role: str,
    acme_people: People,
    acme_course: Course,
) -> None:
    response = signed_in(acme_people.by_role(role)).get(url_for(name, takes, acme_course))

    assert response.status_code == (200 if role in allowed else 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "takes", "data", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_action_is_done_for_allowed_roles_and_404s_for_the_others(
    name: str,
    takes: str,
    data: dict[str, str],
    allowed: frozenset[str],
    role: str,
    acme_people: People,
    acme_course: Course,
) -> None:
    response = signed_in(acme_people.by_role(role)).post(url_for(name, takes, acme_course), data)

    assert response.status_code == (302 if role in allowed else 404)


@pytest.mark.parametrize(("name", "takes", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_visitor_is_sent_to_sign_in_with_the_page_to_come_back_to(
    name: str, takes: str, allowed: frozenset[str], acme_course: Course
) -> None:
    url = url_for(name, takes, acme_course)

    response = signed_in(None).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('sign_in')}?next={url}"


@pytest.mark.parametrize(("name", "takes", "data", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_anonymous_post_is_sent_to_sign_in_and_changes_nothing(
    name: str, takes: str, data: dict[str, str], allowed: frozenset[str], acme_course: Course
) -> None:
    before = (Lesson.objects.count(), acme_course.organization.name)

    response = signed_in(None).post(url_for(name, takes, acme_course), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign_in"))
    acme_course.organization.refresh_from_db()
    assert (Lesson.objects.count(), acme_course.organization.name) == before


@pytest.mark.parametrize(("name", "takes", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_signed_in_person_without_an_organization_gets_404(
    name: str, takes: str, allowed: frozenset[str], acme_course: Course
) -> None:
    stray = User.objects.create_user("stray@example.com", "stray@example.com", "pw-stray-123")

    response = signed_in(stray).get(url_for(name, takes, acme_course))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "takes", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_org_admin_of_another_organization_gets_404_for_acme_pages_with_ids(
    name: str, takes: str, allowed: frozenset[str], acme_course: Course, globex_admin: User
) -> None:
    response = signed_in(globex_admin).get(url_for(name, takes, acme_course))

    # Pages without ids show Globex's own data; pages naming an Acme object do not exist for Globex.
    assert response.status_code == (404 if takes else 200)
