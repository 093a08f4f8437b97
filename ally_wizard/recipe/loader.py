"""Load a recipe TOML file into typed objects and validate it, naming the offending line.

Validation happens on every load, because a recipe with a malformed scope would send an admin to tick
a box that does not exist in Canvas, and the mistake would only show up at Ally's own check.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from functools import cache

from ally_wizard.recipe.model import Environment, KeySettings, Recipe, Scope, Section, Steps
from ally_wizard.toml_errors import describe_toml_error

# `url:VERB|/api/...`: Canvas's scope strings (docs/canvas.md section 5).
SCOPE_RE = re.compile(r"^url:(GET|POST|PUT|PATCH|DELETE|HEAD)\|(/api/[A-Za-z0-9_/:.*()-]+)$")
_ENV_ID_RE = re.compile(r"^[a-z]{2,8}$")
_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PLACEHOLDERS = ("[AllyEnvironment]", "[ClientId]")

DEFAULT_RECIPE = "ally.toml"


class RecipeError(ValueError):
    """A recipe file that cannot be used; the message names the file and, where known, the line."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {message}")


class _Lines:
    """Find the line of a value in the TOML text: tomllib keeps no positions, the admin needs them."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._seen: dict[str, int] = {}

    def of(self, needle: str) -> int | None:
        """The line of the next not-yet-reported occurrence of `needle` (so duplicates get their own)."""
        start = self._seen.get(needle, 0)
        for index in range(start, len(self._lines)):
            if needle in self._lines[index]:
                self._seen[needle] = index + 1
                return index + 1
        return None

    def first(self, needle: str) -> int | None:
        """The line of the first occurrence of `needle`."""
        for index, line in enumerate(self._lines):
            if needle in line:
                return index + 1
        return None


def _str(table: Mapping[str, object], key: str, source: str, lines: _Lines, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RecipeError(source, f"{where} needs a non-empty text value for {key!r}", lines.first(key))
    return value


def _bool(table: Mapping[str, object], key: str, source: str, lines: _Lines) -> bool:
    value = table.get(key)
    if not isinstance(value, bool):
        raise RecipeError(source, f"[settings] needs {key} = true or false", lines.first(key))
    return value


def _str_list(table: Mapping[str, object], key: str, source: str, lines: _Lines) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise RecipeError(source, f"[steps] {key} must be a list of non-empty texts", lines.first(key))
    return tuple(value)


def parse_recipe(text: str, source: str = "<recipe>") -> Recipe:
    """Parse and validate recipe TOML text; raise `RecipeError` naming the line of the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line = describe_toml_error(exc)
        raise RecipeError(source, f"not valid TOML: {reason}", line) from None
    lines = _Lines(text)

    head = data.get("recipe")
    if not isinstance(head, dict):
        raise RecipeError(source, "the [recipe] table is missing")
    template = _str(head, "redirect_uri_template", source, lines, "[recipe]")
    for placeholder in _PLACEHOLDERS:
        if placeholder not in template:
            raise RecipeError(
                source,
                f"redirect_uri_template must contain {placeholder}",
                lines.first("redirect_uri_template"),
            )
    checked = head.get("checked")
    if not isinstance(checked, dt.date) or isinstance(checked, dt.datetime):
        raise RecipeError(source, "[recipe] checked must be a date such as 2026-11-26", lines.first("checked"))

    settings_table = data.get("settings")
    if not isinstance(settings_table, dict):
        raise RecipeError(source, "the [settings] table is missing")
    settings = KeySettings(
        enforce_scopes=_bool(settings_table, "enforce_scopes", source, lines),
        allow_includes=_bool(settings_table, "allow_includes", source, lines),
        key_on=_bool(settings_table, "key_on", source, lines),
    )

    steps_table = data.get("steps", {})
    if not isinstance(steps_table, dict):
        raise RecipeError(source, "[steps] must be a table", lines.first("[steps]"))
    steps = Steps(
        create=_str_list(steps_table, "create", source, lines),
        activate=_str_list(steps_table, "activate", source, lines),
        handoff=_str_list(steps_table, "handoff", source, lines),
    )

    environments = _environments(data.get("environments"), source, lines)
    sections = _sections(data.get("sections"), source, lines)

    return Recipe(
        id=_str(head, "id", source, lines, "[recipe]"),
        name=_str(head, "name", source, lines, "[recipe]"),
        version=_str(head, "version", source, lines, "[recipe]"),
        help_page=_str(head, "help_page", source, lines, "[recipe]"),
        help_url=str(head.get("help_url", "")),
        checked=checked,
        vendor=_str(head, "vendor", source, lines, "[recipe]"),
        client_id_label=_str(head, "client_id_label", source, lines, "[recipe]"),
        environment_label=_str(head, "environment_label", source, lines, "[recipe]"),
        redirect_uri_template=template,
        suggested_key_name=_str(head, "suggested_key_name", source, lines, "[recipe]"),
        settings=settings,
        steps=steps,
        environments=environments,
        sections=sections,
    )


