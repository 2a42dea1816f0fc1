from __future__ import annotations

import threading

import pytest

from desktop_app.sandbox.faults import (
    ENDPOINTS,
    SPEC_FIELDS,
    FaultSet,
    FaultSpec,
    FaultSpecError,
    endpoint_of,
    new_fault,
)

TENANT = "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c"


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        (f"/{TENANT}/v2.0/.well-known/openid-configuration", "openid-configuration"),
        ("/common/discovery/instance", "instance-discovery"),
        (f"/{TENANT}/discovery/v2.0/keys", "keys"),
        (f"/{TENANT}/oauth2/v2.0/authorize", "authorize"),
        (f"/{TENANT}/oauth2/v2.0/token", "token"),
        ("/organizations/oauth2/v2.0/devicecode", "devicecode"),
        (f"/{TENANT}/oauth2/v2.0/logout", "logout"),
        (f"/{TENANT}/login", "sign-in"),
        (f"/{TENANT}/mfa", "sign-in"),
        (f"/{TENANT}/consent", "sign-in"),
        ("/devicelogin", "devicelogin"),
        ("/v1.0/me", "me"),
        ("/v1.0/me/photo", "photo"),
        ("/v1.0/me/photo/$value", "photo"),
        ("/v1.0/users/abc/getMemberObjects", "member-objects"),
        ("/api/v1/orders", "api"),
        ("/api/v1/orders/SO-1001", "api"),
        ("/v1.0/me/memberOf", "member-of"),
        ("/_sandbox/faults", None),
        ("/_sandbox/requests", None),
        ("/v1.0/groups", None),
        (f"/{TENANT}/oauth2/v2.0/other", None),
        ("/", None),
    ],
)
def test_endpoint_names_of_paths(path: str, endpoint: str | None) -> None:
    assert endpoint_of(tuple(p for p in path.split("/") if p)) == endpoint
    assert endpoint is None or endpoint in ENDPOINTS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"endpoint": "nope", "status": 500}, "endpoint must be one of"),
        ({"endpoint": "token"}, "needs an effect"),
        ({"endpoint": "token", "status": 99}, "status must be"),
        ({"endpoint": "token", "status": True}, "status must be"),
        ({"endpoint": "token", "status": 429, "retry_after": -1}, "retry_after"),
        ({"endpoint": "token", "status": 500, "body": "xml"}, "body must be"),
        ({"endpoint": "token", "body": "text"}, "needs a status"),
        ({"endpoint": "token", "hang": True, "reset": True}, "not both"),
        ({"endpoint": "token", "hang": True, "status": 500}, "send no response"),
        ({"endpoint": "token", "reset": "yes"}, "true or false"),
        ({"endpoint": "token", "latency_ms": 10**9}, "latency_ms"),
        ({"endpoint": "token", "status": 500, "count": 0}, "count"),
    ],
)
def test_nonsense_faults_are_refused_with_a_reason(kwargs: dict, message: str) -> None:
    endpoint = kwargs.pop("endpoint")
    with pytest.raises(FaultSpecError, match=message):
        new_fault(FaultSpec(endpoint, **kwargs))


def test_kinds_as_the_request_log_names_them() -> None:
    assert new_fault(FaultSpec("token", reset=True)).kind == "reset"
    assert new_fault(FaultSpec("token", hang=True)).kind == "hang"
    assert new_fault(FaultSpec("me", body="malformed")).kind == "malformed"
    assert new_fault(FaultSpec("token", status=503)).kind == "status"
    assert new_fault(FaultSpec("token", latency_ms=50)).kind == "latency"
    assert new_fault(FaultSpec("token", latency_ms=50, status=500)).kind == "latency+status"


