"""Typed objects for an integration recipe: the vendor's developer-key procedure as data.

A recipe is loaded once and never changed, so every type here is an immutable NamedTuple (cheaper to define than a
dataclass, which matters to the start-up time of `ally-wizard recipe`); the screens, the
command line and the Canvas client all read the same objects.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class Environment(NamedTuple):
    """One vendor data centre (an "Ally environment"): where the vendor's callback lives."""

    id: str
    label: str
    host: str


class Scope(NamedTuple):
    """One Canvas API scope the key must hold, such as `url:GET|/api/v1/accounts`."""

    string: str
    verb: str
    path: str
    section: str


class Section(NamedTuple):
    """A group of scopes as Canvas's key editor shows them (Accounts, Files, ...)."""

    name: str
    scopes: tuple[Scope, ...]


class KeySettings(NamedTuple):
    """The key settings the procedure requires, besides its scopes."""

    enforce_scopes: bool
    allow_includes: bool
    key_on: bool


class Steps(NamedTuple):
    """The procedure's manual steps in the help page's words, grouped by where they happen."""

    create: tuple[str, ...]
    activate: tuple[str, ...]
    handoff: tuple[str, ...]


class Recipe(NamedTuple):
    """A vendor's Canvas developer-key procedure: environments, redirect URI, settings and scopes."""

    id: str
    name: str
    version: str
    help_page: str
    help_url: str
    checked: dt.date
    vendor: str
    client_id_label: str
    environment_label: str
    redirect_uri_template: str
    suggested_key_name: str
    settings: KeySettings
    steps: Steps
    environments: tuple[Environment, ...]
    sections: tuple[Section, ...]

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """Every scope, in the help page's order."""
        return tuple(scope for section in self.sections for scope in section.scopes)

    @property
    def scope_strings(self) -> tuple[str, ...]:
        """Every scope string, in the help page's order."""
        return tuple(scope.string for scope in self.scopes)

    def environment(self, env_id: str) -> Environment:
        """The environment with this short id; `KeyError` names the valid ids."""
        for env in self.environments:
            if env.id == env_id:
                return env
        valid = ", ".join(env.id for env in self.environments)
        raise KeyError(f"Unknown {self.environment_label} {env_id!r}; choose one of {valid}.")
