"""The authorize URL and the pasted landing address: OOB, all scopes, state, PKCE S256, plain errors."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from fake_canvas import BASE, KEY_ID, SECRET

from ally_wizard.canvas.oauth import exchange_form
from ally_wizard.canvas.verify import (
    AuthorizationInputError,
    KeyTarget,
    PendingAuthorization,
    begin_authorization,
    read_pasted_code,
)
from ally_wizard.inputs import InputError
from ally_wizard.recipe import default_recipe


def test_the_authorize_url_asks_for_every_scope_out_of_band_with_state_and_pkce(target: KeyTarget) -> None:
    pending = begin_authorization(target)
    parts = urlsplit(pending.authorize_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE}/login/oauth2/auth"
    assert query["client_id"] == KEY_ID
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob"
    assert query["scope"].split(" ") == list(default_recipe().scope_strings)
    assert query["state"] == pending.state and len(pending.state) >= 32
    assert query["code_challenge_method"] == "S256"
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(pending.code_verifier) <= 128
    assert "ally-wizard" in query["purpose"]
    assert "replace_tokens" not in query


def test_each_authorization_is_fresh(target: KeyTarget) -> None:
    first, second = begin_authorization(target), begin_authorization(target)
    assert first.state != second.state and first.code_verifier != second.code_verifier


def test_the_verifier_never_shows_in_repr_or_str(target: KeyTarget) -> None:
    pending = begin_authorization(target)
    assert pending.code_verifier not in repr(pending)
    assert pending.code_verifier not in str(pending)


def pending_with(state: str = "S1") -> PendingAuthorization:
    return PendingAuthorization(f"{BASE}/login/oauth2/auth?x=1", state, "v" * 64)


def test_the_landing_address_gives_its_code() -> None:
    pasted = f"  {BASE}/login/oauth2/auth?code=abc123def456&state=S1 \n"
    assert read_pasted_code(pending_with(), pasted) == "abc123def456"


def test_a_bare_code_is_accepted() -> None:
    assert read_pasted_code(pending_with(), "a" * 128) == "a" * 128


def test_a_foreign_state_is_refused_with_the_fix() -> None:
    with pytest.raises(AuthorizationInputError, match="belongs to another authorization"):
        read_pasted_code(pending_with(), f"{BASE}/login/oauth2/auth?code=abc123def456&state=OTHER")


def test_an_address_without_state_is_refused() -> None:
    with pytest.raises(AuthorizationInputError, match="has no state"):
        read_pasted_code(pending_with(), f"{BASE}/login/oauth2/auth?code=abc123def456")


def test_cancel_in_canvas_reads_as_a_plain_sentence() -> None:
    with pytest.raises(AuthorizationInputError) as caught:
        read_pasted_code(pending_with(), f"{BASE}/login/oauth2/auth?error=access_denied&state=S1")
    assert str(caught.value).startswith("Cancel was selected in Canvas, so no token was issued.")
    assert "access_denied" in str(caught.value)


def test_an_invalid_scope_landing_names_the_fix() -> None:
    pasted = f"{BASE}/login/oauth2/auth?error=invalid_scope&error_description=not+granted%3A+x&state=S1"
    with pytest.raises(AuthorizationInputError, match="Tick the missing scopes"):
        read_pasted_code(pending_with(), pasted)


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("", "Nothing was pasted"),
        ("The application has finished the login workflow, and should reactivate shortly.", "address bar"),
        (f"{BASE}/login/oauth2/auth?state=S1", "has no code"),
        ("not a code!", "does not look like the address"),
    ],
)
def test_unusable_pastes_say_what_to_copy(pasted: str, words: str) -> None:
    with pytest.raises(AuthorizationInputError, match=words):
        read_pasted_code(pending_with(), pasted)


def test_pasting_errors_are_input_errors_for_the_command_line() -> None:
    assert issubclass(AuthorizationInputError, InputError)


def test_the_exchange_sends_the_verifier_and_never_replace_tokens(target: KeyTarget) -> None:
    pending = begin_authorization(target)
    form = exchange_form(target, pending, "CODE", SECRET)
    assert form["code_verifier"] == pending.code_verifier
    assert form["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob"
    assert form["grant_type"] == "authorization_code"
    assert "replace_tokens" not in form


@pytest.mark.parametrize(
    ("pasted", "final"),
    [
        (f"{BASE}/login/oauth2/auth?code=abc123def456&state=%C3%A9t%C3%A9", True),  # non-ASCII state
        ("http://[canvas.school.edu/login/oauth2/auth?code=abc&state=x", False),  # broken host
        (f"{BASE}/login/oauth2/auth?error=access_denied&error_description=nope", True),
        (f"{BASE}/login/oauth2/auth?error=client_not_allowed_for_user", True),
        (f"{BASE}/login/oauth2/auth?code=abc123def456&state=another", True),
        ("finished the login workflow", False),
    ],
)
def test_an_unusable_paste_is_an_input_error_that_says_whether_pasting_again_helps(pasted: str, final: bool) -> None:
    from ally_wizard.canvas.oauth import AuthorizationInputError

    with pytest.raises(AuthorizationInputError) as refused:
        read_pasted_code(pending_with(), pasted)
    assert refused.value.final is final
