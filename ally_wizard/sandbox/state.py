"""The simulated Canvas's memory: the seeded institution, developer keys, tokens, codes and sessions.

All state lives in one `CanvasState` owned by the server's event loop. Handlers change it only in
synchronous stretches (no `await` in the middle of an update), so concurrent requests always see
consistent records.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ally_wizard.inputs import redirect_uri as ally_redirect_uri
from ally_wizard.recipe import default_recipe
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
    random_string,
)
from ally_wizard.sandbox.scenario import Scenario
from ally_wizard.sandbox.seed import seed_content

ROOT_ACCOUNT_ID = 1
ADMIN_LOGIN = "admin@example.edu"
TEACHER_LOGIN = "teacher@example.edu"
PRACTICE_PASSWORD = "practice-canvas"


@dataclass(frozen=True, slots=True)
class Handout:
    """What the admin was handed after making the key: its ID and secret (maybe the wrong ones)."""

    key_id: str
    key_secret: str = field(repr=False)
    admin_token: str = field(repr=False)


class CanvasState:
    """Every record of one simulated Canvas instance."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.users: dict[int, User] = {}
        self.content: dict[str, dict[int, dict[str, Any]]] = {}
        self.keys: dict[int, DeveloperKey] = {}
        self.bindings: dict[int, Binding] = {}  # by developer key local id
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
        correct_uri = ally_redirect_uri(recipe, scenario.ally_environment, scenario.ally_client_id)
        scopes = [scope for scope in recipe.scope_strings if scope not in setup.missing_scopes]
        ally = self.create_key(
            admin,
            name=setup.name,
            email=ADMIN_LOGIN,
            redirect_uris=[setup.redirect_uri or correct_uri],
            scopes=scopes if setup.require_scopes else [],
            require_scopes=setup.require_scopes,
            allow_includes=setup.allow_includes,
        )
        ally.workflow_state = setup.workflow_state
        self.bindings[ally.id].workflow_state = setup.binding_state
        admin_token = self.issue_token(admin, None, (), "Sandbox admin token", expires=False)
        key_id = str(ally.global_id)
        if setup.hand_out_unknown_key:
            key_id = str(global_id(ally.id + 41))
        secret = ally.api_key
        if setup.hand_out_wrong_secret:
            secret = random_string(64)
        return Handout(key_id=key_id, key_secret=secret, admin_token=admin_token.token)

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
    ) -> DeveloperKey:
        """A new API key with a 64-character secret and a default binding that starts OFF."""
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
            user_id=owner.id,
            user_name=owner.name,
        )
        self.keys[key.id] = key
        self.bindings[key.id] = Binding(self.next_id("binding"), ROOT_ACCOUNT_ID, key.id, "off")
        return key

    def find_key(self, key_id: int | None) -> DeveloperKey | None:
        """A key that is not deleted, by local id."""
        key = self.keys.get(key_id) if key_id is not None else None
        return key if key and key.workflow_state != "deleted" else None

    def key_usable(self, key: DeveloperKey) -> bool:
        """Active and ON for the root account: what authorization and API calls need."""
        binding = self.bindings.get(key.id)
        return key.workflow_state == "active" and binding is not None and binding.workflow_state == "on"

    def change_key_scopes(self, key: DeveloperKey, scopes: list[str], require_scopes: bool) -> None:
        """Set a key's scopes; removing any, or turning enforcement on, destroys all its tokens."""
        removed = set(key.scopes) - set(scopes)
        newly_enforced = require_scopes and not key.require_scopes
        key.scopes = list(scopes)
        key.require_scopes = require_scopes
        if removed or newly_enforced:
            for token in self.tokens.values():
                if token.developer_key_id == key.id and token.workflow_state == "active":
                    token.workflow_state = "deleted"

    def key_json(self, key: DeveloperKey) -> dict[str, Any]:
        """The key as the Developer Keys API shows it to a holder of manage_developer_keys."""
        binding = self.bindings.get(key.id)
        now = time.time()
        count = sum(1 for t in self.tokens.values() if t.developer_key_id == key.id and t.is_live(now))
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
            "account_name": self.content["accounts"][ROOT_ACCOUNT_ID]["name"],
            "visible": key.visible,
            "is_lti_key": False,
            "is_lti_registration": False,
            "tool_configuration": None,
            "lti_registration": None,
            "developer_key_account_binding": binding.as_json() if binding else None,
            "api_key": key.api_key,
            "redirect_uri": key.redirect_uri,
            "redirect_uris": "\n".join(key.redirect_uris),
            "all_redirect_uris": [
                {"redirect_uri": uri, "last_used_at": None, "workflow_state": "active"} for uri in key.redirect_uris
            ],
            "access_token_count": count,
            "last_used_at": key.last_used_at,
            "unified_tool_id": None,
            "vendor_code": key.vendor_code,
            "public_jwk": None,
            "public_jwk_url": None,
            "allow_includes": key.allow_includes,
            "test_cluster_only": key.test_cluster_only,
            "auto_expire_tokens": key.auto_expire_tokens,
        }

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
            refresh_token=f"{self._shard_prefix()}{random_string(64)}" if (key and refresh) else None,
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
        }
