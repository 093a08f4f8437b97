"""Repairing a drifted Ally key from an audit's failing rows, without the one mistake that breaks Ally.

`plan_repair` turns the audit into fixes: add the missing scopes (the update sends the full list, what the
key holds plus what is missing), switch on Enforce Scopes and Allow Include Parameters, add Ally's redirect
URI beside the others, activate the key, set the binding ON. A scope is never removed unless asked
(`remove_extra_scopes`), and the plan then says first that Canvas deletes every token of the key when a
scope is removed, so Ally must be authorized again (docs/canvas.md 6.2). `apply_repair` writes the plan
(one `PUT /api/v1/developer_keys/:id`, then the binding), reports each write as it happens, stops at the
first refusal saying what was and was not applied, and audits again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ally_wizard.canvas.admin import AdminSession, catalogue_scopes
from ally_wizard.canvas.audit import (
    KEY_ACTIVE,
    AuditResult,
    AuditTarget,
    renamed_scope,
    run_audit,
)
from ally_wizard.canvas.client import CanvasClient, CanvasError
from ally_wizard.canvas.keys import DeveloperKeyInfo
from ally_wizard.canvas.messages import canvas_words, first_line
from ally_wizard.canvas.report import KEY_ALLOW_INCLUDES, KEY_ENFORCE_SCOPES, KEY_ON, KEY_REDIRECT_URI, CheckStatus

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RepairChange:
    """One fix of a plan: `name` for scripts (`add_scopes`, `remove_scopes`, `enforce_scopes`,
    `allow_includes`, `add_redirect_uri`, `activate`, `binding_on`), `text` for the admin."""

    name: str
    text: str
    scopes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The change as `repair --json` names it."""
        document: dict[str, object] = {"name": self.name, "text": self.text}
        if self.scopes:
            document["scopes"] = list(self.scopes)
        return document


