from __future__ import annotations

from django import forms

ACCOUNT_LEVEL = "account"


class EnableIntegrationForm(forms.Form):
    integration_level = forms.ChoiceField(
        label="Integration",
        choices=[(ACCOUNT_LEVEL, "Enable Account-Level Integration with Zoom")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose “Enable Account-Level Integration with Zoom” first."},
    )


# Where a Zoom admin finds all three: the app's page in the Zoom App Marketplace.
_FROM_APP_CREDENTIALS = (
    "On the App Credentials page of the Server-to-Server OAuth app "
    "(Zoom App Marketplace → Manage → your app)."
)


class ServerToServerForm(forms.Form):
    account_id = forms.CharField(
        label="Account ID", max_length=64, strip=True, help_text=_FROM_APP_CREDENTIALS
    )
    client_id = forms.CharField(
        label="Client ID", max_length=200, strip=True, help_text="On the same page."
    )
    # Never rendered back into the page, even after a failed attempt.
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        strip=True,
        help_text="On the same page. Stored encrypted; never shown again.",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
