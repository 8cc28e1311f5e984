from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import QueryDict

from organizations.models import Organization, validate_single_line
from organizations.time_zones import time_zone_choices


class SignInForm(AuthenticationForm):
    """Django's sign-in, labelled for people who sign in with their email address."""

    username = forms.CharField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    # Django's own says "a correct username and password" (the model field's name); people here
    # sign in with their email address.
    error_messages = {
        "invalid_login": (
            "That email address and password do not match an account. Check both and try again."
        ),
        "inactive": "This account is inactive. Ask an Org Admin of your organization.",
    }

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.strip().lower()


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Organization name", validators=[validate_single_line]
    )
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Used for people who have not chosen a time zone of their own.",
    )

    @classmethod
    def for_organization(
        cls, organization: Organization, data: QueryDict | None
    ) -> OrganizationSettingsForm:
        initial = {"name": organization.name, "time_zone": organization.time_zone}
        return cls(data, initial=initial)