def _environments(raw: object, source: str, lines: _Lines) -> tuple[Environment, ...]:
    if not isinstance(raw, list) or not raw:
        raise RecipeError(source, "at least one [[environments]] entry is needed")
    seen: set[str] = set()
    result = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise RecipeError(source, "each environment must be an [[environments]] table", lines.first("environments"))
        env_id = _str(entry, "id", source, lines, "[[environments]]")
        line = lines.first(f'id = "{env_id}"')
        if not _ENV_ID_RE.match(env_id):
            raise RecipeError(source, f"environment id {env_id!r} must be 2 to 8 lowercase letters", line)
        if env_id in seen:
            raise RecipeError(source, f"environment id {env_id!r} appears twice", line)
        seen.add(env_id)
        host = _str(entry, "host", source, lines, "[[environments]]")
        if not _HOST_RE.match(host):
            raise RecipeError(source, f"environment host {host!r} is not a host name", lines.first(host))
        result.append(Environment(env_id, _str(entry, "label", source, lines, "[[environments]]"), host))
    return tuple(result)


def _sections(raw: object, source: str, lines: _Lines) -> tuple[Section, ...]:
    if not isinstance(raw, list) or not raw:
        raise RecipeError(source, "at least one [[sections]] entry is needed")
    seen: dict[str, str] = {}
    result = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise RecipeError(source, "each section must be a [[sections]] table", lines.first("sections"))
        name = _str(entry, "name", source, lines, "[[sections]]")
        name_line = lines.first(f'name = "{name}"')
        scopes_raw = entry.get("scopes")
        if not isinstance(scopes_raw, list) or not scopes_raw:
            raise RecipeError(source, f"section {name!r} has no scopes", name_line)
        scopes = []
        for item in scopes_raw:
            if not isinstance(item, str):
                raise RecipeError(source, f"section {name!r} holds a scope that is not text", name_line)
            line = lines.of(f'"{item}"') if item else name_line
            match = SCOPE_RE.match(item)
            if not match:
                raise RecipeError(
                    source,
                    f"scope {item!r} in section {name!r} is not of the form url:VERB|/api/...",
                    line,
                )
            if item in seen:
                raise RecipeError(source, f"scope {item!r} appears twice (first under {seen[item]!r})", line)
            seen[item] = name
            scopes.append(Scope(item, match.group(1), match.group(2), name))
        result.append(Section(name, tuple(scopes)))
    return tuple(result)


def load_recipe(path: str | os.PathLike[str]) -> Recipe:
    """Load and validate a recipe file from disk."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise RecipeError(os.fspath(path), f"cannot be read ({exc.strerror})") from None
    return parse_recipe(text, os.fspath(path))


@cache
def default_recipe() -> Recipe:
    """The Ally recipe shipped in the package, loaded once per process."""
    # A plain path, not importlib.resources: the package is installed as files, and the light commands
    # must start fast (importlib.resources or pathlib alone cost more than parsing the whole recipe).
    with open(os.path.join(os.path.dirname(__file__), DEFAULT_RECIPE), encoding="utf-8") as handle:
        return parse_recipe(handle.read(), DEFAULT_RECIPE)