def test_which_faults_replace_the_endpoint() -> None:
    assert new_fault(FaultSpec("token", status=500)).replaces_response
    assert new_fault(FaultSpec("token", reset=True)).replaces_response
    # never run: it issues tokens
    assert new_fault(FaultSpec("token", body="malformed")).replaces_response
    # the real body, cut short
    assert not new_fault(FaultSpec("me", body="malformed")).replaces_response
    assert not new_fault(FaultSpec("me", latency_ms=5)).replaces_response


def test_counts_order_and_clearing() -> None:
    faults = FaultSet()
    first = faults.add(new_fault(FaultSpec("token", status=503, count=2)))
    faults.add(new_fault(FaultSpec("token", status=429, retry_after=1)))
    faults.add(new_fault(FaultSpec("me", status=500, count=None)))
    assert faults.take("keys") is None
    assert faults.take(None) is None
    taken = [faults.take("token") for _ in range(4)]
    assert [f.status if f else None for f in taken] == [503, 503, 429, None]
    assert taken[0] is not None
    assert taken[0].id == first.id
    assert taken[1] is not None
    assert taken[1].count == 0  # a snapshot: how many requests it had left
    for _ in range(5):
        assert faults.take("me") is not None
    [active] = faults.active()
    assert (active["endpoint"], active["count"], active["hits"]) == ("me", None, 5)
    assert faults.clear() == 1
    assert faults.active() == []
    assert faults.take("me") is None


def test_clear_and_close_release_hung_connections() -> None:
    faults = FaultSet()
    release = faults.hang_release()
    waiter = threading.Thread(target=release.wait, kwargs={"timeout": 10})
    waiter.start()
    faults.clear()
    waiter.join(5)
    assert not waiter.is_alive()
    assert not faults.hang_release().is_set()  # the next hang waits for the next clear
    faults.close()
    assert faults.hang_release().is_set()  # after stop nothing hangs at all


def test_pause_is_cut_short_by_close() -> None:
    faults = FaultSet()
    faults.close()
    done = threading.Event()

    def pause() -> None:
        faults.pause(30)
        done.set()

    thread = threading.Thread(target=pause)
    thread.start()
    thread.join(5)
    assert done.is_set()


def test_a_spec_is_the_twelve_fields_the_control_api_takes() -> None:
    assert SPEC_FIELDS == (
        "endpoint",
        "status",
        "retry_after",
        "body",
        "latency_ms",
        "slow_body_ms",
        "hang",
        "reset",
        "count",
        "message",
        "answer",
        "trickle_ms",
    )
    spec = FaultSpec("me", status=503, retry_after=2)
    assert spec.as_json() == {
        "endpoint": "me",
        "status": 503,
        "retry_after": 2,
        "body": None,
        "latency_ms": 0,
        "slow_body_ms": 0,
        "hang": False,
        "reset": False,
        "count": 1,
        "message": None,
        "answer": None,
        "trickle_ms": 0,
    }
    assert FaultSpec.from_json(spec.as_json()) == spec  # what SandboxControl sends, read back


def test_a_fault_can_put_a_servers_own_words_in_its_json_error() -> None:
    FaultSpec("token", status=400, message="AADSTS90000: words").check()
    for bad in (
        FaultSpec("token", message="no status"),
        FaultSpec("token", status=400, body="text", message="not JSON"),
        FaultSpec("token", status=400, message=7),  # type: ignore[arg-type]
    ):
        with pytest.raises(FaultSpecError, match="message"):
            bad.check()


