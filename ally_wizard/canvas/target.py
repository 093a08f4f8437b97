"""What a verification run checks: one developer key on one Canvas, for one vendor redirect URI and scopes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ally_wizard.canvas.report import Check
from ally_wizard.recipe import Recipe, default_recipe

CheckCallback = Callable[[Check], None]
"""Called on the event loop with each row as soon as its verdict is known (the screens tick rows off)."""


@dataclass(frozen=True, slots=True)
class KeyTarget:
    """The key to verify. Holds nothing secret: the key ID is shown in the Canvas UI to every admin."""

    canvas_url: str
    key_id: str
    redirect_uri: str
    scopes: tuple[str, ...]

    @classmethod
    def from_recipe(
        cls, canvas_url: str, key_id: str | int, redirect_uri: str, recipe: Recipe | None = None
    ) -> KeyTarget:
        """A target asking for every scope of the recipe (Ally's 31 by default)."""
        chosen = recipe or default_recipe()
        return cls(canvas_url, str(key_id), redirect_uri, chosen.scope_strings)


def section_of(scope: str) -> str | None:
    """The key editor's section for a scope of the Ally recipe (Files, Pages...), if it is one of them."""
    for item in default_recipe().scopes:
        if item.string == scope:
            return item.section
    return None


def emit(on_check: CheckCallback | None, check: Check) -> Check:
    """Hand a verdict to the caller's callback (when there is one) and return it."""
    if on_check is not None:
        on_check(check)
    return check


def now() -> dt.datetime:
    """When a verdict was reached: UTC, to the second (what profiles store)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
