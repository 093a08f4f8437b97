"""The live authorization: the authorize URL, the pasted landing address, the code exchange and the revoke.

The admin authorizes in a browser, often on another machine, so the wizard uses the out-of-band redirect
(`urn:ietf:wg:oauth:2.0:oob`, accepted for every key): Canvas lands the browser on
`/login/oauth2/auth?code=…&state=…` and the admin pastes that address back. A random `state` ties the
pasted address to this authorization and PKCE (S256) ties the code to this process, so a code copied from
somewhere else is useless. `replace_tokens` is never sent: it would delete the admin's other tokens for
the key, possibly Ally's own.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from ally_wizard.canvas.authorize import AUTHORIZE_PATH, OOB_REDIRECT_URI
from ally_wizard.canvas.client import CanvasClient, Reply
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.canvas.wording import PURPOSE
from ally_wizard.inputs import InputError

TOKEN_PATH = "/login/oauth2/token"
_BARE_CODE = re.compile(r"^[A-Za-z0-9._~+/=-]{8,512}$")
_LANDING_TEXT = "finished the login workflow"


class AuthorizationInputError(InputError):
    """What the admin pasted cannot be used; the message names what to do instead.

    `final` is True when pasting again cannot help: Canvas put a refusal in the address (Cancel, a user
    who may not authorize...) or the address belongs to another authorization.
    """

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """An authorization the admin has been sent to approve. The verifier never shows in repr or str."""

    authorize_url: str
    state: str
    code_verifier: str = field(repr=False)

    def __str__(self) -> str:
        return self.authorize_url


def pkce_challenge(verifier: str) -> str:
    """The S256 challenge: unpadded base64url of the verifier's SHA-256 (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin_authorization(target: KeyTarget) -> PendingAuthorization:
    """Build the authorize URL: OOB redirect, every recipe scope, a fresh `state`, PKCE S256, a purpose."""
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(64)  # 86 characters, inside RFC 7636's 43..128
    query = urlencode(
        [
            ("client_id", target.key_id),
            ("response_type", "code"),
            ("redirect_uri", OOB_REDIRECT_URI),
            ("scope", " ".join(target.scopes)),
            ("state", state),
            ("code_challenge", pkce_challenge(verifier)),
            ("code_challenge_method", "S256"),
            ("purpose", PURPOSE),
        ],
        quote_via=quote,
    )
    return PendingAuthorization(f"{target.canvas_url.rstrip('/')}{AUTHORIZE_PATH}?{query}", state, verifier)


_ERROR_FIXES = {
    "access_denied": "Cancel was selected in Canvas, so no token was issued. Authorize again and select Authorize.",
    "invalid_scope": "Canvas refused the scopes the key does not hold. Tick the missing scopes on the key "
    "in Admin > Developer Keys, Save, then authorize again.",
    "unauthorized_client": "The key is not ON for this Canvas. In Admin > Developer Keys set its State to "
    "ON, then authorize again.",
    "client_not_allowed_for_user": "This Canvas user may not authorize the key. Log in to Canvas as an "
    "admin, then authorize again.",
}


def read_pasted_code(pending: PendingAuthorization, pasted: str) -> str:
    """The code from what the admin pasted: the landing page's address (preferred) or the bare code.

    The address carries `state`, which must be this authorization's; a bare code cannot be checked that
    way, but PKCE makes a code from any other authorization fail at the exchange anyway.
    """
    text = pasted.strip().strip("<>\"'")
    if not text:
        raise AuthorizationInputError(
            "Nothing was pasted. Copy the whole address from the browser's address bar after selecting "
            "Authorize, and paste it here."
        )
    if _LANDING_TEXT in text:
        raise AuthorizationInputError(
            "That is the text of the page, which holds no code. Copy the address from the browser's "
            "address bar instead."
        )
    if "://" in text or "?" in text or text.startswith(("code=", "error=")) or "&" in text:
        return _code_from_address(pending, text)
    if _BARE_CODE.match(text):
        return text
    raise AuthorizationInputError(
        "That does not look like the address Canvas showed after Authorize. Copy the whole address from "
        "the browser's address bar (it contains code=) and paste it here."
    )


def _code_from_address(pending: PendingAuthorization, text: str) -> str:
    try:
        query = urlsplit(text).query if ("://" in text or text.startswith("/") or "?" in text) else text
    except ValueError:
        # urlsplit refuses an unbalanced [ or ] in the host (`http://[canvas.school.edu/...`).
        raise AuthorizationInputError(
            "That address is malformed (its host part is broken), so it cannot be read. Copy the whole address "
            "from the browser's address bar again, from https:// to the end, and paste it here."
        ) from None
    params = dict(parse_qsl(query.split("#")[0], keep_blank_values=True))
    error = params.get("error")
    if error:
        description = params.get("error_description", "")
        fix = _ERROR_FIXES.get(error, "Authorize again; if it fails the same way, run the check again.")
        said = f" Canvas said: {error}" + (f" ({description})." if description else ".")
        raise AuthorizationInputError(f"{fix}{said}", final=True)
    code = params.get("code", "").strip()
    if not code:
        raise AuthorizationInputError(
            "The pasted address has no code in it. After selecting Authorize, copy the address of the page "
            "Canvas shows (it contains code=) and paste it here."
        )
    state = params.get("state")
    if state is None:
        raise AuthorizationInputError(
            "The pasted address has no state, so it cannot be matched to this authorization. Paste the whole "
            "address, from https:// to the end."
        )
    # As bytes: compare_digest refuses str with non-ASCII characters, which a paste can hold.
    if not secrets.compare_digest(state.encode("utf-8", "replace"), pending.state.encode("utf-8")):
        raise AuthorizationInputError(
            "The pasted address belongs to another authorization (its state does not match). Use the "
            "address from the authorization this wizard just opened, or start it again.",
            final=True,
        )
    return code


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A token from the exchange. The token never shows in repr or str; revoke it when done."""

    access_token: str = field(repr=False)
    user_name: str | None
    evidence_status: int

    def __str__(self) -> str:
        return f"TokenGrant(user_name={self.user_name!r})"


def exchange_form(target: KeyTarget, pending: PendingAuthorization, code: str, secret: str) -> dict[str, str]:
    """The token request's form: credentials in the body, OOB redirect (JSON on every version), the verifier.

    No `replace_tokens`: it would delete the user's other tokens for this key.
    """
    return {
        "grant_type": "authorization_code",
        "client_id": target.key_id,
        "client_secret": secret,
        "redirect_uri": OOB_REDIRECT_URI,
        "code": code,
        "code_verifier": pending.code_verifier,
    }


async def exchange_code(
    client: CanvasClient, target: KeyTarget, pending: PendingAuthorization, code: str, secret: str
) -> Reply:
    """`POST /login/oauth2/token`. Raises `CanvasError` when no answer came.

    Repeatable although it is a POST: the code works once, so however many times the request reaches
    Canvas, at most one token comes out of it. When an answer was lost and the retry finds the code used,
    the caller says that a token may exist (it expires within an hour); not retrying would leave the same
    possibility with no answer at all.
    """
    return await client.request("POST", TOKEN_PATH, data=exchange_form(target, pending, code, secret), repeatable=True)


async def revoke_token(client: CanvasClient, access_token: str) -> Reply:
    """`DELETE /login/oauth2/token` with the token in the header. Repeatable: deleting twice is harmless."""
    return await client.request(
        "DELETE", TOKEN_PATH, headers={"Authorization": f"Bearer {access_token}"}, repeatable=True
    )
