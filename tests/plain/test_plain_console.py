"""Plain mode's prompts: one question per line, defaults with Enter, the four words, and nothing but text."""

from __future__ import annotations

import pytest

from ally_wizard.inputs import InputError, parse_client_id
from ally_wizard.plain import DUMB_TERMINAL_NOTE, plain_requested
from ally_wizard.plain.console import GoBack, Quit, printable, question_line
from tests.plain.scripted import ESCAPES, ScriptedAdmin


def test_a_prompt_ends_with_its_question_and_shows_the_default() -> None:
    assert question_line("What is the Canvas address", "https://canvas.school.edu") == (
        "What is the Canvas address (Enter for https://canvas.school.edu)? "
    )
    assert question_line("Which setup?") == "Which setup? "


def test_enter_takes_the_default() -> None:
    admin = ScriptedAdmin([""])
    assert admin.console().ask("What is the Ally Client ID", parse_client_id, default="1234") == "1234"


def test_a_refused_answer_prints_the_validators_message_and_asks_again() -> None:
    admin = ScriptedAdmin(["[ClientId]", "1234"])
    assert admin.console().ask("What is the Ally Client ID", parse_client_id) == "1234"
    with pytest.raises(InputError) as refused:
        parse_client_id("[ClientId]")
    assert (
        "\nThe Ally Client ID still holds the placeholder '[ClientId]'.\nType the number your vendor gave you.\n"
        in (admin.output)
    )
    assert (
        str(refused.value)
        == "The Ally Client ID still holds the placeholder '[ClientId]'. Type the number your vendor gave you."
    )
    assert admin.prompts == ["What is the Ally Client ID? "] * 2


def test_help_and_status_answer_and_ask_again() -> None:
    admin = ScriptedAdmin(["help", "status", "2"])
    console = admin.console()
    console.on_help = lambda: console.say("HELP SHOWN")
    console.on_status = lambda: console.say("STATUS SHOWN")
    assert console.choose("Which one", ["first", "second"]) == 1
    assert "1. first\n2. second\n" in admin.output
    assert "HELP SHOWN" in admin.output and "STATUS SHOWN" in admin.output
    assert admin.prompts == ["Which one, 1 to 2? "] * 3


def test_back_and_quit_leave_the_question() -> None:
    with pytest.raises(GoBack):
        ScriptedAdmin(["back"]).console().ask_text("What name")
    with pytest.raises(Quit) as stop:
        ScriptedAdmin(["quit"]).console().ask_text("What name")
    assert not stop.value.input_ended


def test_the_end_of_input_quits() -> None:
    with pytest.raises(Quit) as stop:
        ScriptedAdmin([]).console().ask_text("What name")
    assert stop.value.input_ended


def test_yes_no_and_words() -> None:
    admin = ScriptedAdmin(["maybe", "y", "", "LIST"])
    console = admin.console()
    assert console.yes_no("Finish the setup") is True
    assert "Type yes or no." in admin.output
    assert console.yes_no("Write a summary", default=False) is False
    assert console.word("Accounts: 4 scopes, ticked all", ("yes", "no", "list")) == "list"
    assert admin.prompts[-1] == "Accounts: 4 scopes, ticked all, yes, no or list? "


def test_nothing_printed_carries_an_escape_sequence() -> None:
    admin = ScriptedAdmin([])
    console = admin.console()
    console.say("Canvas said \x1b[31mred\x1b[0m and \x1b]52;c;Zm9v\x07 and \x9b2J")
    assert not ESCAPES.search(admin.output)
    assert printable("a\x1b[2Jb") == "a[2Jb"


def test_the_secret_is_read_without_echo() -> None:
    admin = ScriptedAdmin(["s3cret-value"])
    assert admin.console().ask_text("Paste the secret", secret=True) == "s3cret-value"
    assert "s3cret-value" not in admin.output


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (True, {}, (True, None)),
        (False, {"ALLY_WIZARD_PLAIN": "1"}, (True, None)),
        (False, {"TERM": "dumb"}, (True, DUMB_TERMINAL_NOTE)),
        (False, {"TERM": "dumb", "ALLY_WIZARD_PLAIN": "0"}, (False, None)),
        (False, {"TERM": "xterm-256color"}, (False, None)),
    ],
)
def test_when_plain_mode_is_chosen(flag: bool, environ: dict[str, str], expected: tuple[bool, str | None]) -> None:
    assert plain_requested(flag, environ) == expected


def test_each_sentence_is_a_line_of_its_own() -> None:
    admin = ScriptedAdmin([])
    admin.console().say("No secret yet: the live check on step 6 needs it. You can paste it later.", "1. Go on")
    assert admin.output == "No secret yet: the live check on step 6 needs it.\nYou can paste it later.\n1. Go on\n"
