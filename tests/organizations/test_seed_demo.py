"""`manage.py seed_demo`: the demo organizations, people and course, and running it twice."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from courses.models import Course, Lesson, LessonComponent
from organizations.demo_people import ROLE_LABELS
from organizations.models import Membership, Organization, PermissionSet, Role, User


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organization, User, Membership, Course, Lesson, LessonComponent)
    }


def test_seed_creates_the_demo_organizations_people_and_course(db: None) -> None:
    output = seed()

    acme = Organization.objects.get(name="Acme University")
    assert acme.time_zone == "America/New_York"
    roles = {
        m.user.email: (m.role, sorted(m.permission_codes))
        for m in Membership.objects.filter(organization=acme).select_related("user")
    }
    assert roles == {
        "admin@campus.test": (Role.ORG_ADMIN, []),
        "builder@campus.test": (Role.COURSE_ADMIN, [PermissionSet.COURSE_BUILDER]),
        "assistant@campus.test": (Role.COURSE_ADMIN, []),
        "learner1@campus.test": (Role.LEARNER, []),
        "learner2@campus.test": (Role.LEARNER, []),
        "learner3@campus.test": (Role.LEARNER, []),
    }
    globex_admin = Membership.objects.get(user__email="admin@globex.test")
    assert (globex_admin.organization.name, globex_admin.role) == ("Globex Institute", "org_admin")
    course = Course.objects.get(organization=acme, title="Intro to Data Science")
    assert course.lessons.count() == 3
    for email in roles:
        # With the request, as a sign-in has one: the throttling (axes) counts by address.
        request = RequestFactory().post("/sign-in/")
        assert authenticate(request, username=email, password="campus-demo") is not None
        assert email in output
    assert "campus-demo" in output


def test_seeding_twice_changes_no_counts(db: None) -> None:
    seed()
    first = counts()

    seed()

    assert counts() == first
    assert first["Organization"] == 2
    assert first["Lesson"] == 4  # Acme's three and Globex's one


def test_permission_sets_exist_from_the_migration(db: None) -> None:
    builder = PermissionSet.objects.get(code="course_builder")

    assert builder.name == "Course Builder"
    assert builder.description == "Course Builder: may add and edit lessons and live events"
    assert PermissionSet.objects.filter(code="course_reporter").exists()


def test_the_demo_role_labels_are_the_roles_labels() -> None:
    # demo_people repeats them because it must load without Django (`make run` prints sign-ins).
    assert dict(Role.choices) == ROLE_LABELS
