"""The session's state table and the predicates the window and the session's parts share."""

from __future__ import annotations

from desktop_app.session.state import (
    MAY_CALL_API,
    MAY_REFRESH,
    SHOWS_ACCOUNT,
    TRANSITIONS,
    State,
)


def test_every_state_is_reachable_and_sign_in_needed_waits_for_a_person() -> None:
    reachable = {State.STARTING}
    frontier = [State.STARTING]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(State)
    assert TRANSITIONS[State.SIGN_IN_NEEDED] == {State.SIGNING_IN, State.SIGNED_OUT}


def test_the_predicates_name_the_states_the_window_and_the_parts_rely_on() -> None:
    assert {State.SIGNED_IN, State.REFRESHING, State.OFFLINE, State.ERROR} == MAY_CALL_API
    assert {State.SIGNED_IN, State.OFFLINE, State.ERROR} == MAY_REFRESH
    # an API is called only while an account is on screen; nothing is refreshed without one
    assert MAY_CALL_API <= SHOWS_ACCOUNT
    assert MAY_REFRESH <= MAY_CALL_API
    # the Refresh button's states can all start a refresh, and sign in again
    for state in MAY_REFRESH:
        assert {State.REFRESHING, State.SIGNING_IN} <= TRANSITIONS[state], state
    # where only a person can help, neither an API call nor a refresh is offered
    assert State.SIGN_IN_NEEDED not in MAY_CALL_API | MAY_REFRESH
