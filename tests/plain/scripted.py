"""A scripted admin for plain mode: answers one line per prompt and records every prompt it was shown."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from ally_wizard.plain.console import Console

# Any escape (CSI, OSC...) and any other control character but the newline.
ESCAPES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


class ScriptedAdmin(io.TextIOBase):
    """Standard input that answers from a list; each `readline` notes the prompt line it answered."""

    def __init__(self, answers: Iterable[str]) -> None:
        super().__init__()
        self.answers = list(answers)
        self.out = io.StringIO()
        self.prompts: list[str] = []
        self.secret_prompts: list[str] = []

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.prompts.append(self.out.getvalue().rsplit("\n", 1)[-1])
        if not self.answers:
            return ""  # input ended
        answer = self.answers.pop(0)
        self.out.write(answer + "\n")  # as a terminal echoes it
        return answer + "\n"

    def read_secret(self, prompt: str) -> str:
        self.out.write(prompt)
        self.secret_prompts.append(prompt)
        self.prompts.append(prompt)
        answer = self.answers.pop(0) if self.answers else ""
        self.out.write("\n")  # getpass echoes nothing but the newline
        return answer

    def console(self) -> Console:
        return Console(self, self.out, read_secret=self.read_secret)

    @property
    def output(self) -> str:
        return self.out.getvalue()
