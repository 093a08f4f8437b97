"""Masking for presenter mode and for anything that might be shown or exported.

Trainers project the wizard; a real secret must never reach the screen. These functions are pure so the
screens, the command line and the Markdown export all mask the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

MASK = "•"


def mask_secret(value: str, keep: int = 4) -> str:
    """All but the last `keep` characters replaced (a 64-character secret keeps its length)."""
    if not value:
        return ""
    if len(value) <= keep:
        return MASK * len(value)
    return MASK * (len(value) - keep) + value[-keep:]


def mask_key_id(value: str) -> str:
    """Keep the first two and last two digits of a key ID, mask the middle: enough to tell keys apart."""
    if len(value) <= 4:
        return MASK * len(value)
    return value[:2] + MASK * (len(value) - 4) + value[-2:]


_KEY_ID = re.compile(r"\b\d{10,}\b")


def mask_key_ids(text: str) -> str:
    """`text` with every developer key ID in it (a Canvas global ID: ten digits or more) masked."""
    return _KEY_ID.sub(lambda match: mask_key_id(match.group()), text)


def hide_home(text: str, home: str | None = None) -> str:
    """Replace the user's home folder in `text` by `~`, so a projected path names no account."""
    home_dir = home if home is not None else os.path.expanduser("~")
    if not home_dir or home_dir == os.sep:
        return text
    return text.replace(str(Path(home_dir)), "~")


# Masking what Canvas echoes back. Every row of a run (its message and its evidence) passes through
# `clean_evidence` / `clean_message` in `canvas/rows.py`, the one place evidence is made fit to show or keep;
# they mask first and shorten after, so a cut can never keep the part of a secret a mask would have hidden.
EVIDENCE_MAX = 160
MESSAGE_MAX = 1000
# What may be read from one piece of Canvas text before masking; well above both limits above, so a secret
# cut here leaves at most a fragment that the final shortening drops (or that fragment masking hides).
TEXT_SCAN_MAX = 4000
# Any run of this many characters taken from a hidden value is masked, so a server echoing half a secret,
# or a body cut in the middle of one, keeps no recognisable part of it. Values shorter than
# `_WHOLE_ONLY_BELOW` are masked whole only (a short fragment of them would match ordinary words).
_FRAGMENT = 6
_WHOLE_ONLY_BELOW = 12
# A piece of a hidden value at the very start or end of the text (where a cut falls) is masked from this length.
_EDGE_FRAGMENT = 4
_HIDDEN_MARK = MASK * 8
_MAX_CUTS = 4


def _encodings(value: str) -> set[str]:
    """The forms in which a hidden value may be echoed: raw, URL-encoded (either hex case, + or %20 for a
    space, twice encoded), JSON-escaped and HTML-escaped."""
    import html
    import json
    import re
    from urllib.parse import quote, quote_plus

    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(quote(value, safe=""), safe="")}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form) for form in list(forms)}
    forms |= {json.dumps(value)[1:-1], html.escape(value), html.escape(value, quote=False)}
    return {form for form in forms if form}


def mask_secrets(text: str, hidden: Sequence[str]) -> str:
    """`text` with every hidden value (a secret, token, code or verifier) masked: whole, in any of its
    encodings, and any piece of it of `_FRAGMENT` or more characters (at the edges, `_EDGE_FRAGMENT`)."""
    values = [value for value in hidden if value and len(value) >= 4]
    if not text or not values:
        return text
    covered = bytearray(len(text))
    fragments: set[str] = set()
    for value in values:
        for form in _encodings(value):
            start = text.find(form)
            while start != -1:
                covered[start : start + len(form)] = b"\x01" * len(form)
                start = text.find(form, start + 1)
            if len(value) < _WHOLE_ONLY_BELOW:
                continue
            fragments.update(form[i : i + _FRAGMENT] for i in range(len(form) - _FRAGMENT + 1))
            _mask_cut_edges(text, form, covered)
    if fragments:
        for start in range(len(text) - _FRAGMENT + 1):
            if text[start : start + _FRAGMENT] in fragments:
                covered[start : start + _FRAGMENT] = b"\x01" * _FRAGMENT
    if not any(covered):
        return text
    pieces: list[str] = []
    index = 0
    while index < len(text):
        if covered[index]:
            while index < len(text) and covered[index]:
                index += 1
            pieces.append(_HIDDEN_MARK)
        else:
            end = covered.find(b"\x01", index)
            end = len(text) if end == -1 else end
            pieces.append(text[index:end])
            index = end
    return "".join(pieces)


def _mask_cut_edges(text: str, form: str, covered: bytearray) -> None:
    """Mark a short piece of `form` where the text was cut: at its start and end, and around each `…`."""
    # Our own cuts leave one `…` each (a quote inside a sentence, then the evidence): a few suffice, and a
    # body made of `…` must not make this quadratic.
    marks = [i for i, char in enumerate(text) if char == "…"]
    cuts = sorted(set(marks[:_MAX_CUTS] + marks[-_MAX_CUTS:]))
    ends = [len(text), *cuts]
    starts = [0, *(i + 1 for i in cuts)]
    for end in ends:
        for size in range(_EDGE_FRAGMENT, min(len(form), end) + 1):
            if form.startswith(text[end - size : end]):
                covered[end - size : end] = b"\x01" * size
    for start in starts:
        for size in range(_EDGE_FRAGMENT, min(len(form), len(text) - start) + 1):
            if form.endswith(text[start : start + size]):
                covered[start : start + size] = b"\x01" * size


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with `…` when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_evidence(text: str, hidden: Sequence[str]) -> str:
    """Canvas's words as kept in a row's evidence: hidden values masked, then shortened."""
    return shorten(mask_secrets(text[:TEXT_SCAN_MAX], hidden), EVIDENCE_MAX)


def clean_message(text: str, hidden: Sequence[str]) -> str:
    """A row's message (which may quote Canvas): hidden values masked, then shortened."""
    return shorten(mask_secrets(text[:TEXT_SCAN_MAX], hidden), MESSAGE_MAX)
