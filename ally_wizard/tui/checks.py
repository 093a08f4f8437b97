"""Between the profile and the verification engine: the key to check, and what a verdict means on screen.

No Textual here and no network: `ally_wizard.canvas.preflight` and friends are imported by the screens'
workers only when a check actually runs.
"""

from __future__ import annotations

from ally_wizard.canvas.report import (
    KEY_ALLOW_INCLUDES,
    KEY_ENFORCE_SCOPES,
    KEY_EXISTS,
    KEY_ON,
    KEY_REDIRECT_URI,
    KEY_SECRET,
    Check,
)
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.inputs import InputError, normalize_canvas_url, parse_key_id, redirect_uri
from ally_wizard.profile import Profile, StepId, scope_statuses
from ally_wizard.recipe import Recipe


class NotReady(ValueError):
    """A check cannot start yet; the message names the step that supplies what is missing."""

    def __init__(self, message: str, step: StepId) -> None:
        super().__init__(message)
        self.step = step


def key_target(profile: Profile, recipe: Recipe) -> KeyTarget:
    """The key the profile describes, or `NotReady` naming the step to finish first."""
    try:
        canvas_url = normalize_canvas_url(profile.canvas_url)
    except InputError as exc:
        raise NotReady(f"The Canvas address is not usable: {exc}", StepId.CANVAS) from None
    try:
        uri = redirect_uri(recipe, profile.environment, profile.client_id)
    except InputError as exc:
        raise NotReady(f"The redirect URI cannot be made yet: {exc}", StepId.CANVAS) from None
    if not profile.key_id:
        raise NotReady(
            "Checking needs the developer key ID, which Canvas gives the key when you select Save. Type it on step 5.",
            StepId.ACTIVATE,
        )
    try:
        key_id = parse_key_id(profile.key_id)
    except InputError as exc:
        raise NotReady(str(exc), StepId.ACTIVATE) from None
    return KeyTarget.from_recipe(canvas_url, key_id, uri, recipe)


_FIX_STEP = {
    KEY_EXISTS: StepId.ACTIVATE,
    KEY_REDIRECT_URI: StepId.CREATE_KEY,
    KEY_ENFORCE_SCOPES: StepId.CREATE_KEY,
    KEY_ON: StepId.ACTIVATE,
    KEY_SECRET: StepId.ACTIVATE,
    KEY_ALLOW_INCLUDES: StepId.CREATE_KEY,
}


def fix_step(check: Check) -> StepId | None:
    """The step whose screen fixes a failed check (None when no step can, such as a revoke)."""
    if check.scope is not None:
        return StepId.SCOPES
    return _FIX_STEP.get(check.id)


def apply_scope_checks(profile: Profile, checks: list[Check], *, live: bool) -> int:
    """Copy scope verdicts into the profile's scope statuses; return how many changed."""
    preflight, live_checks = ((), checks) if live else (checks, ())
    new = scope_statuses(preflight, live_checks, profile.scopes)
    changed = {scope: status for scope, status in new.items() if profile.scopes.get(scope) is not status}
    profile.scopes.update(changed)
    return len(changed)
