"""The wizard's "Create it for me": the profile's key made through the Developer Keys API (no Textual here).

The plan shown to the admin is `plan_for(profile)`; `create_for_profile` carries it out with the admin
token (which goes no further than this run) and records what was done in the profile: the key ID, the
steps the API did (create, scopes, save and ON) marked done, the audit's scope verdicts. The secret from
the create answer is returned for the session's memory only, never written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ally_wizard.profile import Profile, StepId, StepState

if TYPE_CHECKING:
    from ally_wizard.canvas.create import Created, KeyPlan
    from ally_wizard.recipe import Recipe

CREATE_PURPOSE = (
    "Creates this key through Canvas's Developer Keys API and turns it ON; nothing is written until you "
    "press Create. Needs a root account admin's personal access token, used for this run only: never "
    "saved, shown or revoked."
)

# The steps the API does in one go: create the key, tick its scopes, save it and turn it ON.
STEPS_DONE = (StepId.CREATE_KEY, StepId.SCOPES, StepId.ACTIVATE)


@dataclass(slots=True)
class CreateOutcome:
    """The end of a run: `created` when the key exists and passed every step, else `problem` (a sentence);
    `key_id` whenever a key exists (made by this run, or the Ally key already there)."""

    created: Created | None = None
    problem: str | None = None
    key_id: str | None = None
    existing: bool = False
    lines: list[str] = field(default_factory=list)


def plan_for(profile: Profile, recipe: Recipe) -> KeyPlan | str:
    """The key the profile's values describe, or the sentence naming the value to fix first."""
    from ally_wizard.canvas.create import KeyPlan
    from ally_wizard.tui.screens.admin_token import profile_target

    target = profile_target(profile, recipe)
    if isinstance(target, str):
        return target
    return KeyPlan(target, profile.key_name or recipe.suggested_key_name, profile.owner_email)


async def create_for_profile(plan: KeyPlan, token: str, say: Callable[[str], None]) -> CreateOutcome:
    """Create, turn ON and audit the key of `plan`; every refusal or failure becomes a sentence."""
    from ally_wizard.canvas.admin import AdminTokenRefused
    from ally_wizard.canvas.client import CanvasClient, CanvasError
    from ally_wizard.canvas.create import CreateStopped, create_key

    try:
        async with CanvasClient(plan.target.canvas_url) as client:
            created = await create_key(client, token, plan, say=say)
    except CreateStopped as exc:
        # A stop before the write names the Ally key already there; after it, the key this run made.
        return CreateOutcome(None, exc.message, exc.key_id, existing=exc.key_id is not None and not exc.made)
    except AdminTokenRefused as exc:
        return CreateOutcome(None, exc.message)
    except CanvasError as exc:
        return CreateOutcome(None, f"{exc.message} Nothing was created.")
    return CreateOutcome(created, None, created.key_id)


def record(profile: Profile, outcome: CreateOutcome) -> None:
    """What the profile keeps of a run: the new key's ID (also after a later step failed, so a retry audits
    or repairs it instead of making a second key), the steps done, the audit's verdicts. Never the secret."""
    if outcome.key_id is None or outcome.existing:
        return
    profile.key_id = outcome.key_id
    created = outcome.created
    if created is None:
        profile.mark(StepId.CREATE_KEY, StepState.DONE)  # the key exists; what is left was said
        return
    for step in STEPS_DONE:
        profile.mark(step, StepState.DONE)
    if created.audit is not None:
        from ally_wizard.canvas.audit import apply_audit

        apply_audit(profile, created.audit)
