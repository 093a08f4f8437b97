"""Text from Canvas or a hand-edited profile reaches the terminal without control characters."""

from __future__ import annotations

import argparse
import json

import pytest

from ally_wizard.commands import profiles
from ally_wizard.profile import Profile
from ally_wizard.store import HOME_ENV, ProfileStore
from ally_wizard.terminal_text import json_for_terminal, printable

HOSTILE = "Ada\x1b]0;owned\x07 Admin\x1b[2J\x1b[1A\r\x9b31m\u202eevil\x00"


def test_printable_removes_every_control_character() -> None:
    assert printable(HOSTILE) == "Ada]0;owned Admin[2J[1A31mevil"


def test_printable_keeps_one_line_and_ordinary_unicode() -> None:
    assert printable("Zoë\tO'Brien\nline two ✓") == "Zoë O'Brien line two ✓"


def test_json_for_terminal_escapes_what_a_terminal_acts_on_and_stays_valid_json() -> None:
    text = json_for_terminal({"name": HOSTILE, "plain": "Zoë ✓"})
    assert not any((ord(char) < 0x20 and char != "\n") or 0x7F <= ord(char) <= 0x9F for char in text)
    assert "\u202e" not in text
    assert json.loads(text) == {"name": HOSTILE, "plain": "Zoë ✓"}


@pytest.mark.parametrize("as_json", [False, True])
def test_profiles_listing_prints_no_escape_from_a_hand_edited_profile(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    store = ProfileStore()
    loaded = store.create(Profile("prod", canvas_url="https://canvas.school.edu"))
    path = store.path("prod")
    path.write_text(path.read_text().replace("https://canvas.school.edu", "\\u001b]0;owned\\u0007\\u001b[2J"))
    assert loaded  # created above, edited by hand since
    profiles.run(argparse.Namespace(json=as_json))
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
