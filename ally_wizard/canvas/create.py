"""Creating the Ally key with an admin token: the exact key of the recipe, in one confirmed step.

The plan is shown first (`KeyPlan.lines`); only then, and only once, `create_key` writes:

1. the catalogue first (`GET /api/v1/accounts/self/scopes`): Canvas refuses a key whose scopes it does not
   know, so a scope it lacks stops the run before any write, naming the catalogue's name where one was
   renamed (the Pages scopes, docs/canvas.md 5);
2. no second key: an active Ally key with this redirect URI already there stops the run (unless `new`);
3. `POST /api/v1/accounts/self/developer_keys` (never repeated: a retry could make a second key), whose
   answer holds the whole secret, kept in memory only (newer Canvas shows only a hint afterwards);
4. the binding set ON (`developer_key_account_binding[workflow_state]=on`, 200 or 201, docs/canvas.md 6.5);
5. the audit of the new key.

Each write is reported as it happens (method, path, what changed; never the token or the secret), and a
failed step stops the rest, saying what was and was not done, with the new key's ID once it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ally_wizard.canvas.admin import KEYS_PATH, AdminSession, AdminTokenRefused, catalogue_scopes, check_admin_token
from ally_wizard.canvas.audit import AuditResult, AuditTarget, renamed_scope, run_audit
from ally_wizard.canvas.client import CanvasClient, CanvasError
from ally_wizard.canvas.keys import find_keys
from ally_wizard.canvas.messages import canvas_words, first_line

Say = Callable[[str], None]

# The writes of a create, as `create --json` names them in `applied`.
CREATE_KEY = "create_key"
BINDING_ON = "binding_on"


@dataclass(frozen=True, slots=True)
class KeyPlan:
    """The key to create: what the recipe says, with the name and owner email the admin chose."""

    target: AuditTarget
    name: str
    email: str

    def lines(self) -> list[str]:
        """The plan as the admin reads it before confirming."""
        scopes = self.target.scopes
        return [
            f"Create an API developer key on {self.target.canvas_url}:",
            f"  Key Name:        {self.name}",
            f"  Owner Email:     {self.email or '(none)'}",
            f"  Redirect URI:    {self.target.redirect_uri}",
            "  Enforce Scopes:  on",
            "  Allow Include Parameters: on",
            f"  Scopes:          the {len(scopes)} Ally scopes:",
            *(f"    {scope}" for scope in scopes),
            "Then turn the key ON for the root account, and audit it.",
        ]

    def as_dict(self) -> dict[str, object]:
        """The plan as `create --json` carries it."""
        return {
            "name": self.name,
            "email": self.email,
            "redirect_uri": self.target.redirect_uri,
            "enforce_scopes": True,
            "allow_includes": True,
            "scopes": list(self.target.scopes),
            "binding_on": True,
        }

    def form(self) -> dict[str, str | list[str]]:
        """The create request's fields (docs/canvas.md 6.2)."""
        return {
            "developer_key[name]": self.name,
            "developer_key[email]": self.email,
            "developer_key[redirect_uris]": self.target.redirect_uri,
            "developer_key[scopes][]": list(self.target.scopes),
            "developer_key[require_scopes]": "true",
            "developer_key[allow_includes]": "true",
        }


