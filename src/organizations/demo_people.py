"""Who the demo seed creates. Plain data (no Django), so `make run` can print the sign-ins."""

from __future__ import annotations

from typing import NamedTuple

DEMO_PASSWORD = "campus-demo"


class DemoPerson(NamedTuple):
    organization_slug: str
    email: str
    first_name: str
    last_name: str
    role: str
    permission_codes: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """E.g. "Course Admin with Course Builder", as the sign-in list shows it."""
        label = ROLE_LABELS[self.role]
        if self.role != "course_admin":
            return label
        holds = "with" if "course_builder" in self.permission_codes else "without"
        return f"{label} {holds} Course Builder"


# The labels of organizations.models.Role, repeated because this module must not import Django.
ROLE_LABELS = {"org_admin": "Org Admin", "course_admin": "Course Admin", "learner": "Learner"}


DEMO_ORGANIZATIONS = (
    ("acme", "Acme University", "America/New_York"),
    ("globex", "Globex Institute", "Europe/Berlin"),
)

DEMO_PEOPLE = (
    DemoPerson("acme", "admin@campus.test", "Avery", "Adams", "org_admin"),
    DemoPerson(
        "acme", "builder@campus.test", "Blake", "Builder", "course_admin", ("course_builder",)
    ),
    DemoPerson("acme", "assistant@campus.test", "Casey", "Assistant", "course_admin"),
    DemoPerson("acme", "learner1@campus.test", "Lee", "Lin", "learner"),
    DemoPerson("acme", "learner2@campus.test", "Robin", "Reyes", "learner"),
    DemoPerson("acme", "learner3@campus.test", "Sam", "Sato", "learner"),
    DemoPerson("globex", "admin@globex.test", "Gale", "Gordon", "org_admin"),
)
