"""The simulated Canvas's memory: the seeded institution, developer keys, tokens, codes and sessions.

All state lives in one `CanvasState` owned by the server's event loop. Handlers change it only in
synchronous stretches (no `await` in the middle of an update), so concurrent requests always see
consistent records.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ally_wizard.inputs import redirect_uri as ally_redirect_uri
from ally_wizard.recipe import Recipe, default_recipe
from ally_wizard.sandbox.records import (
    CODE_LIFETIME,
    TOKEN_LIFETIME,
    AccessToken,
    AuthCode,
    Binding,
    DeveloperKey,
    PendingAuth,
    Session,
    User,
    global_id,
    iso,
    random_string,
)
from ally_wizard.sandbox.scenario import Scenario
from ally_wizard.sandbox.seed import seed_content

ROOT_ACCOUNT_ID = 1
OTHER_ROOT_ACCOUNT_ID = 901  # another institution's root account on the same Canvas (not in our chain)
SITE_ADMIN_ACCOUNT_ID = 999  # Site Admin: owns inherited keys; its binding wins when on or off
OTHER_ROOT_ACCOUNT_NAME = "Neighbouring College"
SITE_ADMIN_ACCOUNT_NAME = "Site Admin"
# LTI 1.3 scopes (lib/token_scopes.rb LTI_SCOPES): what an LTI key holds instead of API scopes
LTI_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
_OWNER_ACCOUNTS: dict[str, int | None] = {
    "root": ROOT_ACCOUNT_ID,
    "site_admin": None,
    "other_root": OTHER_ROOT_ACCOUNT_ID,
}
ADMIN_LOGIN = "admin@example.edu"
TEACHER_LOGIN = "teacher@example.edu"
PRACTICE_PASSWORD = "practice-canvas"


@dataclass(frozen=True, slots=True)
class Handout:
    """What the admin was handed after making the key: its ID and secret (maybe the wrong ones)."""

    key_id: str
    key_secret: str = field(repr=False)
    admin_token: str = field(repr=False)
    non_admin_token: str = field(repr=False, default="")


class CanvasState:
    """Every record of one simulated Canvas instance."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.users: dict[int, User] = {}
        self.content: dict[str, dict[int, dict[str, Any]]] = {}
        self.keys: dict[int, DeveloperKey] = {}
        self.bindings: dict[int, Binding] = {}  # the root account's, by developer key local id
        self.site_admin_bindings: dict[int, Binding] = {}  # Site Admin's, by developer key local id
        self.tokens: dict[int, AccessToken] = {}
        self.by_token: dict[str, AccessToken] = {}
        self.by_refresh: dict[str, AccessToken] = {}
        self.codes: dict[str, AuthCode] = {}
        self.sessions: dict[str, Session] = {}
        self._next: dict[str, int] = {"key": 100, "binding": 300, "token": 500, "content": 5000}
        self.handout = self._seed()

    # --- seeding -------------------------------------------------------------------------------

    def _seed(self) -> Handout:
        scenario = self.scenario
        self.content = seed_content()
        self.users = {
            1: User(1, "Avery Admin", "Admin, Avery", ADMIN_LOGIN, PRACTICE_PASSWORD, ADMIN_LOGIN, admin=True),
            2: User(2, "Terry Teacher", "Teacher, Terry", TEACHER_LOGIN, PRACTICE_PASSWORD, TEACHER_LOGIN, False),
        }
        admin = self.users[1]
        studio = self.create_key(
            admin,
            name="Studio Integration",
            email="media@example.edu",
            redirect_uris=["https://studio.example.edu/oauth/callback"],
            scopes=[],
            require_scopes=False,
            allow_includes=False,
        )
        self.bindings[studio.id].workflow_state = "on"
        recipe = default_recipe()
        setup = scenario.key
        instance = scenario.instance
        correct_uri = ally_redirect_uri(recipe, scenario.ally_environment, scenario.ally_client_id)
        if instance.stale_ally_key:
            self._seed_stale_ally_key(admin, recipe)
        scopes = [scope for scope in recipe.scope_strings if scope not in setup.missing_scopes]
        scopes.extend(scope for scope in setup.extra_scopes if scope not in scopes)
        ally: DeveloperKey | None = None
        if instance.ally_key:
            ally = self.create_key(
                admin,
                name=setup.name,
                email=ADMIN_LOGIN,
                redirect_uris=[setup.redirect_uri or correct_uri],
                scopes=scopes if setup.require_scopes else [],
                require_scopes=setup.require_scopes,
                allow_includes=setup.allow_includes,
                account_id=_OWNER_ACCOUNTS[setup.owner],
            )
            ally.workflow_state = setup.workflow_state
            ally.test_cluster_only = setup.test_cluster_only
            ally.auto_expire_tokens = setup.auto_expire_tokens
            if setup.owner == "root":
                self.bindings[ally.id].workflow_state = setup.binding_state
            elif setup.owner == "site_admin":
                # The root admin's State toggle, under Site Admin's binding (`allow` unless the scenario says)
                self.site_admin_bindings[ally.id].workflow_state = setup.site_admin_binding or "allow"
                self.bindings[ally.id] = Binding(self.next_id("binding"), ROOT_ACCOUNT_ID, ally.id, setup.binding_state)
            # other_root: its binding lives on its own root account, which this host does not serve
            ally.outside_tokens = setup.ally_tokens
            ally.last_used_at = iso(time.time() - 3 * 3600) if setup.ally_tokens else None
        # Other integrations' keys come after Ally's, so Ally's is on the last page of the list.
        for number in range(1, instance.other_keys + 1):
            other = self.create_key(
                admin,
                name=f"Integration {number:03d}",
                email=f"integration{number:03d}@example.edu",
                redirect_uris=[f"https://tool{number:03d}.example.com/oauth/callback"],
                scopes=[],
                require_scopes=False,
                allow_includes=False,
            )
            self.bindings[other.id].workflow_state = "on" if number % 3 else "off"
        admin_token = self.issue_token(admin, None, (), "Sandbox admin token", expires=False)
        teacher_token = self.issue_token(self.users[2], None, (), "Sandbox teacher token", expires=False)
        handed = ally
        if setup.hand_out_lti_key:
            handed = self._seed_lti_key(admin, setup.name, correct_uri)
        key_id = str(handed.global_id if handed else global_id(self._next["key"] + 500))
        if setup.hand_out_local_id and handed is not None:
            key_id = str(handed.id)
        if setup.hand_out_unknown_key and ally is not None:
            key_id = str(global_id(ally.id + 41))
        secret = handed.api_key if handed else random_string(64)
        if setup.hand_out_wrong_secret:
            secret = random_string(64)
        return Handout(
            key_id=key_id, key_secret=secret, admin_token=admin_token.token, non_admin_token=teacher_token.token
        )

    def _seed_stale_ally_key(self, admin: User, recipe: Recipe) -> None:
        """An earlier Ally key, deactivated and OFF, made for another Client ID: drift's usual companion."""
        stale = self.create_key(
            admin,
            name="Ally (old)",
            email=ADMIN_LOGIN,
            redirect_uris=[ally_redirect_uri(recipe, self.scenario.ally_environment, "999")],
            scopes=list(recipe.scope_strings),
            require_scopes=True,
            allow_includes=True,
        )
        stale.workflow_state = "inactive"
        stale.last_used_at = "2025-06-30T08:00:00Z"

    def _seed_lti_key(self, admin: User, name: str, ally_uri: str) -> DeveloperKey:
        """The institution's Ally LTI 1.3 key, ON: a public JWK, LTI scopes and launch URIs only."""
        parts = urlsplit(ally_uri)
        host = f"{parts.scheme}://{parts.netloc}"
        modulus = base64.urlsafe_b64encode(secrets.token_bytes(256)).decode("ascii").rstrip("=")
        key = self.create_key(
            admin,
            name=f"{name} (LTI 1.3)",
            email=ADMIN_LOGIN,
            redirect_uris=[f"{host}/api/v2/lti/launch", f"{host}/api/v2/lti/deep-link"],
            scopes=list(LTI_SCOPES),
            require_scopes=False,  # forced on below, as Canvas does for a key with a public JWK
            allow_includes=False,
            public_jwk={"kty": "RSA", "e": "AQAB", "n": modulus, "alg": "RS256", "use": "sig", "kid": "ally-lti"},
        )
        self.bindings[key.id].workflow_state = "on"
        return key

    # --- ids -----------------------------------------------------------------------------------

    def next_id(self, kind: str) -> int:
        """A fresh local id of this kind."""
        self._next[kind] += 1
        return self._next[kind]

    # --- developer keys ------------------------------------------------------------------------

    def create_key(
        self,
        owner: User,
        *,
        name: str,
        email: str,
        redirect_uris: list[str],
        scopes: list[str],
        require_scopes: bool,
        allow_includes: bool,
        notes: str = "",
        redirect_uri: str | None = None,
        account_id: int | None = ROOT_ACCOUNT_ID,
        public_jwk: dict[str, str] | None = None,
    ) -> DeveloperKey:
        """A new key with a 64-character secret and a default binding, OFF, on its owner account (Site
        Admin's for a Site Admin key; none here for another root account's key, whose binding is there)."""
        key = DeveloperKey(
            id=self.next_id("key"),
            name=name,
            email=email,
            api_key=random_string(64),
            redirect_uris=list(redirect_uris),
            scopes=list(scopes),
            require_scopes=require_scopes,
            allow_includes=allow_includes,
            notes=notes,
            redirect_uri=redirect_uri,
            user_id=owner.id if account_id == ROOT_ACCOUNT_ID else None,
            user_name=owner.name if account_id == ROOT_ACCOUNT_ID else None,
            account_id=account_id,
            public_jwk=public_jwk,
        )
        self.keys[key.id] = key
        key.require_scopes = require_scopes or key.is_lti_key  # set_require_scopes
        if account_id == ROOT_ACCOUNT_ID:
            self.bindings[key.id] = Binding(self.next_id("binding"), ROOT_ACCOUNT_ID, key.id, "off")
        elif account_id is None:
            self.site_admin_bindings[key.id] = Binding(self.next_id("binding"), SITE_ADMIN_ACCOUNT_ID, key.id, "off")
        return key

    def find_key(self, key_id: int | None) -> DeveloperKey | None:
        """A key that is not deleted, by local id."""
        key = self.keys.get(key_id) if key_id is not None else None
        return key if key and key.workflow_state != "deleted" else None

    def deciding_binding(self, key: DeveloperKey) -> Binding | None:
        """The binding that decides the key on this root account (`DeveloperKey#account_binding_for`):
        Site Admin's when it is on or off, else the root account's when on or off, else an `allow` one."""
        site_admin, root = self.site_admin_bindings.get(key.id), self.bindings.get(key.id)
        for binding in (site_admin, root):
            if binding is not None and binding.workflow_state in ("on", "off"):
                return binding
        return root if root is not None and root.workflow_state == "allow" else site_admin

    def key_authorized(self, key: DeveloperKey) -> bool:
        """Whether the authorize endpoint lets this key through check 4 (docs/canvas.md 6.5 and 12): the
        deciding binding is ON, the key is this root account's or Site Admin's, and the key is usable
        here (a Test Cluster Only key is not: this Canvas is production)."""
        binding = self.deciding_binding(key)
        return (
            binding is not None
            and binding.workflow_state == "on"
            and key.account_id in (None, ROOT_ACCOUNT_ID)
            and not key.test_cluster_only
        )

    def key_usable(self, key: DeveloperKey) -> bool:
        """Active and authorized for the root account: what authorization and API calls need."""
        return key.workflow_state == "active" and self.key_authorized(key)

    def may_issue_token(self, user: User) -> bool:
        """`Provider#can_issue_token?`: with personal access tokens limited, only a user whose role may
        manage access tokens gets one (the AccessToken policy in app/models/access_token.rb)."""
        settings = self.scenario.account
        if not settings.limit_personal_access_tokens:
            return True
        return user.admin and settings.admin_manages_tokens

    def change_key_scopes(self, key: DeveloperKey, scopes: list[str], require_scopes: bool) -> None:
        """Set a key's scopes; removing any, or turning enforcement on, destroys all its tokens."""
        require_scopes = require_scopes or key.is_lti_key  # set_require_scopes: forced on for LTI keys
        removed = set(key.scopes) - set(scopes)
        newly_enforced = require_scopes and not key.require_scopes
        key.scopes = list(scopes)
        key.require_scopes = require_scopes
        if removed or newly_enforced:
            key.outside_tokens = 0
            for token in self.tokens.values():
                if token.developer_key_id == key.id and token.workflow_state == "active":
                    token.workflow_state = "deleted"

    def secret_shown(self, key: DeveloperKey, full: bool) -> str:
        """`api_key` as an answer shows it: whole, or only a hint where the regenerate-secret feature is on
        and the answer is not the create or regenerate one (docs/canvas.md 6.3; the hint's exact form is not
        confirmed, so nothing may rely on it)."""
        if full or not self.scenario.canvas.regenerate_secret:
            return key.api_key
        return f"{key.api_key[:5]}..."

    def key_json(self, key: DeveloperKey, *, full_secret: bool = False) -> dict[str, Any]:
        """The key as the Developer Keys API shows it to a holder of manage_developer_keys.

        `full_secret`: the create and regenerate answers, the only ones with the whole secret when the
        regenerate-secret feature is on.
        """
        binding = self.deciding_binding(key)
        now = time.time()
        count = key.outside_tokens + sum(
            1 for t in self.tokens.values() if t.developer_key_id == key.id and t.is_live(now)
        )
        return {
            "id": key.global_id,
            "name": key.name,
            "created_at": key.created_at,
            "email": key.email,
            "user_id": global_id(key.user_id) if key.user_id else None,
            "user_name": key.user_name,
            "icon_url": key.icon_url,
            "notes": key.notes,
            "workflow_state": key.workflow_state,
            "scopes": list(key.scopes),
            "require_scopes": key.require_scopes,
            "client_credentials_audience": None,
            "lti_registration_id": None,
            "account_name": self.account_name(key.account_id),
            "visible": key.visible,
            "is_lti_key": key.is_lti_key,
            "is_lti_registration": False,
            "tool_configuration": None,
            "lti_registration": None,
            "developer_key_account_binding": (
                binding.as_json(account_owns_binding=binding.account_id == ROOT_ACCOUNT_ID) if binding else None
            ),
            "api_key": self.secret_shown(key, full_secret),
            "redirect_uri": key.redirect_uri,
            "redirect_uris": "\n".join(key.redirect_uris),
            "all_redirect_uris": [
                {"redirect_uri": uri, "last_used_at": None, "workflow_state": "active"} for uri in key.redirect_uris
            ],
            "access_token_count": count,
            "last_used_at": key.last_used_at,
            "unified_tool_id": None,
            "vendor_code": key.vendor_code,
            "public_jwk": dict(key.public_jwk) if key.public_jwk else None,
            "public_jwk_url": None,
            "allow_includes": key.allow_includes,
            "test_cluster_only": key.test_cluster_only,
            "auto_expire_tokens": key.auto_expire_tokens,
        }

    def account_name(self, account_id: int | None) -> str:
        """The name of a key's owning account, as `account_name` shows it."""
        if account_id is None:
            return SITE_ADMIN_ACCOUNT_NAME
        if account_id == OTHER_ROOT_ACCOUNT_ID:
            return OTHER_ROOT_ACCOUNT_NAME
        return str(self.content["accounts"][account_id]["name"])

    # --- tokens and codes ----------------------------------------------------------------------

    def issue_token(
        self,
        user: User,
        key: DeveloperKey | None,
        scopes: tuple[str, ...],
        purpose: str,
        *,
        expires: bool = True,
        refresh: bool = True,
    ) -> AccessToken:
        """A new access token (64 random characters after Canvas's `<shard>~` prefix)."""
        now = time.time()
        token = AccessToken(
            id=self.next_id("token"),
            user_id=user.id,
            developer_key_id=key.id if key else None,
            token=f"{self._shard_prefix()}{random_string(64)}",
            # a key without auto_expire_tokens: no expiry and, as docs/canvas.md 12 has it, no refresh token
            refresh_token=(
                f"{self._shard_prefix()}{random_string(64)}" if (key and refresh and key.auto_expire_tokens) else None
            ),
            scopes=scopes,
            purpose=purpose,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME if (expires and key and key.auto_expire_tokens) else None,
        )
        self.tokens[token.id] = token
        self.by_token[token.token] = token
        if token.refresh_token:
            self.by_refresh[token.refresh_token] = token
        return token

    @staticmethod
    def _shard_prefix() -> str:
        return "17~"

    def refresh_token(self, token: AccessToken) -> AccessToken:
        """Regenerate the access string of a token (the old string stops working), one more hour."""
        self.by_token.pop(token.token, None)
        token.token = f"{self._shard_prefix()}{random_string(64)}"
        token.expires_at = time.time() + TOKEN_LIFETIME if token.expires_at is not None else None
        self.by_token[token.token] = token
        return token

    def replace_other_tokens(self, token: AccessToken) -> None:
        """`replace_tokens=1`: delete the user's other tokens for the same key."""
        for other in self.tokens.values():
            if (
                other is not token
                and other.user_id == token.user_id
                and other.developer_key_id == token.developer_key_id
                and other.workflow_state == "active"
            ):
                other.workflow_state = "deleted"

    def new_code(self, key: DeveloperKey, user: User, pending: PendingAuth) -> AuthCode:
        """A 128-hex-character code for an approved request, single use, ten minutes."""
        code = AuthCode(
            code=secrets.token_hex(64),
            developer_key_id=key.id,
            user_id=user.id,
            scopes=pending.scopes,
            purpose=pending.purpose,
            code_challenge=pending.code_challenge,
            expires_at=time.time() + CODE_LIFETIME,
        )
        self.codes[code.code] = code
        return code

    def take_code(self, code: str) -> AuthCode | None:
        """Remove and return a code that has not expired: a code works once."""
        found = self.codes.pop(code, None)
        if found is None or found.expires_at <= time.time():
            return None
        return found

    def live_tokens(self) -> list[AccessToken]:
        """Copies of the tokens that still work (not revoked, deleted or expired)."""
        now = time.time()
        return [copy.copy(t) for t in self.tokens.values() if t.is_live(now)]

    # --- sessions ------------------------------------------------------------------------------

    def new_session(self) -> Session:
        """A browser session with its own CSRF token."""
        session = Session(id=secrets.token_urlsafe(24), csrf_token=secrets.token_urlsafe(24))
        self.sessions[session.id] = session
        return session

    def check_login(self, login: str, password: str) -> User | None:
        """The user with this login name and password, comparing in constant time."""
        for user in self.users.values():
            if user.login.lower() == login.strip().lower():
                same = secrets.compare_digest(
                    hashlib.sha256(user.password.encode()).digest(), hashlib.sha256(password.encode()).digest()
                )
                return user if same else None
        return None

    # --- snapshot ------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of Canvas's records without tokens, codes or sessions, for "nothing changed"."""
        return {
            "users": {uid: asdict(user) for uid, user in self.users.items()},
            "content": copy.deepcopy(self.content),
            "developer_keys": {kid: asdict(key) for kid, key in self.keys.items()},
            "bindings": {kid: asdict(binding) for kid, binding in self.bindings.items()},
            "site_admin_bindings": {kid: asdict(b) for kid, b in self.site_admin_bindings.items()},
        }
