"""Check and normalize what the admin types: the Canvas URL, the vendor Client ID and the key ID.

Every function raises `InputError` with one or two plain sentences that say what is wrong and what to
type instead; the screens show it inline and the command line prints it and exits with status 2.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from ally_wizard.recipe import Recipe

MAX_INPUT = 2048
_DIGITS = re.compile(r"^[0-9]+$")
# What copying the Details cell of Developer Keys gives: the label "ID" (or "Key ID") before the number,
# sometimes with a colon and a line break between them.
_DETAILS_LABEL = re.compile(r"^(?:key\s*)?id\s*:?\s*(?=[0-9])", re.IGNORECASE)
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_LOOPBACK_NAMES = {"localhost"}
GLOBAL_ID_SHARD = 10**13
MAX_GLOBAL_ID = 2**53


class InputError(ValueError):
    """Something the admin typed that cannot be used; the message says how to fix it."""


def _check_plain(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InputError(f"The {what} is empty. Type or paste it.")
    if len(text) > MAX_INPUT:
        raise InputError(f"The {what} is {len(text)} characters long, which cannot be right. Paste it again.")
    for char in text:
        if ord(char) > 127:
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise InputError(
                f"The {what} contains {char!r} ({name.title()}), which only looks like a plain character. "
                "Type it by hand rather than pasting it."
            )
    return text


def _echo(text: str) -> str:
    """What was typed, quoted for a message, unless it is long: a secret pasted into the wrong field must
    not be repeated in the error shown under it."""
    return repr(text) if len(text) <= 24 else f"the {len(text)} characters typed"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where the simulated Canvas runs."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_canvas_url(value: str) -> str:
    """Turn what the admin pasted (a host, a base URL, or any Canvas page URL) into `https://host[:port]`.

    `http://` is refused except on loopback, where the simulated Canvas runs: a developer key secret
    must never cross a network in clear text.
    """
    text = _check_plain(value, "Canvas address")
    if any(char.isspace() for char in text):
        raise InputError("The Canvas address contains a space. Paste only the address, such as canvas.school.edu.")
    if re.search(r"\[[A-Za-z]", text):
        raise InputError("The Canvas address still holds a [placeholder]. Type your institution's Canvas host.")
    if "://" not in text:
        if text.startswith("/"):
            raise InputError("The Canvas address starts with a path. Type the host, such as canvas.school.edu.")
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InputError(
            f"The Canvas address is not a valid URL ({exc}). Type the host, such as canvas.school.edu."
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(f"The Canvas address uses {scheme}://; Canvas is reached over https://.")
    if parts.username is not None or parts.password is not None:
        raise InputError("The Canvas address holds a user name or password. Remove the part before @.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise InputError("The Canvas address has no host name. Type it like canvas.school.edu.")
    if port == 0:
        raise InputError("The Canvas address has port 0, which nothing listens on. Remove :0 or type the real port.")
    loopback = is_loopback(host)
    if not loopback:
        _check_host_name(host)
    if scheme == "http" and not loopback:
        raise InputError("The Canvas address uses http://, which would send the key secret unencrypted. Use https://.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and not (scheme == "https" and port == 443) and not (scheme == "http" and port == 80):
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"


def _check_host_name(host: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise InputError(f"{host} is an IP address. Canvas answers on its host name, such as canvas.school.edu.")
    if len(host) > 253:
        raise InputError("The Canvas host name is longer than 253 characters. Check what was pasted.")
    labels = host.split(".")
    if len(labels) < 2:
        raise InputError(f"{host!r} is not a full host name. Type it like canvas.school.edu.")
    for label in labels:
        if not _LABEL.match(label):
            raise InputError(f"{host!r} is not a host name: {label!r} may hold only letters, digits and inner hyphens.")
    if labels[-1].isdigit():
        raise InputError(f"{host!r} is not a host name. Type it like canvas.school.edu.")


def test_or_beta_warning(canvas_url: str) -> str | None:
    """A warning when the host is an Instructure test or beta instance, where the key does not belong."""
    host = urlsplit(canvas_url).hostname or ""
    for kind in ("test", "beta"):
        if host.endswith(f".{kind}.instructure.com"):
            return (
                f"This is a {kind} instance. Instructure copies production over {kind} regularly, which "
                "replaces keys made there; create the key in production and it reaches "
                f"{kind} with the next refresh."
            )
    return None


def parse_client_id(value: str, label: str = "Ally Client ID") -> str:
    """Check the vendor Client ID: a positive whole number, nothing else."""
    text = _check_plain(value, label)
    if "[" in text or "]" in text:
        raise InputError(
            f"The {label} still holds the placeholder {_echo(text)}. Type the number your vendor gave you."
        )
    if "://" in text or "/" in text:
        found = re.search(r"/api/v2/([0-9]+)/", text)
        hint = f" (here it is {found.group(1)})" if found else ""
        raise InputError(f"That looks like a whole URI. Type only the {label}{hint}.")
    if any(char.isspace() for char in text):
        raise InputError(f"The {label} contains a space. Type only the number.")
    if not _DIGITS.match(text):
        raise InputError(f"The {label} must be a whole number, such as 1234; {_echo(text)} is not.")
    if int(text) == 0:
        raise InputError(f"The {label} must be a positive number; 0 is not a Client ID.")
    if text.startswith("0"):
        raise InputError(f"The {label} must not start with 0. Type it exactly as your vendor gave it.")
    if len(text) > 18:
        raise InputError(f"The {label} is {len(text)} digits long, which is not a Client ID. Check it.")
    return text


def redirect_uri(recipe: Recipe, environment_id: str, client_id: str) -> str:
    """The exact redirect URI for this environment and Client ID, from the recipe's template."""
    try:
        env = recipe.environment(environment_id)
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from None
    checked = parse_client_id(client_id, recipe.client_id_label)
    return recipe.redirect_uri_template.replace("[AllyEnvironment]", env.host).replace("[ClientId]", checked)


