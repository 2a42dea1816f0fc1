"""`lanyard api`'s pure parts: [METHOD] URL, URLs relative to Graph, the default scopes, --body
from text, a file or stdin, --header, the messages naming the flags, what stdout gets, and the
exit statuses. Arbitrary --header and --body text is always a request or a clear UsageError."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app import headless
from desktop_app.cli import build_parser
from desktop_app.graph.api_call import ApiResponse, build_response
from desktop_app.graph.api_request import MAX_REQUEST_BODY, ApiRequest
from desktop_app.headless_api import _deliver, body_bytes
from desktop_app.headless_api_args import (
    API_EXIT_CODES,
    EXIT_HTTP,
    DefaultScopes,
    UsageError,
    default_scopes,
    read_body_source,
    request_from_args,
    resolve_url,
    split_target,
)

GRAPH = "https://graph.test/v1.0"
ORDERS = "https://graph.test/api/v1"  # the sandbox's: the same host as its Graph, another path
ORDERS_SCOPE = "api://orders-app/Orders.Read"
DEFAULTS = DefaultScopes(GRAPH, ("User.Read",), ORDERS, ORDERS_SCOPE)


def parsed(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["api", *argv])


def request(*argv: str, stdin: str = "", defaults: DefaultScopes = DEFAULTS) -> ApiRequest:
    return request_from_args(parsed(*argv), defaults, io.StringIO(stdin))


def refused(*argv: str, stdin: str = "") -> str:
    with pytest.raises(UsageError) as caught:
        request(*argv, stdin=stdin)
    return str(caught.value)


# -- [METHOD] URL --------------------------------------------------------------------------------


def test_the_method_is_optional_and_in_any_case() -> None:
    assert split_target(["/me"]) == ("GET", "/me")
    assert split_target(["patch", "/me"]) == ("PATCH", "/me")
    assert request("delete", "/me").method == "DELETE"


def test_a_word_that_is_no_method_or_a_third_word_is_a_usage_error() -> None:
    assert "METHOD: use one of GET, POST, PUT, PATCH, DELETE (not 'FETCH')" in refused(
        "FETCH", "/me"
    )
    assert "at most a method and one URL" in refused("GET", "/me", "/you")


def test_a_path_is_after_the_graph_endpoint_and_an_absolute_url_is_kept() -> None:
    assert resolve_url("/me", GRAPH) == f"{GRAPH}/me"
    assert resolve_url("me/memberOf?$top=5", GRAPH + "/") == f"{GRAPH}/me/memberOf?$top=5"
    assert resolve_url("https://other.test/x", GRAPH) == "https://other.test/x"
    assert request("/me").url == f"{GRAPH}/me"


def test_plain_http_is_refused_by_the_consoles_rule_named_as_the_url() -> None:
    assert refused("http://graph.test/v1.0/me", "--scopes", "User.Read").startswith(
        "URL: an https:// address is required"
    )


# -- --scopes ------------------------------------------------------------------------------------


def test_graph_urls_default_to_the_configured_scopes() -> None:
    assert request("/me").scopes == ("User.Read",)
    assert default_scopes(f"{GRAPH}/me", DEFAULTS) == "User.Read"


def test_the_demos_orders_api_defaults_to_its_scope() -> None:
    got = request(f"{ORDERS}/orders")
    assert got.scopes == (ORDERS_SCOPE,)
    assert default_scopes(f"{ORDERS}?x=1", DEFAULTS) == ORDERS_SCOPE
    # a change takes the write permission beside the read one
    writing = ORDERS_SCOPE.removesuffix(".Read") + ".ReadWrite"
    assert default_scopes(ORDERS, DEFAULTS, "post") == writing
    assert default_scopes(f"{ORDERS}/SO-1", DEFAULTS, "DELETE") == writing
    # only under its base: a longer path segment is Graph's host, so Graph's scopes
    assert default_scopes("https://graph.test/api/v10/orders", DEFAULTS) == "User.Read"


def test_another_api_without_scopes_is_told_to_pass_them() -> None:
    message = refused("https://orders.contoso.example/orders")
    assert message.startswith("--scopes: orders.contoso.example is not Microsoft Graph")
    no_demo = DefaultScopes(GRAPH, ("User.Read",))
    with pytest.raises(UsageError, match="--scopes"):
        default_scopes("https://localhost:1/api/v1/orders", no_demo)


def test_given_scopes_win_and_are_checked_against_the_url() -> None:
    got = request("https://api.test/x", "--scopes", "https://api.test/.default")
    assert got.scopes == ("https://api.test/.default",)
    assert "a Microsoft Graph token (Mail.Read) is only sent to graph.test" in refused(
        "https://api.test/x", "--scopes", "Mail.Read"
    )
    assert refused("/me", "--scopes", "openid").startswith("--scopes: leave out openid")


# -- --body and --header -------------------------------------------------------------------------


def test_a_json_body_is_sent_as_json() -> None:
    got = request("POST", "/me/getMemberObjects", "--body", '{"securityEnabledOnly": true}')
    assert got.body == b'{"securityEnabledOnly": true}'
    assert got.header("Content-Type") == "application/json"


def test_a_body_that_is_not_json_is_named_by_flag_line_and_column() -> None:
    assert refused("POST", "/me", "--body", '{"a": ').startswith(
        "--body: not valid JSON at line 1, column 7"
    )
    assert refused("POST", "/me", "--body", "   ").startswith("--body: is empty")


def test_a_body_on_a_get_says_what_to_do_in_flags() -> None:
    assert refused("/me", "--body", "{}") == (
        "--body: a GET request sends no body; leave out --body, or give a METHOD such as POST."
    )


def test_body_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    body = tmp_path / "order.json"
    body.write_text('{"item": "Badge", "quantity": 2}', encoding="utf-8")
    assert request("POST", "/x", "--body", f"@{body}").body == body.read_bytes()
    assert request("PATCH", "/x", "--body", "-", stdin='{"quantity": 3}').body == (
        b'{"quantity": 3}'
    )
    assert read_body_source(None, io.StringIO("ignored")) == ""


def test_body_files_that_cannot_be_read_are_said(tmp_path: Path) -> None:
    assert refused("POST", "/x", "--body", f"@{tmp_path / 'gone.json'}").endswith(
        "there is no such file."
    )
    assert "cannot be read" in refused("POST", "/x", "--body", f"@{tmp_path}")
    latin = tmp_path / "latin1.json"
    latin.write_bytes(b'{"name": "Jos\xe9"}')
    assert refused("POST", "/x", "--body", f"@{latin}").endswith("is not UTF-8 text.")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_REQUEST_BODY + 1))
    assert "cannot be read" in refused("POST", "/x", "--body", f"@{big}")
    assert refused("POST", "/x", "--body", "@") == "--body @FILE: name the file after the @."


def test_headers_are_repeatable_and_a_bad_one_is_quoted() -> None:
    got = request("/me", "-H", "ConsistencyLevel: eventual", "--header", "Prefer: x")
    assert got.headers == (("ConsistencyLevel", "eventual"), ("Prefer", "x"))
    assert refused("/me", "-H", "Prefer: x", "-H", "Bad Name: 1") == (
        "--header 'Bad Name: 1': a header name is letters, digits and - (no spaces or symbols "
        "like : ( ) @)."
    )
    assert refused("/me", "-H", "Authorization: Bearer abc").startswith(
        "--header 'Authorization: Bearer abc': leave out Authorization"
    )


def test_a_header_with_a_line_break_is_not_split_into_two() -> None:
    assert "has a line break" in refused("/me", "-H", "X-A: 1\nAuthorization: Bearer evil")
    assert "has a line break" in refused("/me", "-H", "X-A: 1\u2028X-B: 2")
    assert refused("/me", "-H", " ") == "--header: empty; write it as 'Name: value'."


header_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(":\n\r\t \x00"),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(
    method=st.sampled_from(["GET", "post", "PATCH", "delete", "put", "HEAD", ""]),
    url=st.sampled_from(["/me", f"{ORDERS}/orders", "https://elsewhere.test/", "", "http://x"])
    | st.text(max_size=20),
    headers=st.lists(header_text, max_size=4),
    # argv holds lone surrogates for bytes that are not UTF-8 (surrogateescape)
    body=st.none() | st.text(max_size=40) | st.just("\udcff") | st.just("-") | st.just("@"),
)
def test_any_header_and_body_text_is_a_request_or_a_usage_error(
    method: str, url: str, headers: list[str], body: str | None
) -> None:
    args = argparse.Namespace(
        target=[method, url] if method else [url], scopes=None, headers=headers, body=body
    )
    try:
        got = request_from_args(args, DEFAULTS, io.StringIO("{}"))
    except UsageError as exc:
        message = str(exc)
        assert message and message[0] in "-UMg" and "Traceback" not in message, message
        return
    assert got.url.startswith("https://")
    assert not any(name.lower() == "authorization" for name, _ in got.headers)


# -- what stdout gets ----------------------------------------------------------------------------


def answer(body: bytes, content_type: str, status: int = 200, token: str = "") -> ApiResponse:
    return build_response(
        ApiRequest(f"{GRAPH}/me", ("User.Read",)),
        status=status,
        reason="OK",
        headers={"Content-Type": content_type},
        body=body,
        truncated=False,
        elapsed_ms=1.0,
        final_url=f"{GRAPH}/me",
        token=token,
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_is_pretty_printed_and_still_json_with_escapes_a_terminal_would_obey() -> None:
    import json

    response = answer(b'{"name": "Evil\\u001b[2J\\u202e", "n": 1}', "application/json")
    printed = body_bytes(response, response.document, to_terminal=False).decode()
    assert printed.startswith('{\n  "name"')
    assert "\x1b" not in printed and "\u202e" not in printed
    assert json.loads(printed) == {"name": "Evil\x1b[2J\u202e", "n": 1}


def test_text_goes_as_it_came_to_a_pipe_and_made_safe_to_a_terminal() -> None:
    response = answer(b"plain \x1b[31mred\x1b[0m", "text/plain")
    assert body_bytes(response, None, to_terminal=False) == b"plain \x1b[31mred\x1b[0m\n"
    assert b"\x1b" not in body_bytes(response, None, to_terminal=True)


def test_the_token_an_api_echoes_is_not_printed() -> None:
    response = answer(b'{"echo": "Bearer eyJsecret"}', "application/json", token="eyJsecret")
    printed = body_bytes(response, response.document, to_terminal=False)
    assert b"eyJsecret" not in printed and b"[access token removed]" in printed


def test_binary_is_refused_on_a_terminal_and_saved_with_output(tmp_path: Path) -> None:
    photo = b"\x89PNG\r\n\x1a\n" + bytes(16_580)
    response = answer(photo, "image/png")
    out, err = Terminal(), io.StringIO()
    args = argparse.Namespace(output=None)
    assert _deliver(response, None, args, out, err) is None
    assert out.getvalue() == ""
    assert err.getvalue() == "lanyard: 16.2 KB of image/png, not printed; use --output FILE.\n"
    saved = tmp_path / "me.png"
    err = io.StringIO()
    assert _deliver(response, None, argparse.Namespace(output=str(saved)), out, err) is None
    assert saved.read_bytes() == photo
    assert err.getvalue() == f"lanyard: saved 16.2 KB to {saved}.\n"
    piped = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert _deliver(response, None, argparse.Namespace(output=None), piped, err) is None
    assert piped.buffer.getvalue() == photo


def test_an_output_file_that_cannot_be_written_fails_without_a_traceback(tmp_path: Path) -> None:
    response = answer(b"{}", "application/json")
    err = io.StringIO()
    args = argparse.Namespace(output=str(tmp_path / "no" / "such" / "dir.json"))
    assert _deliver(response, {}, args, io.StringIO(), err) == headless.EXIT_FAILED
    assert "cannot be written (No such file or directory)" in err.getvalue()


# -- exit statuses and --help ---------------------------------------------------------------------


def test_an_http_error_has_its_own_exit_status_and_the_others_mean_what_they_do_elsewhere() -> None:
    others = {
        headless.EXIT_OK,
        headless.EXIT_FAILED,
        headless.EXIT_USAGE,
        headless.EXIT_CONFIG,
        headless.EXIT_SIGN_IN,
        headless.EXIT_STORE,
        headless.EXIT_NO_ACCOUNT,
        130,
    }
    assert EXIT_HTTP not in others
    for code in sorted(others | {EXIT_HTTP}):
        assert f"{code} " in API_EXIT_CODES


def test_usage_errors_exit_2_before_anything_is_sent(capsys: pytest.CaptureFixture[str]) -> None:
    from types import SimpleNamespace

    from desktop_app.headless_api import api

    services = SimpleNamespace(
        config=SimpleNamespace(graph_endpoint=GRAPH, scopes=("User.Read",)), demo_api=None
    )  # what the request is checked against; nothing else of it may be touched
    err = io.StringIO()
    code = api(services, parsed("POST", "/me", "--body", "{"), io.StringIO(), err)  # type: ignore[arg-type]
    assert code == headless.EXIT_USAGE
    assert err.getvalue().startswith("lanyard api: --body: not valid JSON at line 1, column 2")
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["api"])
    assert exited.value.code == 2
    assert "[METHOD] URL" in capsys.readouterr().err


def test_help_names_the_flags_and_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["api", "--help"])
    text = capsys.readouterr().out
    for words in ("--header", "--body", "--all", "--output", "--include", "--scopes", "7 the"):
        assert words in text


# -- --all's warnings, and the demo API a sandbox description names ----------------------------


class Pager:
    """Answers each next-page request with the page given for its URL (the sending is the
    integration tests'; here what --all makes of the pages)."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def send(self, request: ApiRequest, err: io.StringIO) -> ApiResponse:
        self.asked.append(request.url)
        return build_response(
            request,
            status=200,
            reason="OK",
            headers={"Content-Type": "application/json"},
            body=self.pages[request.url],
            truncated=False,
            elapsed_ms=1.0,
            final_url=request.url,
        )


def page(items: list[int], next_link: str | None) -> bytes:
    import json

    document: dict[str, object] = {"value": items}
    if next_link is not None:
        document["@odata.nextLink"] = next_link
    return json.dumps(document).encode()


def test_all_stops_at_a_next_link_elsewhere_and_says_so() -> None:
    from desktop_app.headless_api import _all_pages

    first_url = f"{GRAPH}/me/memberOf"
    pager = Pager(
        {
            first_url: page([1, 2], f"{GRAPH}/me/memberOf?skip=2"),
            f"{GRAPH}/me/memberOf?skip=2": page([3], "https://evil.test/steal"),
        }
    )
    first = pager.send(ApiRequest(first_url, ("User.Read",)), io.StringIO())
    err = io.StringIO()
    last, document = _all_pages(pager, first, err)  # type: ignore[arg-type]
    assert last.request.url == f"{GRAPH}/me/memberOf?skip=2"
    assert pager.asked == [first_url, f"{GRAPH}/me/memberOf?skip=2"]  # never evil.test
    assert document == {"value": [1, 2, 3], "@odata.nextLink": "https://evil.test/steal"}
    assert "not every page was read: The next page is on another address" in err.getvalue()


def test_all_stops_at_max_pages_and_leaves_the_next_link() -> None:
    from desktop_app.graph.api_pages import MAX_PAGES
    from desktop_app.headless_api import _all_pages

    pages = {f"{GRAPH}/p{n}": page([n], f"{GRAPH}/p{n + 1}") for n in range(MAX_PAGES + 2)}
    pager = Pager(pages)
    first = pager.send(ApiRequest(f"{GRAPH}/p0", ("User.Read",)), io.StringIO())
    err = io.StringIO()
    _last, document = _all_pages(pager, first, err)  # type: ignore[arg-type]
    assert isinstance(document, dict) and document["value"] == list(range(MAX_PAGES))
    assert document["@odata.nextLink"] == f"{GRAPH}/p{MAX_PAGES}"
    assert f"stopped at {MAX_PAGES} pages" in err.getvalue()


def test_a_sandbox_description_names_its_orders_api(tmp_path: Path) -> None:
    import json

    from desktop_app.session.services import DemoApi, described_api

    info = tmp_path / "sandbox.json"
    info.write_text(json.dumps({"api_endpoint": "https://localhost:1/api/v1", "api_scope": "x"}))
    assert described_api(info) == DemoApi("https://localhost:1/api/v1", "x")
    info.write_text(json.dumps({"authority": "https://localhost:1/t"}))  # an older sandbox's
    assert described_api(info) is None
    info.write_text("[1, 2]")
    assert described_api(info) is None
    assert described_api(tmp_path / "gone.json") is None
