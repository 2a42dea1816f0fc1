"""@odata.nextLink: followed only to the first request's origin; pages merged in order."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.graph.api_call import ApiRequest, ApiResponse, build_response
from desktop_app.graph.api_pages import MAX_PAGES, Pages, next_link

GRAPH = "https://graph.test/v1.0"
REQUEST = ApiRequest(f"{GRAPH}/me/memberOf", ("User.Read",))


def page(document: Any, status: int = 200) -> ApiResponse:
    return build_response(
        REQUEST,
        status=status,
        reason="OK",
        headers={"Content-Type": "application/json"},
        body=json.dumps(document).encode(),
        truncated=False,
        elapsed_ms=10.0,
        final_url=REQUEST.url,
    )


def test_a_same_origin_next_link_is_followed_and_others_are_refused_with_why() -> None:
    good = f"{GRAPH}/me/memberOf?$skiptoken=2"
    assert next_link(page({"value": [], "@odata.nextLink": good})).url == good
    assert next_link(page({"value": [], "@ODATA.NEXTLINK": good})).url == good  # any case
    assert next_link(page({"value": [], "odata.nextLink": good})).url == good  # OData 3
    for elsewhere in ("https://evil.test/steal", "http://graph.test/v1.0/x", "//graph.test/x"):
        link = next_link(page({"value": [], "@odata.nextLink": elsewhere}))
        assert link.url == "" and "another address" in link.refused
    assert next_link(page({"value": [], "@odata.nextLink": ""})).refused
    assert next_link(page({"value": [], "@odata.nextLink": 5})).refused  # not a string
    assert next_link(page({"value": []})) == next_link(page([1, 2]))  # none
    assert next_link(page({"@odata.nextLink": good}, status=404)).url == ""  # errors: none


def test_pages_merge_in_order_and_stop_at_the_cap() -> None:
    link = f"{GRAPH}/me/memberOf?$skiptoken=x"
    pages = Pages.start(page({"@odata.context": "c", "value": [1, 2], "@odata.nextLink": link}))
    assert pages.summary() == "2 items in 1 page; more to load" and pages.can_load_more
    pages.add(page({"value": 3, "@odata.nextLink": link}))  # a single value stands for a list
    assert pages.document() == {"@odata.context": "c", "value": [1, 2, 3], "@odata.nextLink": link}
    pages.add(page({"value": [4]}))
    assert pages.document() == {"@odata.context": "c", "value": [1, 2, 3, 4]}
    assert pages.summary() == "4 items in 3 pages" and not pages.can_load_more
    capped = Pages.start(page({"value": [0], "@odata.nextLink": link}))
    for _ in range(MAX_PAGES - 1):
        capped.add(page({"value": [0], "@odata.nextLink": link}))
    assert not capped.can_load_more
    assert capped.summary() == f"{MAX_PAGES} items in {MAX_PAGES} pages; stopped at 50 pages"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["value", "@odata.nextLink", "@odata.NEXTlink", "@odata.count", "x"]),
        json_values | st.just(f"{GRAPH}/next") | st.just("https://evil.test/next"),
    )
    | json_values
)
def test_any_document_gives_an_answer(document: Any) -> None:
    response = page(document)
    link = next_link(response)
    assert not (link.url and link.refused)
    if link.url:
        assert link.url.startswith("https://graph.test/")
    pages = Pages.start(response)
    pages.add(response)
    assert pages.summary()
    assert isinstance(pages.items, list)