def parse_key_id(value: str) -> int:
    """Check a developer key ID as a Canvas global ID (shard x 10^13 + local id); a local ID is refused with
    the form to copy instead (docs/canvas.md 6.6)."""
    text = _DETAILS_LABEL.sub("", _check_plain(value, "developer key ID"))
    if any(char.isspace() for char in text):
        raise InputError("The developer key ID contains a space. Copy only the number from the Details column.")
    if not _DIGITS.match(text):
        raise InputError(
            f"The developer key ID must be a number such as 170000000000123; {_echo(text)} is not. "
            "Copy it from the Details column of Developer Keys."
        )
    number = int(text)
    if number >= MAX_GLOBAL_ID:
        raise InputError("The developer key ID is too large for a Canvas ID. Copy it again from the Details column.")
    if 0 < number < GLOBAL_ID_SHARD:
        # Refused, not taken: Canvas resolves a local ID on the root account's shard only, while Ally's page,
        # the Details column and the key list use the global one, and the shard is unknown before sign-in
        # (docs/canvas.md 6.6).
        raise InputError(
            f"{text} looks like a local key ID (or a count of keys). Copy the full ID from the Details column "
            f"instead, 14 or more digits (local key {text} on shard 17 is {17 * GLOBAL_ID_SHARD + number}): it is "
            "the one Ally's configuration page takes."
        )
    if number % GLOBAL_ID_SHARD == 0:
        raise InputError(
            f"{text} is not a Canvas developer key ID: those have 14 or more digits, such as 170000000000123. "
            "Copy the number in the Details column, not the count of keys."
        )
    return number


def suggested_owner_email(canvas_url: str) -> str:
    """The Owner Email suggested on step 3: a shared mailbox at the institution's domain, so the key outlives
    any one admin's account."""
    host = urlsplit(canvas_url).hostname or ""
    labels = host.split(".")
    domain = ".".join(labels[-2:]) if len(labels) >= 2 else "school.edu"
    if host.endswith(".instructure.com") or host.replace(".", "").isdigit() or host == "localhost":
        domain = "your-institution.edu"  # no institution domain to go by (a hosted name, or the demo's loopback)
    return f"lms-admins@{domain}"
