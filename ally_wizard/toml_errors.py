"""Turn a `tomllib.TOMLDecodeError` into a reason and a line number an admin can act on.

Python 3.11's error carries the position only inside its message ("... (at line 9, column 21)"); newer
versions also set `lineno`. Both recipe files and profiles report through this one function.
"""

from __future__ import annotations

import re
import tomllib

_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$|\s*\(at end of document\)\s*$")


def describe_toml_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """(the parser's reason without the position, the line it points at or None)."""
    message = str(exc.args[0]) if exc.args else str(exc)
    line = getattr(exc, "lineno", None)
    match = _POSITION.search(message)
    if match:
        if line is None and match.group(1):
            line = int(match.group(1))
        message = message[: match.start()]
    return message, line
