"""The browser-facing HTML: sign-in, consent, errors, the form_post hand-off and sign-out.

Self-contained (no external resources) and every value goes through html.escape: the directory
holds hostile names on purpose. Form field names are an interface (tests' stand-in browser):
sign-in posts `ctx`, `username` (radio), `password`, `action` = signin|cancel;
MFA posts `ctx`, `action` = approve|cancel; consent posts `ctx`, `action` = accept|cancel;
the device code page posts `otc` (the user code); its confirmation posts `otc`,
`action` = continue|cancel. The first submit button of every form is the one that goes ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from desktop_app.sandbox.directory import PASSWORD, TENANT_DOMAIN, TENANT_NAME, User

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 background:linear-gradient(135deg,#eef2ff,#f8fafc 60%,#ecfeff);color:#1f2937;min-height:100vh}
.banner{background:#1e293b;color:#f8fafc;font-size:13px;padding:6px 16px;text-align:center}
.banner b{color:#fbbf24}
main{max-width:440px;margin:48px auto;background:#fff;border-radius:10px;padding:32px 36px;
 box-shadow:0 10px 30px rgba(15,23,42,.12)}
.brand{font-weight:600;color:#4338ca;letter-spacing:.02em;margin-bottom:6px}
h1{font-size:22px;margin:0 0 14px}
p.muted{color:#6b7280;margin:4px 0 16px}
.accounts{border:0;margin:0 0 16px;padding:0}
.accounts legend{font-weight:600;margin-bottom:6px}
.account{display:flex;gap:10px;align-items:center;padding:8px 10px;border:1px solid #e5e7eb;
 border-radius:8px;margin-bottom:6px;cursor:pointer}
.account:hover{background:#f5f3ff}
.account small{display:block;color:#6b7280}
.tag{font-size:11px;background:#dcfce7;color:#166534;border-radius:9px;padding:1px 7px;margin-left:4px}
label.field{display:block;font-weight:600;margin:8px 0 4px}
input[type=text].code{width:100%;padding:9px 10px;border:1px solid #cbd5e1;border-radius:6px;
 font:20px/1.2 ui-monospace,monospace;letter-spacing:.12em;text-transform:uppercase}
.number{font-size:40px;font-weight:700;text-align:center;letter-spacing:.1em;margin:8px 0 12px}
input[type=password]{width:100%;padding:9px 10px;border:1px solid #cbd5e1;border-radius:6px;font:inherit}
.hint{font-size:13px;color:#92400e;background:#fffbeb;border:1px solid #fde68a;border-radius:6px;
 padding:6px 10px;margin:10px 0}
.alert{color:#991b1b;background:#fef2f2;border:1px solid #fecaca;border-radius:6px;padding:8px 10px;
 margin:0 0 14px}
.buttons{display:flex;flex-direction:row-reverse;gap:10px;margin-top:20px}
button{font:inherit;padding:8px 18px;border-radius:6px;border:1px solid #cbd5e1;background:#fff;cursor:pointer}
button.primary{background:#4338ca;border-color:#4338ca;color:#fff}
ul.scopes{padding-left:20px}
ul.scopes li{margin:4px 0}
.details{font:12px/1.5 ui-monospace,monospace;color:#6b7280;word-break:break-all;margin-top:18px}
"""


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _shell(title: str, body: str, script: str = "", nonce: str = "") -> str:
    script_tag = f'<script nonce="{_text(nonce)}">{script}</script>' if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_text(title)}</title><style>{_CSS}</style></head><body>"
        '<div class="banner" role="note"><b>Lanyard sandbox</b> — a local stand-in for Microsoft '
        f"Entra ID ({_text(TENANT_DOMAIN)}). Not a real Microsoft sign-in.</div>"
        f"<main>{body}</main>{script_tag}</body></html>"
    )


def _alert(message: str | None) -> str:
    return f'<div class="alert" role="alert">{_text(message)}</div>' if message else ""


def _account(user: User, checked: bool, signed_in: bool) -> str:
    name = user.display_name or user.upn
    tag = '<span class="tag">Signed in</span>' if signed_in else ""
    return (
        '<label class="account"><input type="radio" name="username" '
        f'value="{_text(user.upn)}"{" checked" if checked else ""} required>'
        f"<span><bdi>{_text(name)}</bdi>{tag}<small>{_text(user.upn)}</small></span></label>"
    )


def sign_in(
    *,
    action: str,
    ctx: str,
    app_name: str,
    users: Sequence[User],
    selected: str | None,
    signed_in: str | None,
    error: str | None,
) -> str:
    accounts = "".join(
        _account(u, u.upn.lower() == (selected or "").lower(), u.upn == signed_in) for u in users
    )
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>Sign in</h1>'
        f'<p class="muted">to continue to <b><bdi>{_text(app_name)}</bdi></b></p>'
        f"{_alert(error)}"
        f'<form method="post" action="{_text(action)}">'
        f'<input type="hidden" name="ctx" value="{_text(ctx)}">'
        f'<fieldset class="accounts"><legend>Pick an account</legend>{accounts}</fieldset>'
        '<label class="field" for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password">'
        f'<div class="hint">Sandbox: every account\'s password is <b>{_text(PASSWORD)}</b>.</div>'
        '<div class="buttons"><button type="submit" name="action" value="signin" class="primary">'
        'Sign in</button><button type="submit" name="action" value="cancel" formnovalidate>'
        "Cancel</button></div></form>"
    )
    return _shell("Sign in to your account", body)


