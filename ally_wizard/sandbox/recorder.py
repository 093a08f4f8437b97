"""What the simulated Canvas received, so tests can ask what a client did: every request's method,
path, query and form fields (secret values redacted), whether `replace_tokens` was sent, and the
status it got.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"secret|token|password|code_verifier|api_key|^code$", re.IGNORECASE)
_PLAIN_NAMES = {"replace_tokens", "token_type", "grant_type"}


def redact(name: str, value: str) -> str:
    """The value, or `[redacted]` when the field's name says it holds a secret, token or code."""
    if name in _PLAIN_NAMES or not _SECRET_NAME.search(name):
        return value
    return REDACTED


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the sandbox received it, safe to print."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    form: tuple[tuple[str, str], ...]
    replace_tokens: bool
    status: int
    authorization: str | None  # "Bearer", "Basic", or None

    def field(self, name: str) -> str | None:
        """The last value of a query or form field (redacted if secret)."""
        found = [value for key, value in (*self.query, *self.form) if key == name]
        return found[-1] if found else None

    @property
    def is_write(self) -> bool:
        """A method that could change something."""
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


def record(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    form: dict[str, list[str]],
    status: int,
    authorization: str | None,
) -> RecordedRequest:
    """A redacted record of a request (form holds the body fields only)."""
    fields = tuple((key, redact(key, value)) for key, values in form.items() for value in values)
    return RecordedRequest(
        method=method,
        path=path,
        query=tuple((key, redact(key, value)) for key, value in query),
        form=fields,
        replace_tokens=any(key == "replace_tokens" for key, _ in (*query, *fields)),
        status=status,
        authorization=authorization,
    )
