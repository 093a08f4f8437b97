"""Scope probes: the harmless request per scope (section 9.2) and reading answers by message text."""

from __future__ import annotations

import json

import pytest

from ally_wizard.canvas.client import Reply
from ally_wizard.canvas.probes import ProbeVerdict, classify_probe, probe_for
from ally_wizard.recipe import default_recipe

# docs/canvas.md 9.2, the probe column without its /api/v1 prefix.
TABLE_9_2 = [
    "GET /accounts?per_page=1",
    "GET /accounts/self",
    "GET /accounts/self/sub_accounts?per_page=1",
    "GET /accounts/self/courses?per_page=1",
    "GET /courses/0/assignments",
    "GET /courses/0/assignments/0",
    "PUT /courses/0/assignments/0",
    "GET /courses/0/blueprint_subscriptions",
    "GET /courses/0/blueprint_subscriptions/default/migrations",
    "GET /courses/0/content_migrations",
    "GET /courses/0",
    "PUT /courses/0",
    "POST /courses/0/files",
    "GET /courses/0/discussion_topics",
    "GET /courses/0/discussion_topics/0",
    "PUT /courses/0/discussion_topics/0",
    "GET /accounts/self/terms?per_page=1",
    "GET /courses/0/files",
    "GET /courses/0/files/0",
    "PUT /files/0",
    "DELETE /files/0",
    "GET /courses/0/media_objects",
    "PUT /media_objects/0",
    "GET /media_objects/0/media_tracks",
    "PUT /media_objects/0/media_tracks",
    "GET /courses/0/pages",
    "GET /courses/0/pages/0",
    "PUT /courses/0/pages/0",
    "GET /courses/0/quizzes",
    "GET /courses/0/quizzes/0",
    "PUT /courses/0/quizzes/0",
]


def test_every_ally_scope_gets_the_probe_of_table_9_2() -> None:
    probes = [probe_for(scope).describe() for scope in default_recipe().scope_strings]
    expected = [f"{method} /api/v1{path}" for method, path in (line.split(" ", 1) for line in TABLE_9_2)]
    assert probes == expected


def test_writes_never_name_a_record_that_could_exist() -> None:
    for scope in default_recipe().scope_strings:
        probe = probe_for(scope)
        if probe.method != "GET":
            assert "/0" in probe.path, probe
            assert "self" not in probe.path


def test_every_probe_may_be_repeated_since_it_names_a_record_that_does_not_exist() -> None:
    assert all(probe_for(scope).repeatable for scope in default_recipe().scope_strings)


def test_a_scope_that_is_not_a_url_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="not a url:VERB"):
        probe_for("openid")


def answer(status: int, body: object) -> Reply:
    return Reply("PUT", "u", status, {"content-type": "application/json"}, json.dumps(body))


@pytest.mark.parametrize(
    ("status", "body", "verdict"),
    [
        (
            401,
            {"errors": [{"message": "Insufficient scopes on access token."}], "error_report_id": 1272},
            ProbeVerdict.MISSING,
        ),
        (404, {"errors": [{"message": "The specified resource does not exist."}]}, ProbeVerdict.PRESENT),
        (
            401,
            {"status": "unauthorized", "errors": [{"message": "user not authorized to perform that action"}]},
            ProbeVerdict.PRESENT,
        ),
        (
            403,
            {"status": "unauthorized", "errors": [{"message": "user not authorized to perform that action"}]},
            ProbeVerdict.PRESENT,
        ),
        (200, [{"id": 1}], ProbeVerdict.PRESENT),
        (401, {"errors": [{"message": "Invalid access token."}]}, ProbeVerdict.UNDECIDED),
        (401, {"errors": [{"message": "Revoked access token."}]}, ProbeVerdict.UNDECIDED),
        (
            500,
            {"errors": [{"message": "An error occurred.", "error_code": "internal_server_error"}]},
            ProbeVerdict.UNDECIDED,
        ),
    ],
)
def test_probe_answers_are_classified_by_message_not_status(status: int, body: object, verdict: ProbeVerdict) -> None:
    result = classify_probe(probe_for("url:PUT|/api/v1/files/:id"), answer(status, body))
    assert result.verdict is verdict
    assert result.evidence.status == status
    assert result.evidence.detail.startswith("PUT /api/v1/files/0 → ")


def test_an_html_answer_to_a_probe_is_undecided_with_the_plain_sentence() -> None:
    html = Reply("GET", "u", 200, {"content-type": "text/html"}, "<html><title>Login</title></html>")
    result = classify_probe(probe_for("url:GET|/api/v1/courses/:id"), html)
    assert result.verdict is ProbeVerdict.UNDECIDED
    assert result.reason == "Canvas did not answer as its API does (HTTP 200, text/html): Login."
