from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import QueryDict

from organizations.models import Organization, validate_single_line


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SignInForm(AuthenticationForm):
    """Django's sign-in, labelled for people who sign in with their email address."""

    username = forms.CharField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.strip().lower()


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Organization name", validators=[validate_single_line]
    )
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices,
        help_text="Used for people who have not chosen a time zone of their own.",
    )

    @classmethod
    def for_organization(
        cls, organization: Organization, data: QueryDict | None
    ) -> OrganizationSettingsForm:
        initial = {"name": organization.name, "time_zone": organization.time_zone}
        return cls(data, initial=initial)
