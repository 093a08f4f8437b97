"""The audit in the wizard: a masked field for the admin token, and the run that reads the key with it.

The token is typed into a password field, handed to one audit run and dropped: it is never saved in the
profile or the session, never shown, and never revoked (it is the admin's own). The audit sends only GET
requests; its rows go to the same check table as the live check, and its scope verdicts to the checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ally_wizard.canvas.audit import AuditResult, AuditTarget
    from ally_wizard.canvas.repair import RepairPlan
    from ally_wizard.canvas.target import CheckCallback
    from ally_wizard.profile import Profile
    from ally_wizard.recipe import Recipe


AUDIT_PURPOSE = (
    "Audit reads the key's real settings through Canvas's Developer Keys API, without changing "
    "anything. It needs a personal access token of a root account admin (Account > Settings > "
    "+ New Access Token). The token is used for this audit only: never saved, shown or revoked."
)
REPAIR_PURPOSE = (
    "Repair writes the changes you just confirmed through Canvas's Developer Keys API, then audits the key "
    "again. It needs a personal access token of a root account admin (Account > Settings > + New Access "
    "Token), used for this run only: never saved, shown or revoked."
)


class AdminTokenScreen(ModalScreen[str | None]):
    """Ask for the admin token (masked); None when cancelled.

    Each use says what the token is for; "Create it for me" also shows the plan it will carry out above
    the field, so giving the token and pressing Create is the admin's confirmation of that plan.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, purpose: str = AUDIT_PURPOSE, plan: list[str] | None = None, action: str = "Audit") -> None:
        super().__init__()
        self.purpose = purpose
        self.plan = plan or []
        self.action = action

    def compose(self) -> ComposeResult:
        """What the token is for (and the plan, if any), the masked field, the action and Cancel."""
        with Vertical(classes="dialog"):
            yield Static(self.purpose, classes="question", markup=False)
            if self.plan:
                with VerticalScroll(id="plan"):
                    yield Static("\n".join(self.plan), markup=False)
            yield Label("Canvas admin token:", markup=False)
            yield Input(password=True, id="admin-token", placeholder="paste the token")
            yield Static("", id="token-error", classes="inline-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.action} (Enter)", id="audit", variant="primary", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        """The field has the focus."""
        self.query_one("#admin-token", Input).focus()

    @on(Input.Submitted, "#admin-token")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish()

    @on(Button.Pressed, "#audit")
    def _audit(self, event: Button.Pressed) -> None:
        event.stop()
        self._finish()

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def _finish(self) -> None:
        field = self.query_one("#admin-token", Input)
        token = field.value.strip()
        if not token:
            self.query_one("#token-error", Static).update("✗ Paste the token first (or Esc to cancel).")
            return
        field.value = ""  # the field does not keep it
        self.dismiss(token)

    def action_cancel(self) -> None:
        """Close without auditing."""
        self.query_one("#admin-token", Input).value = ""
        self.dismiss(None)


class AuditEnded(Message):
    """An audit run ended: `result` when it reached Canvas's keys, else `problem` says why not (a sentence).

    After a repair, `writes` lists what was written (method, path, what changed), and `repaired` is True
    even when the repair stopped part-way (then `problem` says what was and was not applied)."""

    def __init__(
        self, result: AuditResult | None, problem: str | None, writes: tuple[str, ...] = (), repaired: bool = False
    ) -> None:
        super().__init__()
        self.result = result
        self.problem = problem
        self.writes = writes
        self.repaired = repaired


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    """What `audit_profile` returns: the result, or the sentence that says why there is none."""

    result: AuditResult | None
    problem: str | None
    writes: tuple[str, ...] = ()


def profile_target(profile: Profile, recipe: Recipe) -> AuditTarget | str:
    """What an audit of this profile compares the key with, or the sentence saying what is missing."""
    from ally_wizard.canvas.audit import AuditTarget
    from ally_wizard.inputs import InputError, normalize_canvas_url, parse_key_id, redirect_uri

    try:
        url = normalize_canvas_url(profile.canvas_url)
        redirect = redirect_uri(recipe, profile.environment, profile.client_id)
        key_id = str(parse_key_id(profile.key_id)) if profile.key_id else None
    except InputError as exc:
        return f"{exc} Fix it on step 2 or 5 first."
    return AuditTarget(url, profile.environment, profile.client_id, redirect, key_id, recipe)


async def audit_profile(
    profile: Profile, recipe: Recipe, token: str, on_check: CheckCallback, plan: RepairPlan | None = None
) -> AuditOutcome:
    """Audit the profile's key with the admin token (after applying `plan`, when one is given); refusals,
    a stopped repair and an unreachable Canvas become a sentence."""
    from ally_wizard.canvas.admin import AdminTokenRefused
    from ally_wizard.canvas.audit import KeyChoiceNeeded, run_audit
    from ally_wizard.canvas.client import CanvasClient, CanvasError
    from ally_wizard.canvas.repair import RepairStopped, apply_repair

    target = profile_target(profile, recipe)
    if isinstance(target, str):
        return AuditOutcome(None, target)
    writes: list[str] = []
    try:
        async with CanvasClient(target.canvas_url) as client:
            if plan is not None:
                repaired = await apply_repair(client, token, plan, target, say=writes.append)
                return AuditOutcome(repaired.audit, None, tuple(writes))
            return AuditOutcome(await run_audit(client, token, target, on_check=on_check), None)
    except AdminTokenRefused as exc:
        return AuditOutcome(None, exc.message)
    except KeyChoiceNeeded as exc:
        listed = "; ".join(key.summary() for key in exc.keys)
        return AuditOutcome(None, f"Several Ally keys: {listed}. Type the one to audit on step 5 (key ID).")
    except RepairStopped as exc:
        return AuditOutcome(None, exc.message, tuple(writes))
    except CanvasError as exc:
        return AuditOutcome(None, exc.message)