def consent(*, action: str, ctx: str, app_name: str, upn: str, permissions: Sequence[str]) -> str:
    items = "".join(f"<li>{_text(p)}</li>" for p in permissions)
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>Permissions requested</h1>'
        f'<p class="muted"><b><bdi>{_text(app_name)}</bdi></b> (unverified) wants to, for '
        f'<bdi>{_text(upn)}</bdi>:</p><ul class="scopes">{items}</ul>'
        '<p class="muted">Accepting lets the app use this data as described. You can change '
        "this later.</p>"
        f'<form method="post" action="{_text(action)}">'
        f'<input type="hidden" name="ctx" value="{_text(ctx)}">'
        '<div class="buttons"><button type="submit" name="action" value="accept" class="primary">'
        'Accept</button><button type="submit" name="action" value="cancel">Cancel</button></div>'
        "</form>"
    )
    return _shell("Permissions requested", body)


def error(*, headline: str, description: str, details: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f"<div>{_text(k)}: {_text(v)}</div>" for k, v in details)
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>{_text(headline)}</h1>'
        f'<div class="alert" role="alert">{_text(description)}</div>'
        f'<div class="details">{rows}</div>'
    )
    return _shell("Sign-in error", body)


def form_post(*, action: str, fields: dict[str, str], nonce: str) -> str:
    """Hands the response to the app the way Entra does: a form the page submits on load."""
    inputs = "".join(
        f'<input type="hidden" name="{_text(k)}" value="{_text(v)}">' for k, v in fields.items()
    )
    body = (
        '<h1>Signing you in…</h1><p class="muted">Returning to the application. If nothing '
        "happens, press Continue.</p>"
        f'<form method="post" name="hiddenform" action="{_text(action)}">{inputs}'
        '<div class="buttons"><button type="submit" class="primary">Continue</button></div></form>'
    )
    return _shell("Working…", body, "document.forms[0].submit();", nonce)


def signed_out() -> str:
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>You signed out of your account</h1>'
        '<p class="muted">It\'s a good idea to close all browser windows.</p>'
    )
    return _shell("Signed out", body)


def pick_sign_out(*, action: str, upn: str, sid: str, fields: dict[str, str]) -> str:
    """Entra's "Pick an account" before signing out: what a sign-out without a usable
    logout_hint shows. ``fields``: the request's parameters, carried through the post."""
    hidden = "".join(
        f'<input type="hidden" name="{_text(k)}" value="{_text(v)}">' for k, v in fields.items()
    )
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>Pick an account</h1>'
        "<p>Which account do you want to sign out of?</p>"
        f'<form method="post" action="{_text(action)}">{hidden}'
        f'<input type="hidden" name="sid" value="{_text(sid)}">'
        f'<div class="buttons"><button type="submit" class="primary"><bdi>{_text(upn)}</bdi>'
        "</button></div></form>"
    )
    return _shell("Sign out", body)


def mfa(*, action: str, ctx: str, upn: str) -> str:
    """The extra step a conditional access policy demands: approve the request "on the phone"."""
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>Approve sign-in request</h1>'
        f'<p class="muted"><bdi>{_text(upn)}</bdi></p>'
        "<p>Your organisation requires multi-factor authentication. Open your Authenticator app "
        "and approve the request to sign in.</p>"
        '<div class="hint">Sandbox: there is no phone; <b>Approve</b> stands for approving the '
        "notification.</div>"
        f'<form method="post" action="{_text(action)}">'
        f'<input type="hidden" name="ctx" value="{_text(ctx)}">'
        '<div class="buttons"><button type="submit" name="action" value="approve" class="primary">'
        'Approve</button><button type="submit" name="action" value="cancel">Cancel</button></div>'
        "</form>"
    )
    return _shell("Approve sign-in request", body)


def device_code_entry(*, action: str, error: str | None) -> str:
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>Enter code</h1>'
        '<p class="muted">Enter the code displayed on your app or device.</p>'
        f"{_alert(error)}"
        f'<form method="post" action="{_text(action)}">'
        '<label class="field" for="otc">Code</label>'
        '<input type="text" class="code" id="otc" name="otc" autocomplete="off" required '
        'autofocus maxlength="20">'
        '<div class="buttons"><button type="submit" name="action" value="next" class="primary">'
        "Next</button></div></form>"
    )
    return _shell("Enter code", body)


def device_confirm(*, action: str, user_code: str, app_name: str) -> str:
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div>'
        f"<h1>Are you trying to sign in to <bdi>{_text(app_name)}</bdi>?</h1>"
        '<p class="muted">Only continue if you downloaded the app from a store or website that '
        "you trust.</p>"
        f'<form method="post" action="{_text(action)}">'
        f'<input type="hidden" name="otc" value="{_text(user_code)}">'
        '<div class="buttons"><button type="submit" name="action" value="continue" '
        'class="primary">Continue</button>'
        '<button type="submit" name="action" value="cancel">Cancel</button></div></form>'
    )
    return _shell("Are you trying to sign in?", body)


def device_done(*, app_name: str) -> str:
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div>'
        f"<h1><bdi>{_text(app_name)}</bdi></h1>"
        f"<p>You have signed in to the <bdi>{_text(app_name)}</bdi> application on your "
        "device. You may now close this window.</p>"
    )
    return _shell("Signed in", body)


def device_declined(*, app_name: str) -> str:
    body = (
        f'<div class="brand">{_text(TENANT_NAME)}</div><h1>Sign-in cancelled</h1>'
        f"<p>You didn't sign in to <bdi>{_text(app_name)}</bdi>. You may now close this "
        "window.</p>"
    )
    return _shell("Sign-in cancelled", body)
