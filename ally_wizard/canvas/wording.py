"""The title of every check and the sentences that name the fix, in the words of Canvas's UI.

Kept in one place so the command line, the screens and the saved report all say the same thing, and so a
reviewer can read every instruction the wizard gives without reading the probing code.
"""

from __future__ import annotations

from ally_wizard.canvas.report import (
    ADVISORY_CHECKS,
    KEY_ALLOW_INCLUDES,
    KEY_ENFORCE_SCOPES,
    KEY_EXISTS,
    KEY_ON,
    KEY_REDIRECT_URI,
    KEY_SECRET,
    TOKEN_REVOKED,
    CheckStatus,
    Report,
    scope_check_id,
)
from ally_wizard.canvas.target import section_of

# key.exists and key.on are separate questions (a key can exist and be OFF), so neither title says
# "active" or "on" for the other: with the key OFF, a ✓ beside one and a ✗ beside the other must not read
# as a contradiction.
TITLES = {
    KEY_EXISTS: "The key ID exists in Canvas (not deleted)",
    KEY_REDIRECT_URI: "The Ally redirect URI is on the key",
    KEY_ENFORCE_SCOPES: "Enforce Scopes is on",
    KEY_ON: "The key's State is ON (not OFF or ALLOW)",
    KEY_SECRET: "The secret belongs to the key",
    KEY_ALLOW_INCLUDES: "Allow Include Parameters is checked",
    TOKEN_REVOKED: "The test token was revoked",
}

EDIT_KEY = "Edit the key in Admin > Developer Keys"
PURPOSE = "Ally setup wizard (ally-wizard)"


def title(check_id: str) -> str:
    """A check's title; a scope row is titled by its scope string."""
    return TITLES.get(check_id, check_id.removeprefix("scope:"))


def scope_title(scope: str) -> str:
    """The title of a scope row (the id minus its prefix, so the admin sees exactly what to tick)."""
    return title(scope_check_id(scope))


def _under(scope: str) -> str:
    section = section_of(scope)
    return f" under {section}" if section else ""


def key_unknown(key_id: str) -> str:
    """key.exists failed: Canvas answered `unknown client`."""
    return (
        f"Canvas does not know key ID {key_id}, or the key is deactivated or deleted. In Admin > Developer "
        "Keys of this Canvas (production, not test or beta), copy the number in the Details column of the "
        "Ally key. A key marked Test Cluster Only may answer this way too outside test and beta: clear that box."
    )


def redirect_missing(redirect_uri: str) -> str:
    """key.redirect_uri failed: the exact URI to paste."""
    return f"{EDIT_KEY}, paste {redirect_uri} into Redirect URIs exactly as shown (one per line), then Save."


def enforce_off() -> str:
    """key.enforce_scopes failed: the sentinel scope got through."""
    return f"{EDIT_KEY}, turn the Enforce Scopes toggle on, tick the Ally scopes, then Save."


def key_not_on() -> str:
    """key.on failed: `unauthorized_client`. Canvas gives the same answer for four causes (docs/canvas.md 12)."""
    return (
        "In Admin > Developer Keys of this Canvas's root account, set the key's State to ON (OFF or ALLOW is "
        "not enough). If it is already ON, Canvas refuses the key for another reason: its Site Admin setting "
        "is OFF (only Instructure, or whoever runs Site Admin, can change that), the key belongs to another "
        "root account (make the key in this Canvas's own Admin > Developer Keys), or it is marked Test "
        "Cluster Only (it works only on test and beta; clear that box, or use a key made for production)."
    )


def scope_missing(scope: str) -> str:
    """A scope Canvas listed as not granted: which box to tick, under which section."""
    return f"{EDIT_KEY}, tick {scope}{_under(scope)}, then Save."


def scope_missing_live(scope: str) -> str:
    """A scope the token was refused: tick it, and authorize again (old tokens never gain it)."""
    return (
        f"The token was refused {scope}: {EDIT_KEY}, tick {scope}{_under(scope)}, Save, then authorize again "
        "(tokens issued before the change do not gain the scope)."
    )