def test_from_json_takes_the_dataclass_defaults_and_keeps_nulls() -> None:
    assert FaultSpec.from_json({"endpoint": "token", "reset": True}) == FaultSpec(
        "token", reset=True
    )
    assert FaultSpec.from_json({"endpoint": "token", "status": 500, "count": None}).count is None
    with pytest.raises(FaultSpecError, match="latency_ms must be"):
        new_fault(FaultSpec.from_json({"endpoint": "token", "status": 500, "latency_ms": None}))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "expected a JSON object"),
        ("token", "expected a JSON object"),
        (
            {"endpoint": "token", "status": 500, "colour": "red", "x": 1},
            "unknown fault fields: colour, x",
        ),
        ({"status": 500}, "endpoint is required"),
        ({"endpoint": 5, "status": 500}, "endpoint is required"),
        ({"endpoint": "token", "status": 500, "id": "mine"}, "unknown fault fields: id"),
    ],
)
def test_from_json_refuses_what_is_no_spec(body: object, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        FaultSpec.from_json(body)


def test_an_active_fault_is_its_spec_with_an_id_and_hits() -> None:
    spec = FaultSpec("token", status=503, count=2)
    first, second = new_fault(spec), new_fault(spec)
    assert isinstance(first, FaultSpec)
    assert first.id and second.id and first.id != second.id
    assert (first.hits, first.count) == (0, 2)
    assert {k: v for k, v in first.as_json().items() if k not in ("id", "hits")} == spec.as_json()
    assert spec == FaultSpec("token", status=503, count=2)  # the spec itself is left as it was
    spec.check()  # a good spec passes


def test_an_unusual_answer_is_checked() -> None:
    """FaultSpec.answer (issue 14, item 4): rewrites the real answer, never with a status."""
    from desktop_app.sandbox.faults import FaultSpec, FaultSpecError, new_fault

    fault = new_fault(
        FaultSpec("token", answer={"numbers_as_strings": True, "scope_case": "upper"})
    )
    assert fault.kind == "answer" and not fault.replaces_response
    for bad in (
        {"answer": {}},
        {"answer": {"scope_case": "title"}},
        {"answer": {"shout": True}},
        {"answer": {"set": []}},
        {"answer": {"set": {"expires_in": 0}}, "status": 500},
        {"answer": {"guid_case": "swap"}},
        {"answer": {"singletons": "yes"}},
        {"answer": {"id_token": {"id_token": {"singletons": True}}}},
        {"answer": {"id_token": {}}},
        {"retry_after": "line\r\nbreak", "status": 429},
        {"retry_after": "x" * 101, "status": 429},
        {"trickle_ms": 10, "reset": True},
        {"slow_body_ms": 10, "hang": True},
        {"slow_body_ms": -1},
    ):
        with pytest.raises(FaultSpecError):
            new_fault(FaultSpec("token", **bad))  # type: ignore[arg-type]


def test_the_unusual_upstream_knobs_are_accepted() -> None:
    from desktop_app.sandbox.faults import FaultSpec, new_fault

    for spec in (
        FaultSpec("me", slow_body_ms=200),
        FaultSpec("me", trickle_ms=200),
        FaultSpec("token", status=429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"),
        FaultSpec("token", status=503, retry_after="soon"),
        FaultSpec("token", answer={"singletons": True, "guid_case": "upper"}),
        FaultSpec("token", answer={"id_token": {"numbers_as_strings": True, "singletons": True}}),
    ):
        new_fault(spec)
    assert new_fault(FaultSpec("me", latency_ms=5, slow_body_ms=5)).kind == "latency+slow-body"
    assert new_fault(FaultSpec("me", latency_ms=5, trickle_ms=5)).kind == "latency+trickle"


def test_rewritten_answers_take_each_legal_shape() -> None:
    from desktop_app.sandbox.fault_responses import rewritten

    payload = {
        "expires_in": 3599,
        "roles": ["Reader"],
        "groups": ["a", "b"],
        "tid": "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c",
        "scope": "User.Read",
        "ok": True,
    }
    out = rewritten(
        payload,
        {"numbers_as_strings": True, "singletons": True, "guid_case": "upper", "set": {"x": 1}},
    )
    assert out["expires_in"] == "3599" and out["ok"] is True  # a bool is not a number
    assert out["roles"] == "Reader" and out["groups"] == ["a", "b"]
    assert out["tid"] == payload["tid"].upper() and out["x"] == 1
    assert rewritten(payload, {"scope_case": "swap"})["scope"] == "uSER.rEAD"
