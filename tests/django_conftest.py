"""Campus fixtures for every test directory: two organizations and a person in each role.

Registered as a plugin by tests/conftest.py. Also marks every database-facing test `services`, so
that `scripts/test-services` (CI) runs the whole database-facing suite again on PostgreSQL.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from courses.models import Course, Lesson
from courses.services import course_enroll, lesson_create, lesson_text_add
from organizations.models import Membership, Organization, PermissionSet, Role, User
from organizations.services import member_get_or_create, organization_get_or_create

PASSWORD = "correct-horse-battery"
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup"})


def pytest_configure(config: pytest.Config) -> None:
    # Campus serves static files by their hashed names from collectstatic's manifest, and
    # collectstatic does not run before tests: pages here link files by their plain names (Django's
    # advice for the manifest storage). tests/campus/test_run_all.py checks the real thing.
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixtures & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.services)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # PBKDF2's deliberate slowness costs ~0.1 s per person made; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_bell() -> Iterator[None]:
    """Ringing the bell runs `work.run` in this process, as a worker would, instead of writing a
    message to the broker (work rows are still the source of truth)."""
    from campus.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def _permission_sets_present() -> None:
    """A transactional test (browser tests) flushes every table after it, the rows its data
    migration made too: put the permission sets back for the tests that follow."""
    migration = importlib.import_module("organizations.migrations.0002_permission_sets")
    for code, name, description in migration.PERMISSION_SETS:
        PermissionSet.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )


def make_member(
    organization: Organization,
    email: str,
    role: Role,
    permission_codes: tuple[str, ...] = (),
) -> User:
    if permission_codes:
        _permission_sets_present()
    membership = member_get_or_create(
        organization=organization,
        email=email,
        password=PASSWORD,
        role=role,
        first_name=email.split("@")[0].capitalize(),
        last_name="Tester",
        permission_codes=permission_codes,
    )
    return membership.user


@dataclass(frozen=True)
class People:
    """One person per role in one organization."""

    org_admin: User
    course_builder: User
    course_assistant: User
    learner: User

    def by_role(self, role: str) -> User:
        user: User = getattr(self, role)
        return user


ROLES = ("org_admin", "course_builder", "course_assistant", "learner")


@pytest.fixture
def acme(db: None) -> Organization:
    return organization_get_or_create(
        slug="acme", name="Acme University", time_zone="America/New_York"
    )


@pytest.fixture
def globex(db: None) -> Organization:
    return organization_get_or_create(
        slug="globex", name="Globex Institute", time_zone="Europe/Berlin"
    )


@pytest.fixture
def acme_people(acme: Organization) -> People:
    return People(
        org_admin=make_member(acme, "admin@acme.example", Role.ORG_ADMIN),
        course_builder=make_member(
            acme, "builder@acme.example", Role.COURSE_ADMIN, ("course_builder",)
        ),
        course_assistant=make_member(acme, "assistant@acme.example", Role.COURSE_ADMIN),
        learner=make_member(acme, "learner@acme.example", Role.LEARNER),
    )


@pytest.fixture
def globex_admin(globex: Organization) -> User:
    return make_member(globex, "admin@globex.example", Role.ORG_ADMIN)


@pytest.fixture
def acme_course(acme: Organization, acme_people: People) -> Course:
    """Acme's course, with Acme's learner enrolled in it."""
    course = Course.objects.create(organization=acme, title="Statistics", description="Numbers.")
    for title in ("Averages", "Spread"):
        lesson = lesson_create(course=course, title=title)
        lesson_text_add(lesson=lesson, body=f"All about {title.lower()}.")
    course_enroll(course=course, learner=acme_people.learner)
    return course


@pytest.fixture
def globex_course(globex: Organization) -> Course:
    course = Course.objects.create(organization=globex, title="Globex secrets", description="")
    lesson_text_add(lesson=lesson_create(course=course, title="Hidden"), body="Globex only.")
    return course


def first_lesson(course: Course) -> Lesson:
    lesson = course.lessons.order_by("position").first()
    assert lesson is not None
    return lesson


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def membership_of(user: User) -> Membership:
    return Membership.objects.get(user=user)