def lti_or_wrong_key(key_id: str) -> str:
    """Every scope missing and the redirect URI unknown: an LTI key, or another key's ID (docs/canvas.md 12)."""
    return (
        f"Every Ally scope is missing and the Ally redirect URI is not on key {key_id}: this is most likely an "
        "LTI key (Canvas forces Enforce Scopes on those) or the ID of another key, not 31 unticked boxes. In "
        "Admin > Developer Keys, use the Ally key listed under API Keys (or create one with + Developer Key > "
        "API Key) and copy the number in its Details column."
    )


def secret_wrong(key_id: str) -> str:
    """key.secret failed: Canvas answered `invalid client`."""
    return (
        f"Canvas says this secret does not belong to key {key_id}. In Admin > Developer Keys, select Show Key "
        "in the Details column of that key and copy the secret again."
    )


def includes_off() -> str:
    """key.allow_includes failed: the include was silently dropped."""
    return f"{EDIT_KEY}, check Allow Include Parameters, then Save."


def not_revoked() -> str:
    """token.revoked failed: how to delete the token by hand."""
    return (
        "Canvas did not confirm that the test token was revoked. It expires within an hour; to remove it now, "
        f'open Account > Settings in Canvas and delete "{PURPOSE}" under Approved Integrations.'
    )


NOT_CHECKED = "Not checked: "


def skipped_until(reason: str) -> str:
    """A row that could not be judged, and what has to happen first."""
    return f"{NOT_CHECKED}{reason}"


def not_canvas_first() -> str:
    """Why the rows after key.exists were not checked when the first answer was not Canvas's (an HTML gate,
    a captive portal, no answer): that row alone carries the cause, once."""
    return f'Canvas did not answer the first request; the row "{TITLES[KEY_EXISTS]}" says what happened instead.'


def not_canvas_scopes() -> str:
    """Why the scope rows were not checked when the answer that judges them was not Canvas's."""
    return f'Canvas did not answer the scope request; the row "{TITLES[KEY_ENFORCE_SCOPES]}" says what happened.'


def _counted(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def verdict(report: Report, *, rows: str, again: str) -> str:
    """The whole run in one sentence: what happened and what to do next, by its overall status.

    The front ends differ only in where the rows are (`rows`: "on step 6", "above") and how to run the check
    again (`again`). A run that stopped, or was refused, before it could judge (`skipped`) says so and why:
    it found nothing wrong, it just did not finish.
    """
    overall = report.overall
    count = report.count(overall)
    them = "it" if count == 1 else "them"
    live = report.get(KEY_SECRET) is not None  # `check --no-login` leaves the live rows out
    if overall is CheckStatus.PASS and not live:
        return (
            "The check without sign-in passed; the secret and what Canvas lets a token do are checked only "
            "with a sign-in."
        )
    if overall is CheckStatus.PASS:
        return "The live check passed: Ally will find what it needs."
    if overall is CheckStatus.WARN:
        return f"The {'live ' if live else ''}check passed with {_counted(count, 'warning')} (see {them} {rows})."
    last = "The last live check" if live else "The check without sign-in"
    if overall is CheckStatus.FAIL:
        return f"{last} found {_counted(count, 'problem')} (see {them} {rows}): fix {them}, then {again}."
    if overall is CheckStatus.ERROR:
        return f"{last} could not judge {_counted(count, 'check')} (see {them} {rows} for why): {again}."
    if overall is CheckStatus.PENDING:
        return f"{last} did not finish: {again}."
    reason = next(
        (
            check.message.removeprefix(NOT_CHECKED)
            for check in report.checks
            if check.status is CheckStatus.SKIPPED and check.id not in ADVISORY_CHECKS
        ),
        "",
    )
    stopped = f"{last} stopped before it could judge the key"
    return f"{stopped}: {reason} Nothing was found wrong so far; {again}." if reason else f"{stopped}: {again}."


PASS_MESSAGES = {
    KEY_EXISTS: "Canvas found the key by its ID (whether it is ON is a row of its own).",
    KEY_REDIRECT_URI: "Registered on the key exactly as Ally sends it.",
    KEY_ENFORCE_SCOPES: "Canvas refused a scope no key can hold, so it checks the key's scopes.",
    KEY_ON: "Canvas accepts the key for this root account.",
    KEY_SECRET: "Canvas exchanged the authorization code with this key ID and secret.",
    KEY_ALLOW_INCLUDES: "A course came back with the term it was asked to include.",
    TOKEN_REVOKED: "Canvas deleted the test token.",
}
