"""Masking for presenter mode and for anything that might be shown or exported.

Trainers project the wizard; a real secret must never reach the screen. These functions are pure so the
screens, the command line and the Markdown export all mask the same way.
"""

from __future__ import annotations

import os
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


def hide_home(text: str, home: str | None = None) -> str:
    """Replace the user's home folder in `text` by `~`, so a projected path names no account."""
    home_dir = home if home is not None else os.path.expanduser("~")
    if not home_dir or home_dir == os.sep:
        return text
    return text.replace(str(Path(home_dir)), "~")