@dataclass(slots=True)
class RepairPlan:
    """The fixes for one key: the update's fields, whether to turn the binding ON, and each change named.

    `notes` say what is deliberately left as it is (extra scopes kept); `warnings` what a change costs."""

    key: DeveloperKeyInfo
    fields: dict[str, str | list[str]] = field(default_factory=dict)
    binding_on: bool = False
    changes: list[RepairChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to write."""
        return not self.fields and not self.binding_on

    @property
    def lines(self) -> list[str]:
        """The plan in words: the changes, then what is kept."""
        return [change.text for change in self.changes] + self.notes

    def as_dict(self) -> dict[str, object]:
        """The plan as `repair --json` carries it."""
        return {
            "changes": [change.as_dict() for change in self.changes],
            "notes": list(self.notes),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class Repaired:
    """A plan carried out: the names of the changes applied, and the audit that followed."""

    applied: tuple[str, ...]
    audit: AuditResult


class RepairStopped(Exception):
    """A repair that could not be planned or applied; `message` says what was and was not done, `applied`
    names the changes Canvas confirmed before the stop."""

    def __init__(self, message: str, applied: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.applied = applied


def plan_repair(audit: AuditResult, target: AuditTarget, *, remove_extra_scopes: bool = False) -> RepairPlan:
    """The fixes the audit's failing rows call for (see the module docstring)."""
    key = audit.key
    if key is None:
        raise RepairStopped("There is no key to repair: the audit found none. Create it (ally-wizard create).")
    report = audit.report
    plan = RepairPlan(key)

    def failed(check_id: str) -> bool:
        row = report.get(check_id)
        return row is not None and row.status is CheckStatus.FAIL

    wanted = list(target.scopes)
    missing = [scope for scope in wanted if failed(f"scope:{scope}")]
    extra = [scope for scope in key.scopes if scope not in wanted]
    scopes = list(key.scopes)
    if missing:
        scopes.extend(scope for scope in missing if scope not in scopes)
        plan.changes.append(
            RepairChange("add_scopes", f"Add {len(missing)} missing scope(s): {', '.join(missing)}.", tuple(missing))
        )
    if remove_extra_scopes and extra:
        scopes = [scope for scope in scopes if scope not in extra]
        text = f"Remove {len(extra)} scope(s) Ally does not need: {', '.join(extra)}."
        plan.changes.append(RepairChange("remove_scopes", text, tuple(extra)))
        plan.warnings.append(
            "Removing a scope makes Canvas delete every token of the key: Ally must be authorized again "
            "afterwards (Ally's configuration page: Configure Ally with Canvas Developer Key, then Authorize)."
        )
    elif extra:
        plan.notes.append(f"Keep {len(extra)} extra scope(s) (removing one would delete the key's tokens).")
    if missing or (remove_extra_scopes and extra):
        plan.fields["developer_key[scopes][]"] = scopes
    if failed(KEY_ENFORCE_SCOPES):
        plan.fields["developer_key[require_scopes]"] = "true"
        plan.changes.append(RepairChange("enforce_scopes", "Switch Enforce Scopes on."))
        plan.warnings.append(
            "Switching Enforce Scopes on ends the key's existing tokens: Ally must be authorized again afterwards."
        )
    if failed(KEY_ALLOW_INCLUDES):
        plan.fields["developer_key[allow_includes]"] = "true"
        plan.changes.append(RepairChange("allow_includes", "Check Allow Include Parameters."))
    if failed(KEY_REDIRECT_URI):
        uris = [*key.redirect_uris, target.redirect_uri]
        plan.fields["developer_key[redirect_uris]"] = "\n".join(uris)
        text = f"Add the redirect URI {target.redirect_uri} (the others stay)."
        plan.changes.append(RepairChange("add_redirect_uri", text))
    if failed(KEY_ACTIVE):
        plan.fields["developer_key[event]"] = "activate"
        plan.changes.append(RepairChange("activate", "Activate the key."))
    if failed(KEY_ON):
        plan.binding_on = True
        plan.changes.append(RepairChange("binding_on", "Turn the key ON for the root account."))
    return plan


async def _check_catalogue(session: AdminSession, plan: RepairPlan) -> None:
    scopes = plan.fields.get("developer_key[scopes][]")
    if not isinstance(scopes, list):
        return
    catalogue = await catalogue_scopes(session)
    unknown = [scope for scope in scopes if scope not in catalogue and scope not in plan.key.scopes]
    if unknown:
        parts = [
            f"{scope} (this Canvas names it {older})" if (older := renamed_scope(scope, catalogue)) else scope
            for scope in unknown
        ]
        raise RepairStopped(
            "Nothing was changed: this Canvas does not know "
            f"{'; '.join(parts)}, and would drop it from the update silently."
        )


async def apply_repair(
    client: CanvasClient, token: str, plan: RepairPlan, target: AuditTarget, *, say: Say | None = None
) -> Repaired:
    """Write the plan, report each write, then audit again. `RepairStopped` says what was and was not applied."""
    report = say or (lambda _line: None)
    session = AdminSession(client, token)
    headers = {"Authorization": f"Bearer {token}"}
    done: list[str] = []
    applied: list[str] = []
    await _check_catalogue(session, plan)
    if plan.fields:
        path = f"/api/v1/developer_keys/{plan.key.id}"
        try:
            reply = await client.request("PUT", path, data=plan.fields, headers=headers)
        except CanvasError as exc:
            raise RepairStopped(f"Nothing was confirmed changed: {session.scrubbed(exc.message)}") from None
        if reply.status != 200:
            words = session.scrubbed(canvas_words(reply.json()) or first_line(reply.text))
            raise RepairStopped(f"Canvas refused the update (HTTP {reply.status}: {words}); nothing was changed.")
        changed = ", ".join(name.removeprefix("developer_key[").split("]")[0] for name in plan.fields)
        report(f"PUT {path}: updated {changed}.")
        done.append("the key's settings")
        applied.extend(change.name for change in plan.changes if change.name != "binding_on")
    if plan.binding_on:
        path = f"/api/v1/accounts/self/developer_keys/{plan.key.id}/developer_key_account_bindings"
        left = "turning the key ON"
        try:
            reply = await client.request(
                "POST", path, data={"developer_key_account_binding[workflow_state]": "on"}, headers=headers
            )
        except CanvasError as exc:
            raise RepairStopped(_stopped(done, left, session.scrubbed(exc.message)), tuple(applied)) from None
        if reply.status not in (200, 201):
            words = session.scrubbed(canvas_words(reply.json()) or first_line(reply.text))
            raise RepairStopped(_stopped(done, left, f"HTTP {reply.status}: {words}"), tuple(applied))
        report(f"POST {path}: the key is ON for the root account.")
        applied.append("binding_on")
    fixed_target = AuditTarget(
        target.canvas_url, target.environment, target.client_id, target.redirect_uri, plan.key.id, target.recipe
    )
    return Repaired(tuple(applied), await run_audit(client, token, fixed_target))


def _stopped(done: list[str], left: str, why: str) -> str:
    applied = f"Applied: {', '.join(done)}." if done else "Nothing was applied."
    return f"{applied} Not applied: {left} ({why})."
