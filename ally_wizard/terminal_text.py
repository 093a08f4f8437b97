"""Text from outside (Canvas's answers, a profile edited by hand) made safe to print on a terminal.

A user name or an error page from Canvas may hold escape sequences that set the window title, clear the
screen or rewrite the line above; every command-line print of such text goes through `printable`, and
every JSON document printed goes through `json_for_terminal`. The TUI shows the same text literally.
"""

from __future__ import annotations

import json
import re

# C0 controls (ESC among them), DEL, the C1 controls (0x9b is a one-byte CSI), the line and paragraph
# separators, and the bidirectional overrides and isolates that can make a line read backwards.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("[\t\n]+")
# What JSON leaves unescaped with ensure_ascii=False, yet a terminal may act on.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` on one line with no control characters: tabs and line breaks become a space, the rest go."""
    return _CONTROL.sub("", _BREAKS.sub(" ", text))


def json_for_terminal(document: object) -> str:
    """`document` as indented JSON, with every character a terminal could act on written as `\\uXXXX`."""
    dumped = json.dumps(document, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)
