from __future__ import annotations

import threading

import pytest

from desktop_app.sandbox.faults import ENDPOINTS, FaultSet, FaultSpecError, endpoint_of, new_fault

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
        new_fault(endpoint, **kwargs)


def test_kinds_as_the_request_log_names_them() -> None:
    assert new_fault("token", reset=True).kind == "reset"
    assert new_fault("token", hang=True).kind == "hang"
    assert new_fault("me", body="malformed").kind == "malformed"
    assert new_fault("token", status=503).kind == "status"
    assert new_fault("token", latency_ms=50).kind == "latency"
    assert new_fault("token", latency_ms=50, status=500).kind == "latency+status"


def test_which_faults_replace_the_endpoint() -> None:
    assert new_fault("token", status=500).replaces_response
    assert new_fault("token", reset=True).replaces_response
    assert new_fault("token", body="malformed").replaces_response  # never run: it issues tokens
    assert not new_fault("me", body="malformed").replaces_response  # the real body, cut short
    assert not new_fault("me", latency_ms=5).replaces_response


def test_counts_order_and_clearing() -> None:
    faults = FaultSet()
    first = faults.add(new_fault("token", status=503, count=2))
    faults.add(new_fault("token", status=429, retry_after=1))
    faults.add(new_fault("me", status=500, count=None))
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
