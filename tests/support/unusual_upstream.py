"""Hypothesis strategies for the sandbox's "unusual upstream" mode (issue 14): answers drawn
from what OAuth 2.0, OpenID Connect, Graph and Entra allow or are seen to send: numbers as
strings, singletons for lists, scopes and GUIDs in another case, unknown extra fields, slow
bodies (small delays only), Retry-After of any size or form, zero and negative lifetimes.

An ``Upstream`` is the drawn faults plus what a true reading of them is, so a test can check
the window and the terminal commands against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from desktop_app.auth.claims import seconds
from desktop_app.sandbox.faults import FaultSpec

DEFAULT_LIFETIME = 3600  # the sandbox's access token lifetime
NAME = "Alex Wilber"  # the reader's display name in the sandbox directory

# Retry-After as servers send it: seconds (0 to huge), an HTTP-date, and what a client meets
RETRY_AFTER = st.sampled_from(
    [None, 0, 1, 5, 86_400, "2", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 2099 23:59:59 GMT"]
)
RETRY_AFTER = RETRY_AFTER | st.sampled_from(["soon", "-5", "1.5", ""])
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
EXTRA = st.dictionaries(
    st.sampled_from(["x_ms_new", "foo", "trace", "ext"]), JSON_VALUE, max_size=2
)


def as_sent(number: int) -> st.SearchStrategy[object]:
    return st.sampled_from([number, str(number), f"{number}.0", float(number)])


LIFETIME = st.sampled_from([None, 0, -60, 1, 30, 59, 299, 3599]).flatmap(
    lambda n: st.just(None) if n is None else as_sent(n)
)
REFRESH_IN = st.sampled_from([None, 1800, "1800", "1800.5", "soon", 0])
WRONG = st.sampled_from([5, True, ["x"], {"a": 1}])


@dataclass
class Upstream:
    faults: list[FaultSpec] = field(default_factory=list)
    token_error: bool = False  # the token endpoint answers an error
    lifetime: float | None = DEFAULT_LIFETIME  # what expires_in means, when it succeeds
    name_wrong_type: bool = False  # /me sends displayName as something other than text
    name: str | None = None  # /me sends this displayName (text)

    @property
    def expired_on_arrival(self) -> bool:
        return not self.token_error and (self.lifetime is None or self.lifetime <= 0)

    @property
    def short_lived(self) -> bool:
        return not self.token_error and self.lifetime is not None and 0 < self.lifetime < 300


@st.composite
def upstreams(draw: st.DrawFn) -> Upstream:
    up = Upstream()
    if draw(st.sampled_from([True, False, False, False])):  # the token endpoint fails
        up.token_error = True
        up.faults.append(
            FaultSpec(
                "token",
                status=draw(st.sampled_from([429, 503, 500])),
                retry_after=draw(RETRY_AFTER),
                body=draw(st.sampled_from([None, "json", "text"])),
                count=None,
            )
        )
    else:
        sent: dict[str, Any] = dict(draw(EXTRA))  # a copy: drawn values are not changed
        lifetime = draw(LIFETIME)
        if lifetime is not None:
            sent["expires_in"] = lifetime
            up.lifetime = seconds(lifetime)
        refresh_in = draw(REFRESH_IN)
        if refresh_in is not None:
            sent["refresh_in"] = refresh_in
        if draw(st.booleans()):
            sent["ext_expires_in"] = draw(as_sent(3599))
        answer: dict[str, Any] = {
            "numbers_as_strings": draw(st.booleans()),
            "singletons": draw(st.booleans()),
            "set": sent,
        }
        for key, choices in (
            ("scope_case", ["upper", "lower", "swap"]),
            ("guid_case", ["upper", "lower"]),
        ):
            choice = draw(st.sampled_from([None, *choices]))
            if choice is not None:
                answer[key] = choice
        if draw(st.booleans()):
            answer["id_token"] = {
                "singletons": draw(st.booleans()),
                "numbers_as_strings": draw(st.booleans()),
                "guid_case": draw(st.sampled_from(["upper", "lower"])),
            }
        up.faults.append(
            FaultSpec(
                "token",
                answer=answer,
                slow_body_ms=draw(st.sampled_from([0, 0, 50, 300])),
                latency_ms=draw(st.sampled_from([0, 0, 100])),
                count=None,
            )
        )
    me: dict[str, Any] = {"set": dict(draw(EXTRA))}
    what = draw(st.sampled_from(["same", "wrong", "text"]))
    if what == "wrong":
        me["set"]["displayName"] = draw(WRONG)
        up.name_wrong_type = True
    elif what == "text":
        up.name = draw(st.sampled_from(["Alex W.", "ALEX WILBER", "A"]))
        me["set"]["displayName"] = up.name
    if draw(st.booleans()):
        me["set"]["businessPhones"] = "+1 425 555 0100"  # one string for a list
    me["guid_case"] = draw(st.sampled_from(["upper", "lower"]))
    me["singletons"] = draw(st.booleans())
    up.faults.append(
        FaultSpec("me", answer=me, slow_body_ms=draw(st.sampled_from([0, 0, 100])), count=None)
    )
    return up
