"""Scenario files: every one loads, says what it teaches, and sets the key as its name promises."""

from __future__ import annotations

import pytest

from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import ScenarioError, load_scenario, scenario_names
from ally_wizard.sandbox.catalogue import english_list, scope_pattern, scopes_allow
from ally_wizard.sandbox.scenario import parse_scenario

EXPECTED = {
    "ready",
    "key-off",
    "missing-scopes",
    "redirect-typo",
    "enforce-scopes-off",
    "includes-off",
    "wrong-secret",
    "unknown-key",
    "throttled",
    "flaky",
    "slow",
    "old-canvas",
    "vanity-redirect",
    "user-not-allowed",
    "site-admin-off",
    "other-root-account",
    "test-cluster-only",
    "lti-key",
    "drifted",
    "no-ally-key",
    "many-keys",
}


def test_all_scenarios_are_shipped_ready_first() -> None:
    assert set(scenario_names()) == EXPECTED
    assert scenario_names()[0] == "ready"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_scenario_explains_itself(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    for text in (scenario.goal, scenario.what_you_see, scenario.fix):
        assert text and "\n" not in text


def test_missing_scopes_are_three_in_different_sections() -> None:
    missing = load_scenario("missing-scopes").key.missing_scopes
    sections = {s.section for s in default_recipe().scopes if s.string in missing}
    assert len(missing) == 3 and len(sections) == 3


def test_unknown_scenario_lists_the_names() -> None:
    with pytest.raises(ScenarioError, match="ready, "):
        load_scenario("nope")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\n', "fix"),
        ('[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\nfix="f"\n[key]\ncolour="red"\n', "colour"),
        ('[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\nfix="f"\n[key]\nmissing_scopes=["url:GET|/x"]\n', "recipe"),
        ('[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\nfix="f"\n[throttle]\nstatus=500\n', "403 or 429"),
        ('[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\nfix="f"\nally_environment="mars"\n', "mars"),
        (
            '[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\nfix="f"\n[key]\nextra_scopes=["url:GET|/x"]\n',
            "catalogue",
        ),
        ('[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\nfix="f"\n[instance]\ntheme="purple"\n', "theme"),
    ],
)
def test_bad_scenario_files_are_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(text)


def test_scope_pattern_follows_access_token_rb() -> None:
    verb, regex = scope_pattern("url:PUT|/api/v1/files/:id") or ("", None)
    assert verb == "PUT" and regex is not None
    assert regex.pattern == r"^/api/v1/files/[^/]+(?:\.[^/]+|)$"
    assert scopes_allow(("url:GET|/api/v1/accounts/:id",), "GET", "/api/v1/accounts/self")
    assert scopes_allow(("url:GET|/api/v1/courses/:id",), "HEAD", "/api/v1/courses/sis_course_id:X")
    assert scopes_allow(("url:GET|/api/v1/courses/:id",), "GET", "/api/v1/courses/1.json")
    assert not scopes_allow(("url:GET|/api/v1/courses/:id",), "GET", "/api/v1/courses/1/pages")
    assert not scopes_allow(("url:GET|/api/v1/courses/:id",), "PUT", "/api/v1/courses/1")
    assert scopes_allow(("url:GET|/api/v1/files/*path",), "GET", "/api/v1/files/a/b")
    assert scopes_allow(("url:GET|/api/v1/x(/:id)",), "GET", "/api/v1/x")


def test_english_list_is_canvas_to_sentence() -> None:
    assert english_list(["a"]) == "a"
    assert english_list(["a", "b"]) == "a and b"
    assert english_list(["a", "b", "c"]) == "a, b, and c"
