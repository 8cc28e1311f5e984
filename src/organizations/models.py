"""Tenants and the people in them.

An Organization is a tenant: everything a person sees is scoped to the organization of their
Membership. A person belongs to one organization, with one role; course admins may additionally
hold permission sets (Course Builder, Course Reporter).
"""

from __future__ import annotations

import unicodedata
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from organizations.time_zones import time_zone_names


def validate_time_zone(name: str) -> None:
    if name not in time_zone_names():
        raise ValidationError(f"{name!r} is not a time zone (expected e.g. America/New_York)")


def validate_single_line(value: str) -> None:
    """A name goes into email subjects and page titles: no line breaks or control characters
    (a line break in a mail header is refused outright, BadHeaderError)."""
    # NUL has Django's own message (ProhibitNullCharactersValidator); one message per fault.
    if any(
        unicodedata.category(character) in {"Cc", "Zl", "Zp"} and character != "\x00"
        for character in value
    ):
        raise ValidationError(
            "Use a single line: no line breaks, tabs or other control characters.",
            code="single_line",
        )


class User(AbstractUser):
    """A person who signs in. The username is the email address."""

    # Empty means "use the organization's time zone".
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email or self.username


class Organization(models.Model):
    name = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PermissionSet(models.Model):
    """A named bundle of rights a course admin may hold, e.g. Course Builder."""

    COURSE_BUILDER = "course_builder"
    COURSE_REPORTER = "course_reporter"

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Org Admin"
    COURSE_ADMIN = "course_admin", "Course Admin"
    LEARNER = "learner", "Learner"


class Membership(models.Model):
    # One organization per person: the membership is the person's place in Campus.
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    # Only meaningful for course admins; an org admin holds every right of the organization.
    permission_sets = models.ManyToManyField(PermissionSet, blank=True, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN

    @property
    def is_course_admin(self) -> bool:
        """Course admins, and org admins, who may do whatever a course admin may."""
        return self.role in (Role.ORG_ADMIN, Role.COURSE_ADMIN)

    @cached_property
    def permission_codes(self) -> frozenset[str]:
        return frozenset(self.permission_sets.values_list("code", flat=True))

    def holds(self, permission_code: str) -> bool:
        if self.is_org_admin:
            return True
        return self.role == Role.COURSE_ADMIN and permission_code in self.permission_codes

    @property
    def is_course_builder(self) -> bool:
        return self.holds(PermissionSet.COURSE_BUILDER)
