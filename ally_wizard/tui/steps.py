"""The seven steps as the screens number them, and where each step's screen lives.

Screens are imported by name only when first shown, so start-up pays for the start screen alone.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ally_wizard.profile import Profile, StepId, StepState

if TYPE_CHECKING:
    from textual.screen import Screen

TOTAL_STEPS = 7


@dataclass(frozen=True, slots=True)
class StepInfo:
    """One step: its number (1 to 7), its profile step id (None for the start screen) and its screen."""

    number: int
    key: str
    title: str
    short: str
    screen_path: str
    step_id: StepId | None


# The screens' titles and short names; the profile knows steps only by id.
STEPS: tuple[StepInfo, ...] = (
    StepInfo(1, "start", "Start", "Start", "ally_wizard.tui.screens.start:StartScreen", None),
    StepInfo(
        2,
        StepId.CANVAS.value,
        "Canvas and Ally environment",
        "Canvas",
        "ally_wizard.tui.screens.canvas:CanvasScreen",
        StepId.CANVAS,
    ),
    StepInfo(
        3,
        StepId.CREATE_KEY.value,
        "Create the key",
        "Create key",
        "ally_wizard.tui.screens.create_key:CreateKeyScreen",
        StepId.CREATE_KEY,
    ),
    StepInfo(4, StepId.SCOPES.value, "Scopes", "Scopes", "ally_wizard.tui.screens.scopes:ScopesScreen", StepId.SCOPES),
    StepInfo(
        5,
        StepId.ACTIVATE.value,
        "Save, turn ON, key ID and secret",
        "Key ID",
        "ally_wizard.tui.screens.activate:ActivateScreen",
        StepId.ACTIVATE,
    ),
    StepInfo(
        6,
        StepId.AUTHORIZE.value,
        "Live authorization",
        "Authorize",
        "ally_wizard.tui.screens.authorize:AuthorizeScreen",
        StepId.AUTHORIZE,
    ),
    StepInfo(
        7,
        StepId.HANDOFF.value,
        "Hand-off to Ally",
        "Hand-off",
        "ally_wizard.tui.screens.handoff:HandoffScreen",
        StepId.HANDOFF,
    ),
)


def step(number: int) -> StepInfo:
    """The step with this number (1 to 7)."""
    if not 1 <= number <= TOTAL_STEPS:
        raise ValueError(f"There is no step {number}; the steps are 1 to {TOTAL_STEPS}.")
    return STEPS[number - 1]


def number_of(step_id: StepId) -> int:
    """The screen number of a profile step."""
    for info in STEPS:
        if info.step_id is step_id:
            return info.number
    raise ValueError(step_id)


def is_done(info: StepInfo, profile: Profile | None) -> bool:
    """The start step is done once a profile is open; the others when the profile says so."""
    if info.step_id is None:
        return profile is not None
    return profile is not None and profile.steps[info.step_id].state is StepState.DONE


def make_screen(number: int) -> Screen[None]:
    """Import the step's screen module (first use only) and build the screen."""
    module_name, _, class_name = step(number).screen_path.partition(":")
    screen_class = getattr(importlib.import_module(module_name), class_name)
    screen: Screen[None] = screen_class()
    return screen
