"""The HTML of zoom.us/oauth/authorize: sign-in, consent, "ask your admin" and error pages.

People click through these in the demo and browser tests drive them, so every field and button has
a stable `id`/`name`, every field a label, and every value from a request is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from zoomsim.model import Account, App, User

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; background: #f4f6fa;
       color: #232333; margin: 0; }
header { background: #fff; border-bottom: 1px solid #e1e4ea; padding: 14px 32px;
         font-weight: 700; font-size: 22px; color: #0b5cff; }
main { max-width: 480px; margin: 40px auto; background: #fff; border: 1px solid #e1e4ea;
       border-radius: 12px; padding: 28px 32px; }
h1 { font-size: 22px; margin: 0 0 16px; }
p, li, dd { line-height: 1.5; }
label { display: block; font-weight: 600; margin: 14px 0 6px; }
input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: 10px;
       border: 1px solid #c5c9d3; border-radius: 8px; font-size: 15px; }
.actions { display: flex; gap: 12px; margin-top: 22px; }
button { font-size: 15px; padding: 10px 20px; border-radius: 8px; cursor: pointer;
         border: 1px solid #0b5cff; }
button.primary { background: #0b5cff; color: #fff; }
button.secondary { background: #fff; color: #0b5cff; }
button.link { background: none; border: none; color: #0b5cff; padding: 0; font-size: 14px; }
.error { background: #fdecec; color: #a11; border-radius: 8px; padding: 10px 12px; }
.notice { background: #fff6e0; border-radius: 8px; padding: 10px 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0 0 16px; }
dt { color: #6e7680; }
dd { margin: 0; }
ul.scopes { font-family: ui-monospace, Menlo, monospace; font-size: 13px; padding-left: 20px; }
.signed-in { margin: 16px 0; padding: 12px 14px; background: #f4f6fa; border-radius: 8px; }
.signed-in p { margin: 0 0 10px; }
.code { color: #6e7680; font-size: 13px; }
"""


def page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - Zoom</title><style>{_STYLE}</style></head>"
        f'<body><header>zoom</header><main>{body}</main><footer aria-hidden="true"></footer>'
        "</body></html>\n"
    )


def hidden_fields(params: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in params.items()
    )


def error_page(message: str, code: int) -> str:
    """Zoom shows the reason and its 47xx code as "(4,702)"."""
    return page(
        "Error",
        "<h1>Sorry, this page is not available.</h1>"
        f'<p class="error" id="error-message">{escape(message)}</p>'
        f'<p class="code" id="error-code">({code:,})</p>',
    )


def signin_page(params: Mapping[str, str], *, email: str = "", error: str = "") -> str:
    alert = f'<p class="error" id="signin-error" role="alert">{escape(error)}</p>' if error else ""
    return page(
        "Sign In",
        "<h1>Sign in</h1>"
        f"{alert}"
        '<form id="signin-form" method="post" action="/oauth/signin">'
        f"{hidden_fields(params)}"
        '<label for="email">Email address</label>'
        f'<input type="email" id="email" name="email" value="{escape(email)}" required autofocus>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" required>'
        '<div class="actions">'
        '<button type="submit" class="primary" id="signin" name="signin" value="1">Sign In</button>'
        "</div></form>",
    )


def _signed_in_as(user: User, params: Mapping[str, str]) -> str:
    """Who is signed in, and the plain way to switch: Zoom keeps a person signed in, so whoever
    signed in with the wrong user needs this, not a hunt for a sign-out link. Signing out here
    goes straight back to the sign-in form of the same authorization."""
    return (
        '<form class="signed-in" method="post" action="/oauth/signout" id="signout-form">'
        f"{hidden_fields(params)}"
        f'<p>Signed in as <strong id="signed-in-user">{escape(user.display_name)} '
        f"({escape(user.email)})</strong>. Not the right Zoom user?</p>"
        '<button type="submit" class="secondary" id="signout" name="signout" value="1">'
        "Sign in as someone else</button></form>"
    )


def consent_page(app: App, account: Account, user: User, params: Mapping[str, str]) -> str:
    scopes = "".join(f"<li>{escape(scope)}</li>" for scope in app.scopes)
    return page(
        f"Authorize {app.name}",
        f'<h1 id="app-name">{escape(app.name)} would like to access your Zoom account</h1>'
        "<dl>"
        f'<dt>Account</dt><dd id="account-name">{escape(account.name)}</dd>'
        "</dl>"
        f"{_signed_in_as(user, params)}"
        "<p>By authorizing, the app can use these permissions for every user of the account:</p>"
        f'<ul class="scopes" id="scopes">{scopes}</ul>'
        '<form id="consent-form" method="post" action="/oauth/consent">'
        f"{hidden_fields(params)}"
        '<div class="actions">'
        '<button type="submit" class="primary" id="authorize" name="authorize" value="1">'
        "Authorize</button>"
        '<button type="submit" class="secondary" id="decline" name="decline" value="1">'
        "Decline</button>"
        "</div></form>",
    )


def admin_required_page(app: App, account: Account, user: User, params: Mapping[str, str]) -> str:
    return page(
        f"{app.name} needs an admin",
        f'<h1 id="app-name">{escape(app.name)}</h1>'
        '<p class="notice" id="admin-required">'
        f"Only an account owner or admin can add this app to {escape(account.name)}. "
        "If you are one, sign in as that user; otherwise ask your Zoom account owner or admin "
        "to authorize it.</p>"
        f"{_signed_in_as(user, params)}"
        '<form id="consent-form" method="post" action="/oauth/consent">'
        f"{hidden_fields(params)}"
        '<div class="actions">'
        '<button type="submit" class="primary" id="back-to-app" name="back" value="1">'
        f"Back to {escape(app.name)}</button>"
        "</div></form>",
    )


def signed_out_page() -> str:
    return page(
        "Signed out", '<h1>Signed out</h1><p id="signed-out">You are signed out of Zoom.</p>'
    )
