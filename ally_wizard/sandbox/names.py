"""The shipped scenarios by name, without parsing them: what `ally-wizard demo` needs before its first frame.

Parsing a scenario (`ally_wizard.sandbox.scenario`, its settings classes and the scope catalogue) waits
until after the demo's first frame; the name is checked, and the one setting the first screen depends on
(`vanity_redirect`: which address the demo profile starts from) is read, here.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path


class ScenarioError(ValueError):
    """A scenario name that does not exist or a scenario file that cannot be used."""


def scenario_dir() -> Path:
    """The folder of the shipped scenario files (found beside this file, as the recipe is: importlib.resources
    and the zip support it loads cost the demo's first frame a few milliseconds more)."""
    return Path(__file__).parent / "scenarios"


@cache
def scenario_names() -> tuple[str, ...]:
    """The scenarios shipped in the package, `ready` first, then alphabetically."""
    names = sorted(
        entry.name.removesuffix(".toml") for entry in scenario_dir().iterdir() if entry.name.endswith(".toml")
    )
    return tuple(sorted(names, key=lambda name: (name != "ready", name)))


def scenario_text(name: str) -> str:
    """The named scenario file's text; `ScenarioError` lists the valid names."""
    if name not in scenario_names():
        raise ScenarioError(f"Unknown scenario {name!r}; choose one of: {', '.join(scenario_names())}.")
    return (scenario_dir() / f"{name}.toml").read_text(encoding="utf-8")


@cache
def has_vanity_redirect(name: str) -> bool:
    """Whether the named scenario puts a redirecting address in front of its Canvas (docs/canvas.md 12),
    read without parsing the rest (`load_scenario` validates it all, and refuses a non-boolean)."""
    try:
        head = tomllib.loads(scenario_text(name)).get("scenario", {})
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{name}.toml: not valid TOML ({exc})") from None
    return isinstance(head, dict) and head.get("vanity_redirect") is True
