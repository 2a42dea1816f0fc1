"""``@odata.nextLink``: the pages of a collection, followed only when a person asks.

Graph answers a long collection (a user's 250 groups) a page at a time: ``value`` holds this
page's items and ``@odata.nextLink`` the URL of the next page (an opaque URL to call as it is:
https://learn.microsoft.com/graph/paging). The console and ``lanyard api --all`` follow it, with the
same token, only to the origin of the first request (a next link elsewhere is shown, not called),
and at most MAX_PAGES pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.i18n import _, ngettext, number
from desktop_app.graph.api_call import ApiResponse, origin_of
from desktop_app.graph.api_request import MAX_PAGES as MAX_PAGES  # its home; said here too
from desktop_app.graph.json_tree import JsonValue

_NEXT_KEYS = ("@odata.nextlink", "odata.nextlink")  # OData 4 and, from older services, 3


@dataclass(frozen=True)
class NextLink:
    url: str = ""  # the next page, safe to call; "" when there is none or it is refused
    refused: str = ""  # why a next link there is is not followed


def _next_value(document: JsonValue) -> str | None:
    if not isinstance(document, dict):
        return None
    for key, value in document.items():
        if key.lower() in _NEXT_KEYS:
            return value if isinstance(value, str) else ""
    return None


def next_link(response: ApiResponse) -> NextLink:
    """Where the next page is, when ``response`` is a page of a collection."""
    value = _next_value(response.document) if response.ok and response.is_json else None
    if value is None:
        return NextLink()
    link = value.strip()
    if not link:
        return NextLink(refused="The answer has an empty @odata.nextLink.")
    origin = origin_of(response.request.url)
    if not link.lower().startswith("https://") or origin_of(link) != origin:
        return NextLink(
            refused="The next page is on another address than the one called, so Lanyard does "
            "not send your token there."
        )
    if any(c.isspace() or ord(c) < 0x20 for c in link):
        return NextLink(refused="The answer's @odata.nextLink is not a valid address.")
    return NextLink(url=link)


def _items(document: JsonValue) -> list[Any]:
    if not isinstance(document, dict) or "value" not in document:
        return []
    value = document["value"]
    return value if isinstance(value, list) else [value]  # a single value stands for a list


@dataclass
class Pages:
    """The pages of one collection so far, shown as one document."""

    first: ApiResponse
    items: list[Any] = field(default_factory=list)
    count: int = 0  # pages read
    last: ApiResponse | None = None
    elapsed_ms: float = 0.0
    size: int = 0

    @classmethod
    def start(cls, response: ApiResponse) -> Pages:
        pages = cls(response)
        pages.add(response)
        return pages

    def add(self, response: ApiResponse) -> None:
        self.items.extend(_items(response.document))
        self.count += 1
        self.last = response
        self.elapsed_ms += response.elapsed_ms
        self.size += response.size

    @property
    def next(self) -> NextLink:
        return next_link(self.last or self.first)

    @property
    def can_load_more(self) -> bool:
        return bool(self.next.url) and self.count < MAX_PAGES

    def document(self) -> JsonValue:
        """The first page's document with every item read so far in ``value`` and the next
        page's link only while there is one."""
        first = self.first.document
        if not isinstance(first, dict):
            return first
        merged = {k: v for k, v in first.items() if k.lower() not in _NEXT_KEYS}
        merged["value"] = list(self.items)
        link = _next_value(self.last.document if self.last else first)
        if link:
            merged["@odata.nextLink"] = link
        return merged

    def summary(self) -> str:
        """E.g. "250 items in 3 pages" or "100 items, page 1; more to load"."""
        count = len(self.items)
        items = ngettext("{n} item", "{n} items", count).format(n=number(count))
        pages = ngettext("{n} page", "{n} pages", self.count).format(n=number(self.count))
        if self.next.url:
            more = (
                _("; stopped at {most} pages").format(most=number(MAX_PAGES))
                if self.count >= MAX_PAGES
                else _("; more to load")
            )
            return _("{items} in {pages}").format(items=items, pages=pages) + more
        return _("{items} in {pages}").format(items=items, pages=pages)