class CreateStopped(Exception):
    """The run stopped before or after a write; `message` says why and what was (not) done.

    `key_id` names the key the message is about: the Ally key already there (a stop before the write,
    `made` False) or the key this run created (a stop after it, `made` True), whose ID a retry needs so
    that it audits or repairs that key instead of making a second one. `applied` names the writes Canvas
    confirmed before the stop (`create_key`, `binding_on`).
    """

    def __init__(self, message: str, key_id: str | None = None, *, applied: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.key_id = key_id
        self.applied = applied

    @property
    def made(self) -> bool:
        """This run created the key `key_id` names."""
        return CREATE_KEY in self.applied


@dataclass(slots=True)
class Created:
    """A key made by `create_key`: its ID, the secret from the create answer (memory only), the audit."""

    key_id: str
    secret: str = field(repr=False)
    audit: AuditResult | None = None
    binding_on: bool = False

    @property
    def applied(self) -> list[str]:
        """The writes Canvas confirmed, as `create --json` names them."""
        return [CREATE_KEY, BINDING_ON] if self.binding_on else [CREATE_KEY]


def _validation_words(data: object, fallback: str) -> str:
    """Canvas's refusal of a create, whichever error shape it used (docs/canvas.md 11)."""
    return canvas_words(data) or fallback


async def preflight_create(session: AdminSession, plan: KeyPlan, *, new: bool) -> None:
    """Everything checked before the write: the token, the catalogue, no Ally key with this redirect URI."""
    await check_admin_token(session)
    catalogue = await catalogue_scopes(session)
    missing = [scope for scope in plan.target.scopes if scope not in catalogue]
    if missing:
        parts = []
        for scope in missing:
            older = renamed_scope(scope, catalogue)
            parts.append(f"{scope} (this Canvas names it {older})" if older else scope)
        raise CreateStopped(
            f"Nothing was created: this Canvas's scope catalogue lacks {len(missing)} of Ally's scopes, and Canvas "
            f"refuses a key with scopes it does not know: {'; '.join(parts)}. It is an older Canvas release; make "
            "the key by hand with the names this Canvas shows, and ask Ally support whether they work with it."
        )
    if new:
        return
    found = await find_keys(session)
    same = [
        key
        for key in found.keys
        if plan.target.redirect_uri in key.redirect_uris and key.workflow_state == "active" and not key.inherited
    ]
    if same:
        key = same[0]
        raise CreateStopped(
            f"Nothing was created: key {key.id} ({key.name or 'no name'}) already has this redirect URI. Audit it "
            f"(ally-wizard audit --key-id {key.id}) or repair it instead; add --new to make a second key anyway.",
            key.id,
        )


async def create_key(
    client: CanvasClient, token: str, plan: KeyPlan, *, new: bool = False, say: Say | None = None
) -> Created:
    """Create the key of `plan`, turn it ON and audit it (see the module docstring).

    Raises `CreateStopped` (with the new key's ID when it exists), `AdminTokenRefused` for a token that
    cannot manage developer keys, `CanvasError` when Canvas does not answer before the key exists.
    """
    report = say or (lambda _line: None)
    session = AdminSession(client, token)
    await preflight_create(session, plan, new=new)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        reply = await client.request("POST", KEYS_PATH, data=plan.form(), headers=headers, repeatable=False)
    except CanvasError as exc:
        raise CreateStopped(
            f"{session.scrubbed(exc.message)} Canvas may or may not have made the key: run ally-wizard audit "
            "before trying again, so that no second key is made."
        ) from None
    data = reply.json()
    if reply.status in (401, 403):
        raise AdminTokenRefused(f"Nothing was created. {refusal_sentence(session, reply)}")
    if reply.status != 200 or not isinstance(data, dict) or "id" not in data:
        words = session.scrubbed(_validation_words(data, first_line(reply.text)))
        hint = ""
        if "cannot contain" in words:
            hint = " Canvas does not know one of the scopes: this is an older release (see catalogue.scopes)."
        elif "redirect" in words.lower():
            hint = " Canvas refused the redirect URI: check the Ally environment and Client ID."
        raise CreateStopped(f"Nothing was created: Canvas refused the key (HTTP {reply.status}: {words}).{hint}")
    key_id = str(data["id"])
    secret = data.get("api_key")
    secret = secret if isinstance(secret, str) else ""
    report(
        f"POST {KEYS_PATH}: created key {key_id} ({plan.name}, {len(plan.target.scopes)} scopes, Enforce Scopes "
        "and Allow Include Parameters on)."
    )
    created = Created(key_id, secret)
    binding_path = f"{KEYS_PATH}/{key_id}/developer_key_account_bindings"
    try:
        bound = await client.request(
            "POST", binding_path, data={"developer_key_account_binding[workflow_state]": "on"}, headers=headers
        )
    except CanvasError as exc:
        raise CreateStopped(
            f"Key {key_id} was created, but turning it ON got no answer ({session.scrubbed(exc.message)}). Left to "
            "do: set its State to ON in Admin > Developer Keys (or run ally-wizard repair).",
            key_id,
            applied=(CREATE_KEY,),
        ) from None
    if bound.status not in (200, 201):
        raise CreateStopped(
            f"Key {key_id} was created, but Canvas refused to turn it ON (HTTP {bound.status}: "
            f"{session.scrubbed(_validation_words(bound.json(), first_line(bound.text)))}). Left to do: set its "
            "State to ON in Admin > Developer Keys.",
            key_id,
            applied=(CREATE_KEY,),
        )
    created.binding_on = True
    report(f"POST {binding_path}: the key is ON for the root account.")
    target = AuditTarget(
        plan.target.canvas_url,
        plan.target.environment,
        plan.target.client_id,
        plan.target.redirect_uri,
        key_id,
        plan.target.recipe,
    )
    try:
        created.audit = await run_audit(client, token, target)
    except (AdminTokenRefused, CanvasError) as exc:
        raise CreateStopped(
            f"Key {key_id} was created and turned ON, but the audit that follows failed ({exc.message}). Run "
            f"ally-wizard audit --key-id {key_id}.",
            key_id,
            applied=(CREATE_KEY, BINDING_ON),
        ) from None
    return created


def refusal_sentence(session: AdminSession, reply: object) -> str:
    """The plain sentence of a refused write (no permission, cross-domain), from the shared refusals."""
    from ally_wizard.canvas.admin import refusal
    from ally_wizard.canvas.client import Reply

    assert isinstance(reply, Reply)
    return refusal(reply, session).message
