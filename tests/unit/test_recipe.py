"""The Ally recipe loads as the help page states it, and every malformed recipe is refused by line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ally_wizard.recipe import RecipeError, default_recipe, load_recipe, parse_recipe
from ally_wizard.recipe.loader import DEFAULT_RECIPE

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "ally-canvas-developer-key.txt"
RECIPE_TEXT = (Path(__file__).resolve().parents[2] / "ally_wizard" / "recipe" / DEFAULT_RECIPE).read_text()


def test_recipe_has_the_31_scopes_of_the_help_page_in_order() -> None:
    recipe = default_recipe()
    assert len(recipe.scopes) == 31
    if SEED.exists():  # the help page sits beside the project in the workplace
        lines = [line for line in SEED.read_text().splitlines() if line.startswith("url:")]
        expected = [re.match(r"^(url:[A-Z]+\|/api/v1/\S+?)([A-Z][a-z].*)$", line).groups() for line in lines]
        assert [(s.string, s.section) for s in recipe.scopes] == expected


def test_recipe_environments_and_hosts() -> None:
    recipe = default_recipe()
    assert {e.id: e.host for e in recipe.environments} == {
        "us": "prod.ally.ac",
        "ca": "prod-ca-central-1.ally.ac",
        "eu": "prod-eu-central-1.ally.ac",
        "sg": "prod-ap-southeast-1.ally.ac",
        "au": "prod-ap-southeast-2.ally.ac",
    }


def test_recipe_settings_and_template() -> None:
    recipe = default_recipe()
    assert recipe.settings.enforce_scopes and recipe.settings.allow_includes and recipe.settings.key_on
    assert recipe.redirect_uri_template == "https://[AllyEnvironment]/api/v2/[ClientId]/auth/canvas/callback"
    assert recipe.version and recipe.help_page and recipe.checked.year >= 2025


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "message", "needle"),
    [
        pytest.param(
            '"url:GET|/api/v1/courses/:course_id/files",',
            '"url:GET|/api/v1/courses/:course_id/files",\n    "url:GET|/api/v1/accounts",',
            "appears twice",
            None,
            id="duplicate scope",
        ),
        pytest.param(
            '"url:PUT|/api/v1/files/:id"',
            '"url:PUT /api/v1/files/:id"',
            "not of the form",
            "url:PUT /api",
            id="space instead of bar",
        ),
        pytest.param(
            '"url:DELETE|/api/v1/files/:id"',
            '"url:DELETE|/v1/files/:id"',
            "not of the form",
            "DELETE|/v1",
            id="path outside /api",
        ),
        pytest.param(
            '"url:GET|/api/v1/accounts",',
            '"url:FETCH|/api/v1/accounts",',
            "not of the form",
            "FETCH",
            id="unknown verb",
        ),
        pytest.param(
            '"url:GET|/api/v1/accounts/:id",',
            '"url:get|/api/v1/accounts/:id",',
            "not of the form",
            "url:get",
            id="lowercase verb",
        ),
        pytest.param(
            '"url:GET|/api/v1/accounts/:account_id/terms",\n]',
            "]",
            "has no scopes",
            'name = "Enrollment Terms"',
            id="empty section",
        ),
        pytest.param(
            'host = "prod.ally.ac"',
            'host = "prod ally ac"',
            "is not a host name",
            "prod ally ac",
            id="bad host",
        ),
        pytest.param(
            'redirect_uri_template = "https://[AllyEnvironment]/api/v2/[ClientId]/auth/canvas/callback"',
            'redirect_uri_template = "https://[AllyEnvironment]/api/v2/auth/canvas/callback"',
            "must contain [ClientId]",
            "redirect_uri_template",
            id="template without client id",
        ),
        pytest.param("checked = 2026-11-26", 'checked = "yesterday"', "must be a date", "checked =", id="bad date"),
        pytest.param('id = "ca"', 'id = "us"', "appears twice", None, id="duplicate environment"),
        pytest.param("key_on = true", "key_on = 1", "key_on = true or false", "key_on", id="bad setting"),
    ],
)
def test_malformed_recipe_is_refused_naming_the_line(old: str, new: str, message: str, needle: str | None) -> None:
    assert old in RECIPE_TEXT
    text = RECIPE_TEXT.replace(old, new, 1)
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "broken.toml")
    error = caught.value
    assert message in str(error)
    assert error.line is not None
    assert f"broken.toml, line {error.line}:" in str(error)
    if needle is not None:
        assert needle in text.splitlines()[error.line - 1]


def test_duplicate_scope_points_at_the_second_occurrence() -> None:
    text = RECIPE_TEXT.replace(
        '"url:GET|/api/v1/courses/:course_id/files",',
        '"url:GET|/api/v1/courses/:course_id/files",\n    "url:GET|/api/v1/accounts",',
        1,
    )
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "broken.toml")
    assert caught.value.line == _line_of(text, '"url:GET|/api/v1/courses/:course_id/files",') + 1
    assert "first under 'Accounts'" in str(caught.value)


def test_invalid_toml_reports_the_parser_line() -> None:
    text = RECIPE_TEXT.replace('version = "2026.11.1"', 'version = "2026.11.1', 1)
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "broken.toml")
    assert "not valid TOML" in str(caught.value)
    assert caught.value.line == _line_of(text, 'version = "2026.11.1')


def test_missing_recipe_file_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="cannot be read"):
        load_recipe(tmp_path / "nope.toml")


def test_a_second_vendor_recipe_loads_from_its_own_file(tmp_path: Path) -> None:
    other = RECIPE_TEXT.replace('id = "ally"', 'id = "othervendor"').replace(
        'name = "Anthology Ally"', 'name = "Other Vendor"'
    )
    path = tmp_path / "other.toml"
    path.write_text(other)
    recipe = load_recipe(path)
    assert recipe.id == "othervendor" and len(recipe.scopes) == 31
