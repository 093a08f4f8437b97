"""Plain mode's line-by-line input and output: one idea per line, one question per prompt.

Built for screen readers and for terminals that cannot draw the wizard (TERM=dumb, a serial console, a CI
log). Nothing here moves the cursor, draws a box or colours anything: every line is printed once, in full,
and every control character (the escape that would start a CSI or OSC sequence included) is removed from
what is printed, whatever its source (a profile on disk, Canvas's own words). Prompts are read with
`readline()` on the input stream rather than `input()`, which would hand the terminal to GNU readline and
its escape sequences (bracketed paste) once anything had imported the `readline` module.

At every prompt the admin may type `help`, `back`, `status` or `quit`: help and status are answered and
the question asked again; back and quit leave the question by raising `GoBack` or `Quit`.
"""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, TypeVar

from ally_wizard.inputs import InputError
from ally_wizard.terminal_text import printable

T = TypeVar("T")
# A sentence ends at a full stop after a word or a closing bracket or quote and before a capital; "1. Go",
# "e.g. 1234" and "Step 4 of 7: Scopes" go on.
_SENTENCE_END = re.compile(r"(?<=[a-z)'\"][.!?])\s+(?=[A-Z])")

COMMAND_WORDS = ("help", "back", "status", "quit")
YES = ("yes", "y")
NO = ("no", "n")


class GoBack(Exception):
    """The admin typed `back`: leave this step for the one before."""


class Quit(Exception):
    """The admin typed `quit`, pressed Ctrl+D, or the input ended, or a signal stopped a check: stop, with
    everything saved. `signal` names the signal (such as "Ctrl+C"); the exit code then says it was one."""

    def __init__(self, *, input_ended: bool = False, signal: str | None = None) -> None:
        super().__init__("quit")
        self.input_ended = input_ended
        self.signal = signal


def quiet_broken_pipe() -> int:
    """After standard output was closed by its reader: point it at /dev/null so that the interpreter's
    final flush raises nothing either, and return the exit code for problems."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 1


def question_line(question: str, default: str | None = None) -> str:
    """A prompt that ends with the question it asks: `What is the Canvas address (Enter for X)? `."""
    text = question.rstrip().rstrip("?")
    if default:
        text += f" (Enter for {default})"
    return f"{text}? "


class Console:
    """Prints lines and asks questions on a pair of text streams (the terminal, or a test's streams).

    `on_help` and `on_status` are set by the wizard for the step being shown; they print their own lines.
    `read_secret` reads a line without echoing it (`getpass` on a terminal).
    """

    def __init__(
        self,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        *,
        read_secret: Callable[[str], str] | None = None,
    ) -> None:
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self._read_secret = read_secret
        self.on_help: Callable[[], None] = lambda: None
        self.on_status: Callable[[], None] = lambda: None

    # -- output -------------------------------------------------------------------------------------

    def say(self, *lines: str) -> None:
        """Print each line, one sentence per line (a screen reader moves line by line), control characters
        removed; a line holding newlines becomes several."""
        for line in lines:
            for part in line.split("\n"):
                for sentence in _SENTENCE_END.split(part):
                    self.stdout.write(printable(sentence) + "\n")
        self.stdout.flush()

    def blank(self) -> None:
        """An empty line between blocks (screen readers pass over it; eyes use it)."""
        self.stdout.write("\n")
        self.stdout.flush()

    def numbered(self, items: Sequence[str], start: int = 1) -> None:
        """One line per item: `1. US data center, prod.ally.ac`."""
        self.say(*(f"{number}. {item}" for number, item in enumerate(items, start=start)))

    # -- input --------------------------------------------------------------------------------------

    def _read_line(self, prompt: str) -> str:
        self.stdout.write(printable(prompt))
        self.stdout.flush()
        try:
            line = self.stdin.readline()
        except OSError:  # the terminal went away (EIO after a hang-up): as if the input ended
            line = ""
        if not line:
            self.stdout.write("\n")
            raise Quit(input_ended=True)
        return line.rstrip("\r\n")

    def _secret_line(self, prompt: str) -> str:
        if self._read_secret is not None:
            return self._read_secret(prompt)
        if self.stdin is sys.stdin and sys.stdin.isatty():
            try:
                return getpass.getpass(printable(prompt))
            except EOFError:
                raise Quit(input_ended=True) from None
        # Not a terminal (a pipe): nothing is echoed anyway, and getpass would warn that it cannot hide it.
        return self._read_line(prompt)

    def _command(self, answer: str) -> bool:
        """Answer `help` and `status` here (True: ask again); raise for `back` and `quit`."""
        word = answer.strip().lower()
        if word in ("help", "?"):
            self.on_help()
            return True
        if word == "status":
            self.on_status()
            return True
        if word == "back":
            raise GoBack
        if word in ("quit", "exit"):
            raise Quit
        return False

    def ask(
        self,
        question: str,
        parse: Callable[[str], T],
        *,
        default: str | None = None,
        secret: bool = False,
    ) -> T:
        """Ask until `parse` accepts the answer; Enter takes `default` (shown in the question).

        `parse` raises `InputError` (or `ValueError`) with the message to print; the question is then
        asked again.
        """
        prompt = question_line(question, default)
        while True:
            answer = self._secret_line(prompt) if secret else self._read_line(prompt)
            if self._command(answer):
                continue
            text = answer.strip()
            if not text and default is not None:
                text = default
            try:
                return parse(text)
            except (InputError, ValueError) as exc:
                self.say(str(exc))

    def ask_text(self, question: str, *, default: str | None = None, secret: bool = False) -> str:
        """A free answer (empty allowed only when there is a default, which may be the empty string)."""

        def parse(text: str) -> str:
            if not text and default is None:
                raise InputError("Type an answer, or help, back, status or quit.")
            return text

        return self.ask(question, parse, default=default, secret=secret)

    def choose(self, question: str, options: Sequence[str], *, default: int | None = None) -> int:
        """Numbered choices, each on its own line; returns the index (0-based) of the one chosen."""
        self.numbered(options)
        count = len(options)

        def parse(text: str) -> int:
            if text.isdigit() and 1 <= int(text) <= count:
                return int(text) - 1
            raise InputError(f"Type a number from 1 to {count}.")

        return self.ask(
            f"{question.rstrip('?')}, 1 to {count}", parse, default=None if default is None else str(default + 1)
        )

    def word(self, question: str, words: Sequence[str], *, default: str | None = None) -> str:
        """One of a few words (`yes`, `no`, `list`...); `y` and `n` stand for yes and no."""

        def parse(text: str) -> str:
            word = text.strip().lower()
            if word in YES and "yes" in words:
                return "yes"
            if word in NO and "no" in words:
                return "no"
            if word in words:
                return word
            raise InputError(f"Type {_or_list(words)}.")

        return self.ask(f"{question.rstrip('?')}, {_or_list(words)}", parse, default=default)

    def yes_no(self, question: str, *, default: bool | None = None) -> bool:
        """A yes or no answer."""
        chosen = self.word(question, ("yes", "no"), default=None if default is None else ("yes" if default else "no"))
        return chosen == "yes"


def _or_list(words: Sequence[str]) -> str:
    """`yes, no or list`."""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + f" or {words[-1]}"
