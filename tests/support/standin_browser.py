"""A headless stand-in for the system browser: acts like a person signing in.

    python tests/support/standin_browser.py [--detach] URL

It opens URL with a cookie-keeping session, reads each page's form, picks the account it was told to
(`STANDIN_USER`, default the sandbox admin), types the password (`STANDIN_PASSWORD`, default
`sandbox`), accepts consent (or presses Cancel when `STANDIN_CONSENT=decline`), follows redirects and
finally submits the auto-submitting form_post form to the app's loopback redirect URI exactly as a
browser would (or follows the 302 that carries the response in its query).

Trust: `STANDIN_CA` names a CA file used for HTTPS (passed per request). `STANDIN_LOG` receives a
transcript of methods, URLs without their query and status codes — never codes or tokens — and
the title of the app's landing page (`LANDED <title>`).
`STANDIN_ENV_LOG` receives the environment the browser was started with, as one JSON line (tests
check that a frozen Lanyard does not pass its bundle's library path on). `STANDIN_PAGE` receives
the page the app answered with at the end (what a person reads in the browser).
Exit status 0 once the response reached the app (whatever it says); otherwise 1 with one line on
stderr. With `--detach` it behaves like a browser launcher: it exits 0 at once and signs in from
a child process (so a failed sign-in is not mistaken for "no browser could be opened"). It knows
nothing the pages do not show.

`approve_device_code(verification_uri, user_code, ...)` does what a person does with a device
code: opens the page, types the code, confirms, signs in (approving MFA and consent when asked)
or presses Cancel on a chosen page, and returns the text of the page it ends on.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import requests

DEFAULT_USER = "megan.bowen@contoso.test"
DEFAULT_PASSWORD = "sandbox"
_DECLINE_LABELS = ("cancel", "decline", "deny", "no")
_USERNAME_FIELDS = ("username", "login", "loginfmt", "email")
_TIMEOUT = 10


@dataclass
class Form:
    action: str
    method: str
    fields: list[dict[str, str]] = field(default_factory=list)  # inputs: name, type, value, checked
    buttons: list[dict[str, str]] = field(default_factory=list)  # name, value, label


class PageParser(HTMLParser):
    """Collects forms, the title and any alert text: what a person would look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.title = ""
        self.alerts: list[str] = []
        self.text_parts: list[str] = []  # visible text, in order
        self._in: list[str] = []  # open elements of interest: title, button, alert
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self.forms[-1].buttons.append(
                    {
                        "name": a.get("name", ""),
                        "value": a.get("value", ""),
                        "label": a.get("value", ""),
                    }
                )
            else:
                self.forms[-1].fields.append(
                    {
                        "name": a.get("name", ""),
                        "type": kind,
                        "value": a.get("value", ""),
                        "checked": "1" if "checked" in a else "",
                    }
                )
        elif tag == "button" and self.forms and a.get("type", "submit").lower() == "submit":
            self._button = {"name": a.get("name", ""), "value": a.get("value", ""), "label": ""}
            self.forms[-1].buttons.append(self._button)
        elif tag in ("title", "script", "style"):
            self._in.append(tag)
        if a.get("role") == "alert":
            self.alerts.append("")
            self._in.append("alert")

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = None
        elif tag in ("title", "script", "style") and tag in self._in:
            self._in.remove(tag)
        elif tag == "div" and "alert" in self._in:
            self._in.remove("alert")

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button["label"] += data.strip()
        if "title" in self._in:
            self.title += data.strip()
        if "alert" in self._in and self.alerts:
            self.alerts[-1] += data
        if data.strip() and not {"title", "script", "style"} & set(self._in):
            self.text_parts.append(" ".join(data.split()))

    @property
    def text(self) -> str:
        return " ".join(self.text_parts)


