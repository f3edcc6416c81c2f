"""The few HTML pages of the browser flow. Field names and ids follow Keycloak's login theme
(``#kc-form-login``, ``#username``, ``#password``, ``#kc-login``) so that browser tests read the same."""

from __future__ import annotations

import html
from collections.abc import Mapping

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0}"
    "main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;"
    "box-shadow:0 1px 3px #0002}label{display:block;margin:.75rem 0 .25rem}"
    "input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}"
    "button{margin-top:1.25rem;width:100%;padding:.6rem}.error{color:#b91c1c}"
    ".note{color:#6b7280;font-size:.8rem;margin-top:1.5rem}"
)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body><main>{body}"
        "<p class='note'>SafeCampus dev identity server: development and tests only.</p></main></body></html>"
    )


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in fields.items()
        if v
    )


def _error(message: str | None) -> str:
    if not message:
        return ""
    return f"<p class='error' id='input-error' role='alert'>{html.escape(message)}</p>"


def login_page(
    realm_title: str, action: str, params: Mapping[str, str], username: str, error: str | None
) -> str:
    body = (
        f"<h1 id='kc-page-title'>Sign in to {html.escape(realm_title)}</h1>{_error(error)}"
        f"<form id='kc-form-login' method='post' action='{html.escape(action)}'>{_hidden(params)}"
        "<label for='username'>Username or email</label>"
        f"<input type='text' id='username' name='username' value='{html.escape(username)}' "
        "autocomplete='username' autofocus>"
        "<label for='password'>Password</label>"
        "<input type='password' id='password' name='password' autocomplete='current-password'>"
        "<button type='submit' id='kc-login' name='login' value='Sign In'>Sign In</button></form>"
    )
    return _page(f"Sign in to {realm_title}", body)


def update_password_page(
    realm_title: str, action: str, params: Mapping[str, str], action_token: str, error: str | None
) -> str:
    body = (
        "<h1 id='kc-page-title'>Update password</h1>"
        "<p>You need to change your password to activate your account.</p>"
        f"{_error(error)}"
        f"<form id='kc-passwd-update-form' method='post' action='{html.escape(action)}'>{_hidden(params)}"
        f"<input type='hidden' name='action_token' value='{html.escape(action_token)}'>"
        "<label for='password-new'>New password</label>"
        "<input type='password' id='password-new' name='password-new' autocomplete='new-password' autofocus>"
        "<label for='password-confirm'>Confirm password</label>"
        "<input type='password' id='password-confirm' name='password-confirm' autocomplete='new-password'>"
        "<button type='submit' id='kc-submit'>Submit</button></form>"
    )
    return _page(f"Update password - {realm_title}", body)


def logout_confirm_page(realm_title: str, action: str, params: Mapping[str, str]) -> str:
    body = (
        "<h1 id='kc-page-title'>Logging out</h1><p>Do you want to log out?</p>"
        f"<form method='post' action='{html.escape(action)}'>{_hidden(params)}"
        "<button type='submit' id='kc-logout' name='confirmLogout' value='yes'>Logout</button></form>"
    )
    return _page(f"Logging out - {realm_title}", body)


def logged_out_page(realm_title: str) -> str:
    return _page(f"Signed out - {realm_title}", "<h1 id='kc-page-title'>You are logged out</h1>")
