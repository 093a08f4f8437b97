"""What `?` shows on each step: why the step exists and what commonly goes wrong there.

Written for an admin who has never read Ally's help page; the failure modes come from
docs/canvas.md section 10.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StepHelp:
    """The help for one step."""

    why: str
    pitfalls: tuple[str, ...]


HELP: dict[str, StepHelp] = {
    "start": StepHelp(
        why=(
            "Ally reads your courses through a Canvas API developer key that you create and then hand "
            "to Ally. A profile remembers one Canvas instance and how far its setup has got, so you can "
            "stop at any point and come back. The key secret is never saved: it lives only in memory "
            "while the wizard runs."
        ),
        pitfalls=(
            "Several Canvas instances (production, a second institution): make one profile for each.",
            "A profile that cannot be read is moved aside and listed here; nothing is overwritten.",
            "Two wizards editing the same profile: the second save is refused rather than losing changes.",
            "Ally stopped syncing? Highlight the setup and press F6: an audit with an admin token names "
            "every drift of the key, without changing anything.",
        ),
    ),
    "canvas": StepHelp(
        why=(
            "The key is made on your institution's Canvas, and the redirect URI Canvas must accept "
            "depends on which Ally data centre hosts your institution and on your Ally Client ID. "
            "Both come from Ally (your Ally configuration page or Ally support)."
        ),
        pitfalls=(
            "Making the key on a test or beta instance: Instructure overwrites those from production, "
            "so the key disappears. Make it in production; it reaches test and beta with the next refresh.",
            "Choosing the wrong data centre: the redirect URI then points at the wrong host and "
            "Canvas refuses the authorization with 'redirect_uri does not match client settings'.",
            "Pasting the whole redirect URI into the Client ID field: type only the number.",
            "A key pressed by mistake in a field: only a usable value is ever saved, and Ctrl+Z puts back "
            "the value the field held before the edit.",
            "Not sure of either value: Detect from Canvas (ctrl+t) reads them from your Canvas theme's "
            "ALLY_CFG, if your institution already runs Ally.",
        ),
    ),
    "create_key": StepHelp(
        why=(
            "Canvas only lets an integration use a key that an admin created on the root account. "
            "The redirect URI tells Canvas where to send Ally back after someone authorizes it; "
            "Enforce Scopes limits the key to the scopes Ally needs. Create it for me (F8) makes the key "
            "through the Developer Keys API with a root admin's token, after showing the plan; the token is "
            "used once and never saved, and the new secret stays in memory for steps 5 and 7."
        ),
        pitfalls=(
            "Creating the key on a sub-account: Developer Keys exists only on the root account.",
            "A typo or a trailing space in the redirect URI: copy it from here rather than typing it.",
            "Forgetting Allow Include Parameters: nothing fails, but Ally silently gets less data.",
            "Choosing LTI Key instead of API Key.",
        ),
    ),
    "scopes": StepHelp(
        why=(
            "With Enforce Scopes on, the key may call only the API endpoints you tick. Ally needs "
            "exactly these 31; a missing one makes Ally's own check fail at the end."
        ),
        pitfalls=(
            "Missing one scope in a long list: filter by section and tick them as you go; after Ctrl+R, "
            "s shows only the missing ones (again: not checked, verified, all), and c copies a scope string.",
            "Old scope names from outdated documents (such as .../pages/:url): use the strings shown here.",
            "Adding scopes to a key that was already authorized: existing tokens do not gain them; authorize again.",
            "'Check now' needs the key ID from step 5: the key only gets an ID once you select Save.",
        ),
    ),
    "activate": StepHelp(
        why=(
            "A new key is saved OFF, and an OFF key cannot be authorized. Ally needs the key ID and "
            "the secret; the wizard needs them too, to check the key the way Ally will use it."
        ),
        pitfalls=(
            "Leaving the key OFF: authorization fails with 'Client does not have access to the "
            "specified Canvas account'.",
            "Copying the number of keys or another column instead of the ID in the Details column.",
            "Copying only part of the secret: it is normally 64 characters.",
        ),
    ),
    "authorize": StepHelp(
        why=(
            "This runs the same authorization Ally will run, so problems show up here, with their "
            "fix, instead of in Ally. It never changes anything in Canvas, and the token it obtains "
            "is revoked at the end."
        ),
        pitfalls=(
            "Pasting the code instead of the whole address: copy the full URL from the browser's "
            "address bar after selecting Authorize.",
            "Waiting too long: the code in that address is valid for 10 minutes and works once.",
            "Being signed in to Canvas as a user without admin rights: the token then cannot prove "
            "the scopes; sign in as an admin.",
            "With a root admin's personal access token, Audit (F6) reads the key's real settings instead "
            "(extra scopes, other redirect URIs, whether Ally uses it); it changes nothing and saves no token. "
            "Repair (F7) then mends what it found, after showing the plan.",
            "Removing a scope from a key makes Canvas delete every token of the key: Ally must then be "
            "authorized again. Repair keeps scopes Ally does not need unless you choose otherwise.",
        ),
    ),
    "handoff": StepHelp(
        why=(
            "Ally stores the key ID and secret and authorizes itself. The summary you export here "
            "records what was checked and when, without the secret, for your change records."
        ),
        pitfalls=(
            "Closing the wizard before pasting the secret into Ally: the secret is not saved; use "
            "Show Key in Canvas to see it again.",
            "Authorizing Ally as a user who later leaves: prefer a long-lived admin account.",
        ),
    ),
}