class BrowserError(Exception):
    pass


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _fill(form: Form, user: str, password: str, decline: bool) -> dict[str, str]:
    """What a person types and clicks on this form."""
    data: dict[str, str] = {}
    radios: dict[str, list[dict[str, str]]] = {}
    has_password = False
    for f in form.fields:
        name, kind = f["name"], f["type"]
        if not name:
            continue
        if kind == "radio":
            radios.setdefault(name, []).append(f)
        elif kind == "checkbox":
            if f["checked"]:
                data[name] = f["value"] or "on"
        elif kind == "password":
            data[name] = password
            has_password = True
        elif kind in ("text", "email") and name.lower() in _USERNAME_FIELDS:
            data[name] = user
        else:
            data[name] = f["value"]
    for name, options in radios.items():
        wanted = [o for o in options if o["value"].lower() == user.lower()]
        chosen = wanted or [o for o in options if o["checked"]]
        if not chosen:
            raise BrowserError(f"the page does not offer the account {user}")
        data[name] = chosen[0]["value"]
    button = form.buttons[0] if form.buttons else None
    if decline and not has_password:
        button = next(
            (b for b in form.buttons if b["label"].strip().lower() in _DECLINE_LABELS), button
        )
    if button is not None and button["name"]:
        data[button["name"]] = button["value"]
    return data


def run(
    url: str,
    *,
    user: str = DEFAULT_USER,
    password: str = DEFAULT_PASSWORD,
    decline_consent: bool = False,
    ca_file: str | None = None,
    transcript: Callable[[str], None] | None = None,
    max_steps: int = 15,
    hand_back: dict[str, str] | None = None,
    landing_page: Callable[[str], None] | None = None,
) -> str:
    """Browse from `url` until the response reaches another origin (the app); returns that URL.

    With `hand_back`, the response is not sent to the app: its fields go there instead (what
    someone who signed in with the app's URL in their own browser could send anywhere)."""
    note = transcript or (lambda line: None)
    session = requests.Session()
    start_origin = _origin(url)

    def verify(target: str) -> bool | str:
        return ca_file if ca_file and target.lower().startswith("https:") else True

    method, target, data = "GET", url, None
    try:
        for _ in range(max_steps):
            if hand_back is not None and _origin(target) != start_origin:
                query = dict(parse_qsl(urlsplit(target).query))
                hand_back.update(data if method == "POST" and data is not None else query)
                return target
            if method == "POST":
                response = session.post(
                    target,
                    data=data,
                    allow_redirects=False,
                    verify=verify(target),
                    timeout=_TIMEOUT,
                )
            else:
                response = session.get(
                    target, allow_redirects=False, verify=verify(target), timeout=_TIMEOUT
                )
            note(f"{method} {_without_query(target)} -> {response.status_code}")
            if response.is_redirect:
                method, target, data = "GET", urljoin(target, response.headers["Location"]), None
                continue
            if _origin(target) != start_origin:
                if response.status_code >= 400:
                    raise BrowserError(f"the app answered HTTP {response.status_code}")
                landing = PageParser()
                landing.feed(response.text)
                note(f"LANDED {landing.title}")  # the app's page: what the person reads last
                if landing_page is not None:
                    landing_page(response.text)
                return target
            page = PageParser()
            page.feed(response.text)
            alert = " ".join(" ".join(a.split()) for a in page.alerts).strip()
            posts = [f for f in page.forms if f.method in ("post", "get")]
            if not posts:
                raise BrowserError(
                    alert or page.title or f"page without a form ({response.status_code})"
                )
            form = posts[0]
            has_password = any(f["type"] == "password" for f in form.fields)
            if alert and has_password:
                raise BrowserError(alert)  # a person would stop at "wrong password"
            data = _fill(form, user, password, decline_consent)
            method = "POST" if form.method == "post" else "GET"
            target = urljoin(target, form.action or target)
            if method == "GET":
                target = requests.Request("GET", target, params=data).prepare().url or target
                data = None
    except requests.RequestException as exc:
        raise BrowserError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        session.close()
    raise BrowserError(f"gave up after {max_steps} pages")


