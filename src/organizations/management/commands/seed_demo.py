"""`manage.py seed_demo`: the demo organizations, people and courses. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from courses.models import Course
from courses.services import (
    course_enroll,
    course_get_or_create,
    lesson_create,
    lesson_text_add,
)
from organizations.demo_people import DEMO_ORGANIZATIONS, DEMO_PASSWORD, DEMO_PEOPLE
from organizations.models import Organization, Role, User
from organizations.services import member_get_or_create, organization_get_or_create

DEMO_COURSES: dict[str, list[tuple[str, str, list[tuple[str, str]]]]] = {
    "acme": [
        (
            "Intro to Data Science",
            "Collecting, cleaning, exploring and modelling data, from spreadsheets to Python.",
            [
                (
                    "What data science is",
                    "Data science turns questions into numbers and numbers into answers.\n\n"
                    "This lesson maps the field: statistics, programming and the domain you "
                    "work in, and how a project moves from question to result.",
                ),
                (
                    "Cleaning data",
                    "Most of the work is here: missing values, duplicates, units that "
                    "disagree.\n\nWe practise on a messy survey and keep a log of every change.",
                ),
                (
                    "Your first model",
                    "A straight line through a cloud of points: linear regression, what it "
                    "assumes, and how to tell when it is wrong.",
                ),
            ],
        )
    ],
    "globex": [
        (
            "Onboarding at Globex",
            "Everything a new Globex colleague needs in their first week.",
            [("Welcome", "Welcome to Globex Institute. Start here.")],
        )
    ],
}


class Command(BaseCommand):
    help = "Creates the demo organizations, people and courses (idempotent) and prints sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            organizations = {
                slug: organization_get_or_create(slug=slug, name=name, time_zone=time_zone)
                for slug, name, time_zone in DEMO_ORGANIZATIONS
            }
            learners: dict[str, list[User]] = {slug: [] for slug in organizations}
            for person in DEMO_PEOPLE:
                membership = member_get_or_create(
                    organization=organizations[person.organization_slug],
                    email=person.email,
                    password=DEMO_PASSWORD,
                    role=Role(person.role),
                    first_name=person.first_name,
                    last_name=person.last_name,
                    permission_codes=person.permission_codes,
                )
                if person.role == Role.LEARNER:
                    learners[person.organization_slug].append(membership.user)
            for slug, courses in DEMO_COURSES.items():
                for title, description, lessons in courses:
                    course = _seed_course(organizations[slug], title, description, lessons)
                    # Every demo learner takes every course of their organization.
                    for learner in learners[slug]:
                        course_enroll(course=course, learner=learner)

        self.stdout.write(self.style.SUCCESS("Demo data is in place. Sign in to Campus with:"))
        for person in DEMO_PEOPLE:
            organization = organizations[person.organization_slug]
            self.stdout.write(
                f"  {person.email:<24} {DEMO_PASSWORD}   {person.description} · {organization}"
            )


def _seed_course(
    organization: Organization, title: str, description: str, lessons: list[tuple[str, str]]
) -> Course:
    course = course_get_or_create(organization=organization, title=title, description=description)
    # Lessons are only added to a course that has none, so a second run (or a builder's own
    # lessons) never gets duplicates.
    if not course.lessons.exists():
        for lesson_title, text in lessons:
            lesson = lesson_create(course=course, title=lesson_title)
            lesson_text_add(lesson=lesson, body=text)
    return course
