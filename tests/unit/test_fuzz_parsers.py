"""Fuzzing every parser of admin input and of Canvas's answers: whatever arrives, no exception escapes but
the documented input errors (`InputError` and its kin, `CorruptProfile`).

Each test is kept quick (a modest `max_examples`, no deadline, so a slow shared machine does not fail it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ally_wizard.canvas.authorize import classify_authorize_answer, parse_missing_scopes, redirect_params
from ally_wizard.canvas.client import Reply, retry_after_seconds
from ally_wizard.canvas.messages import canvas_words, error_message, first_line
from ally_wizard.canvas.oauth import begin_authorization, read_pasted_code
from ally_wizard.canvas.probes import classify_probe, probe_for
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.inputs import InputError, normalize_canvas_url, parse_client_id, parse_key_id, redirect_uri
from ally_wizard.profile import Profile
from ally_wizard.recipe import default_recipe
from ally_wizard.redact import clean_evidence, mask_secrets
from ally_wizard.sandbox.records import local_id
from ally_wizard.store import CorruptProfile, ProfileStore
from ally_wizard.terminal_text import json_for_terminal, printable

# No example database: a test run must not leave a .hypothesis folder in the checkout.
FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
RECIPE = default_recipe()
BASE = "https://canvas.school.edu"
TARGET = KeyTarget.from_recipe(BASE, "170000000000123", "https://prod.ally.ac/api/v2/1234/auth/canvas/callback")

# Pieces that make parsers take their less travelled paths: schemes, brackets, ports, percent escapes,
# look-alike digits, controls, and the words Canvas's answers are read for.
PIECES = [
    "http://", "https://", "ftp://", "//", "[", "]", "[::1]", ":", ":0", ":443", ":65536", ":-1", "@", "/", "?", "#",
    "&", "=", "+", "%", "%2", "%zz", "%C2%B2", "code=", "state=", "error=", "error_description=", "canvas.school.edu",
    "localhost", "127.0.0.1", "xn--", "é", "²", "١", "\x00", "\x1b[2J", "\n", " ", "\t", ".", "-", "0", "9" * 30,
    "170000000000123", "1234", "invalid_scope", "unauthorized_client", "login_required", "/login/canvas",
    "/login/oauth2/auth", "The following scopes were requested, but not granted: ", ", and ", "url:GET|/api/v1/x",
]  # fmt: skip
tricky_text = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(PIECES), max_size=25).map("".join))

json_keys = tricky_text | st.sampled_from(["error", "errors", "message", "error_description"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(json_keys, inner, max_size=5),
    max_leaves=20,
)
bodies = st.one_of(tricky_text, json_values.map(json.dumps), st.just("while(1);" + '{"errors":[{"message":"x"}]}'))


def replies(url: str = f"{BASE}/login/oauth2/auth") -> st.SearchStrategy[Reply]:
    headers = st.fixed_dictionaries(
        {},
        optional={
            "location": tricky_text,
            "content-type": st.sampled_from(["application/json", "text/html", "text/plain; charset=utf-8", ""]),
            "retry-after": tricky_text,
        },
    )
    return st.builds(Reply, st.just("GET"), st.just(url), st.integers(100, 599), headers, bodies)


@FUZZ
@given(tricky_text)
def test_canvas_address_parser_raises_only_input_errors(text: str) -> None:
    try:
        url = normalize_canvas_url(text)
    except InputError:
        return
    assert url.startswith(("https://", "http://")) and normalize_canvas_url(url) == url


@FUZZ
@given(tricky_text)
def test_client_id_and_key_id_parsers_raise_only_input_errors(text: str) -> None:
    for parse in (parse_client_id, parse_key_id):
        with contextlib.suppress(InputError):
            parse(text)
    with contextlib.suppress(InputError):
        redirect_uri(RECIPE, text[:3], text)


@FUZZ
@given(tricky_text)
def test_pasted_address_parser_raises_only_input_errors(text: str) -> None:
    pending = begin_authorization(TARGET)
    for pasted in (text, f"{BASE}/login/oauth2/auth?code={text}&state={pending.state}", f"http://[{text}?code=a"):
        try:
            code = read_pasted_code(pending, pasted)
        except InputError:
            continue
        assert isinstance(code, str) and code


@FUZZ
@given(replies())
def test_authorize_answer_classification_never_raises(reply: Reply) -> None:
    answer = classify_authorize_answer(reply)
    assert isinstance(answer.evidence.detail, str)


@FUZZ
@given(tricky_text)
def test_missing_scope_list_parsing_never_raises(text: str) -> None:
    found = parse_missing_scopes(text)
    assert found is None or all(isinstance(scope, str) and scope for scope in found)
    assert isinstance(redirect_params(text), dict)


@FUZZ
@given(replies(f"{BASE}/api/v1/courses/0"), st.sampled_from(RECIPE.scope_strings))
def test_probe_classification_never_raises(reply: Reply, scope: str) -> None:
    result = classify_probe(probe_for(scope), reply)
    assert isinstance(result.evidence.detail, str)
    first_line(reply.text)
    canvas_words(reply.json())
    error_message(reply.json())


@FUZZ
@given(tricky_text | st.datetimes().map(lambda when: when.strftime("%a, %d %b %Y %H:%M:%S GMT")))
def test_retry_after_is_a_number_of_seconds_or_none(text: str) -> None:
    seconds = retry_after_seconds(text)
    assert seconds is None or (seconds >= 0 and not math.isnan(seconds))


toml_values = st.recursive(
    st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.datetimes(timezones=st.just(dt.UTC)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["url", "key_id", "state", "done", "checks", "evidence", "status", "detail", "id", "message", "x"]
    ), inner, max_size=4),
    max_leaves=15,
)  # fmt: skip
profile_tables = st.dictionaries(
    st.sampled_from(["schema", "canvas", "vendor", "steps", "scopes", "create_checklist", "last_verification", "new"]),
    toml_values,
    max_size=6,
)


@FUZZ
@given(
    st.one_of(
        profile_tables.map(tomli_w.dumps), tricky_text, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
    )
)
def test_any_profile_file_loads_or_is_reported_corrupt_and_saves_again(tmp_path: Path, text: str) -> None:
    store = ProfileStore(tmp_path / "home")
    store.ensure_folder()
    store.path("fuzz").write_text(text, encoding="utf-8")
    try:
        loaded = store.load("fuzz")
    except CorruptProfile:
        assert not store.path("fuzz").exists()
        return
    finally:
        for leftover in store.folder.iterdir():
            leftover.unlink()
    store.create(Profile("fuzz"))  # the folder still works
    store.path("fuzz").unlink()
    store.save(type(loaded)(loaded.profile, "absent", loaded.raw))  # what was read can be written back
    assert store.load("fuzz").profile.name == "fuzz"
    store.path("fuzz").unlink()


@FUZZ
@given(st.text(min_size=12, max_size=80), tricky_text, tricky_text)
def test_masking_leaves_no_piece_of_a_secret(secret: str, before: str, after: str) -> None:
    text = clean_evidence(before + secret + after, [secret])
    assert secret not in text and secret[:8] not in text
    assert isinstance(mask_secrets(before, [secret]), str)


@FUZZ
@given(tricky_text)
def test_printed_text_has_no_control_characters(text: str) -> None:
    shown = printable(text) + json_for_terminal({"t": text}).replace("\n", "")
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in shown)


@FUZZ
@given(tricky_text)
def test_sandbox_id_parser_never_raises(text: str) -> None:
    found = local_id(text)
    assert found is None or isinstance(found, int)


@FUZZ
@given(tricky_text)
@example("²")
@example("9" * 5000)
def test_admin_link_header_and_page_numbers_never_raise(text: str) -> None:
    from ally_wizard.canvas.admin import _page_number, links

    link = f'<{BASE}/api/v1/accounts/1/developer_keys?page={text}>; rel="last", <{text}>; rel="next"'
    reply = Reply("GET", f"{BASE}/api/v1/accounts/1/developer_keys", 200, {"link": link}, "[]")
    for url in [*links(reply).values(), f"{BASE}/?page={text}"]:
        found = _page_number(url)
        assert found is None or found >= 0


@FUZZ
@given(json_values)
def test_developer_key_json_parsing_never_raises(data: object) -> None:
    from ally_wizard.canvas.keys import ally_callback, is_ally_key, parse_key

    if isinstance(data, dict):
        key = parse_key(data)
        if key is not None:
            is_ally_key(key)
            for uri in key.redirect_uris:
                ally_callback(uri)


@FUZZ
@given(tricky_text, tricky_text)
def test_theme_ally_config_parsing_never_raises(base_url: str, client_id: str) -> None:
    from ally_wizard.canvas.theme import parse_ally_cfg

    for script in (
        f"window.ALLY_CFG = {{ 'baseUrl': '{base_url}', 'clientId': {client_id} }};",
        f'ALLY_CFG = {{baseUrl: "{base_url}" /* {client_id}',
        base_url + client_id,
    ):
        parse_ally_cfg(script, "theme.js")