def _press_cancel(form: Form) -> dict[str, str]:
    data = {f["name"]: f["value"] for f in form.fields if f["type"] == "hidden" and f["name"]}
    cancel = next((b for b in form.buttons if b["label"].strip().lower() in _DECLINE_LABELS), None)
    if cancel is None:
        raise BrowserError("the page offers no Cancel button")
    if cancel["name"]:
        data[cancel["name"]] = cancel["value"]
    return data


def approve_device_code(
    verification_uri: str,
    user_code: str,
    *,
    user: str = DEFAULT_USER,
    password: str = DEFAULT_PASSWORD,
    decline_on: str | None = None,
    ca_file: str | None = None,
    transcript: Callable[[str], None] | None = None,
    max_steps: int = 10,
) -> str:
    """Approve (or, on the page whose title contains `decline_on`, cancel) a device code.

    Returns the visible text of the page without a form it ends on ("You have signed in ...").
    Raises BrowserError when a page shows an error next to a form a person would have to fix.
    """
    note = transcript or (lambda line: None)
    session = requests.Session()

    def verify(target: str) -> bool | str:
        return ca_file if ca_file and target.lower().startswith("https:") else True

    method, target, data = "GET", verification_uri, None
    try:
        for _ in range(max_steps):
            if method == "POST":
                response = session.post(
                    target, data=data, allow_redirects=True, verify=verify(target), timeout=_TIMEOUT
                )
            else:
                response = session.get(
                    target, allow_redirects=True, verify=verify(target), timeout=_TIMEOUT
                )
            note(f"{method} {_without_query(target)} -> {response.status_code}")
            page = PageParser()
            page.feed(response.text)
            alert = " ".join(" ".join(a.split()) for a in page.alerts).strip()
            forms = [f for f in page.forms if f.method == "post"]
            if not forms:
                return page.text
            form = forms[0]
            asks_code = any(f["name"] == "otc" and f["type"] == "text" for f in form.fields)
            has_password = any(f["type"] == "password" for f in form.fields)
            if alert and (asks_code or has_password):
                raise BrowserError(alert)
            if decline_on is not None and decline_on.lower() in page.title.lower():
                data = _press_cancel(form)
            else:
                data = _fill(form, user, password, decline=False)
            if asks_code:
                data["otc"] = user_code
            method, target = "POST", urljoin(response.url, form.action or response.url)
    except requests.RequestException as exc:
        raise BrowserError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        session.close()
    raise BrowserError(f"gave up after {max_steps} pages")


def _save_page(path: str | None) -> Callable[[str], None] | None:
    """`STANDIN_PAGE`: where the page the app answered the browser with is written (the page a
    person sees at the end of sign-in)."""
    if not path:
        return None
    return lambda page: Path(path).write_text(page, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: standin_browser.py [--detach] URL", file=sys.stderr)
        return 2
    env_log = os.environ.get("STANDIN_ENV_LOG")
    if env_log:  # what the app started it with, recorded once, before any --detach fork
        with open(env_log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(dict(os.environ)) + "\n")
    if "--detach" in argv[1:-1] and os.fork():
        return 0  # the launcher's part is done, as with xdg-open
    lines: list[str] = []
    try:
        run(
            argv[-1],
            user=os.environ.get("STANDIN_USER", DEFAULT_USER),
            password=os.environ.get("STANDIN_PASSWORD", DEFAULT_PASSWORD),
            decline_consent=os.environ.get("STANDIN_CONSENT", "").lower() == "decline",
            ca_file=os.environ.get("STANDIN_CA") or None,
            transcript=lines.append,
            landing_page=_save_page(os.environ.get("STANDIN_PAGE")),
        )
        status = 0
    except BrowserError as exc:
        lines.append(f"FAILED: {exc}")
        print(f"standin_browser: {' '.join(str(exc).split())}", file=sys.stderr)
        status = 1
    log_path = os.environ.get("STANDIN_LOG")
    if log_path:
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
