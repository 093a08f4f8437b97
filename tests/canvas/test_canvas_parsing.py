"""Reading Canvas's answers: the missing-scope sentence, form-encoded redirects, every era's invalid_scope."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from ally_wizard.canvas.authorize import (
    Outcome,
    classify_authorize_answer,
    parse_missing_scopes,
    redirect_params,
)
from ally_wizard.canvas.client import Reply, strip_while_prefix
from ally_wizard.canvas.messages import canvas_words, first_line, not_api_answer

PREFIX = (
    "A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner. "
    "The following scopes were requested, but not granted: "
)
A = "url:PUT|/api/v1/files/:id"
B = "url:GET|/api/v1/courses/:course_id/pages/:url_or_id"
C = "url:GET|/api/v1/ally_wizard_sentinel"


def reply(status: int, body: object = None, location: str | None = None, text: str | None = None) -> Reply:
    headers = {"content-type": "application/json"}
    if location:
        headers["location"] = location
    return Reply(
        "GET",
        "https://canvas.example.edu/login/oauth2/auth",
        status,
        headers,
        text if text is not None else ("" if body is None else json.dumps(body)),
    )


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        (A, (A,)),
        (f"{A} and {B}", (A, B)),
        (f"{A}, {B}, and {C}", (A, B, C)),
        (f"{A}, {B}, {C}, and url:GET|/api/v1/accounts", (A, B, C, "url:GET|/api/v1/accounts")),
    ],
)
def test_missing_scope_sentence_lists_are_split_on_commas_and_and(listed: str, expected: tuple[str, ...]) -> None:
    assert parse_missing_scopes(PREFIX + listed) == expected


def test_the_2019_sentence_without_a_list_gives_none() -> None:
    assert parse_missing_scopes(PREFIX.split(" The following")[0]) is None


def test_form_encoded_location_is_decoded_form_style() -> None:
    description = PREFIX + f"{A}, {B}, and {C}"
    query = urlencode(sorted({"error": "invalid_scope", "error_description": description, "state": "s1"}.items()))
    assert "%7C" in query and "%3A" in query and "%2F" in query and "%2C" in query and "+" in query
    params = redirect_params(f"https://canvas.example.edu/login/oauth2/auth?{query}")
    assert params == {"error": "invalid_scope", "error_description": description, "state": "s1"}


def test_current_redirect_with_list_is_invalid_scope_with_the_missing_scopes() -> None:
    query = urlencode({"error": "invalid_scope", "error_description": PREFIX + f"{A} and {C}", "state": "x"})
    answer = classify_authorize_answer(reply(302, location=f"https://prod.ally.ac/cb?{query}"))
    assert answer.outcome is Outcome.INVALID_SCOPE
    assert answer.missing == (A, C)
    assert answer.evidence.status == 302
    assert "not granted" in answer.evidence.detail


def test_2019_json_invalid_scope_has_no_list() -> None:
    answer = classify_authorize_answer(
        reply(400, {"error": "invalid_scope", "error_description": PREFIX.split(" The following")[0]})
    )
    assert answer.outcome is Outcome.INVALID_SCOPE
    assert answer.missing is None


def test_later_release_redirect_to_the_redirect_uri_without_state_is_read() -> None:
    query = urlencode({"error": "invalid_scope", "error_description": PREFIX.split(" The following")[0]})
    answer = classify_authorize_answer(
        reply(302, location=f"https://prod.ally.ac/api/v2/1234/auth/canvas/callback?{query}")
    )
    assert answer.outcome is Outcome.INVALID_SCOPE and answer.missing is None


def test_unknown_client_and_redirect_mismatch_are_told_apart() -> None:
    unknown = classify_authorize_answer(reply(401, {"error": "invalid_client", "error_description": "unknown client"}))
    mismatch = classify_authorize_answer(
        reply(400, {"error": "invalid_request", "error_description": "redirect_uri does not match client settings"})
    )
    assert unknown.outcome is Outcome.UNKNOWN_CLIENT
    assert mismatch.outcome is Outcome.REDIRECT_MISMATCH
    assert mismatch.evidence.detail == "invalid_request: redirect_uri does not match client settings"


@pytest.mark.parametrize(
    ("error", "outcome", "passed"),
    [
        ("login_required", Outcome.PASSED, True),
        ("interaction_required", Outcome.PASSED, True),
        ("unauthorized_client", Outcome.NOT_ON, True),
        ("unsupported_response_type", Outcome.OTHER_ERROR, True),
        ("access_denied", Outcome.OTHER_ERROR, False),
    ],
)
def test_redirect_errors_after_the_scope_check(error: str, outcome: Outcome, passed: bool) -> None:
    answer = classify_authorize_answer(
        reply(302, location=f"https://canvas.example.edu/login/oauth2/auth?error={error}&state=s")
    )
    assert answer.outcome is outcome
    assert answer.passed_scope_check is passed


def test_redirect_to_the_login_page_means_every_check_passed() -> None:
    answer = classify_authorize_answer(reply(302, location="https://canvas.example.edu/login/canvas"))
    assert answer.outcome is Outcome.PASSED


@pytest.mark.parametrize(
    "location",
    [
        "https://sso.example.edu/cas/login",  # somebody else's login
        "https://school.instructure.com/login/oauth2/auth?client_id=1",  # a vanity name's server redirect
        "https://canvas.example.edu/login/oauth2/auth?client_id=1",  # back to the endpoint itself
    ],
)
def test_a_redirect_is_no_pass_unless_it_is_this_hosts_own_login(location: str) -> None:
    answer = classify_authorize_answer(reply(301, location=location))
    assert answer.outcome is Outcome.NOT_API


@pytest.mark.parametrize("location", ["http://]/login", "https://[canvas.example.edu/login", "https://x:99999/login"])
def test_a_malformed_location_is_evidence_not_a_crash(location: str) -> None:
    answer = classify_authorize_answer(reply(302, location=location))
    assert answer.outcome is Outcome.NOT_API
    assert "malformed" in answer.evidence.detail


def test_html_from_a_proxy_is_not_an_api_answer_and_quotes_its_first_line() -> None:
    page = "<!DOCTYPE html>\n<html><head><title>Sign in - Example SSO</title></head><body>x</body></html>"
    answer = classify_authorize_answer(Reply("GET", "u", 200, {"content-type": "text/html"}, page))
    assert answer.outcome is Outcome.NOT_API
    assert answer.evidence.detail == (
        "Canvas did not answer as its API does (HTTP 200, text/html): Sign in - Example SSO."
    )


def test_while_prefix_is_stripped_before_json() -> None:
    text = strip_while_prefix('while(1);{"errors":[{"message":"x"}]}')
    assert Reply("GET", "u", 200, {}, text).json() == {"errors": [{"message": "x"}]}


def test_first_line_skips_blank_lines_and_shortens() -> None:
    assert first_line("\n\n  403 Forbidden (Rate Limit Exceeded)\n") == "403 Forbidden (Rate Limit Exceeded)"
    assert len(first_line("x" * 5000)) == 400  # evidence is cut to 160 later, after secrets are masked


def test_not_api_answer_names_an_empty_body() -> None:
    assert not_api_answer(502, "", "") == "Canvas did not answer as its API does (HTTP 502) (an empty body)."


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"error": "invalid_client", "error_description": "invalid client"}, "invalid_client: invalid client"),
        (
            {"errors": [{"message": "Insufficient scopes on access token."}], "error_report_id": 1},
            "Insufficient scopes on access token.",
        ),
        ({"errors": {"scopes": "cannot contain x"}}, "scopes: cannot contain x"),
        ({"message": "can't delete OAuth access token"}, "can't delete OAuth access token"),
        ([], ""),
    ],
)
def test_canvas_words_reads_every_error_shape(body: object, words: str) -> None:
    assert canvas_words(body) == words
