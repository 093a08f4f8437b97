"""A field the wizard saves: an `Input` checked by a validator, with its ✓/✗ line under it.

The one place where what the admin types is checked and the verdict shown. A field posts `Accepted` only
for a value that passes its check, so the screen saves nothing else: a stray keystroke ("?" over a selected
address) leaves the saved value alone, and `EditStarted` lets the screen keep an undo of the step's fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual import on
from textual.containers import Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Static

from ally_wizard.inputs import InputError

if TYPE_CHECKING:
    from textual.app import ComposeResult

T = TypeVar("T")


class Parsed(Validator, Generic[T]):
    """A validator that runs one of `ally_wizard.inputs`' parsers; its InputError is the failure shown."""

    def __init__(self, parse: Callable[[str], T]) -> None:
        super().__init__()
        self.parse = parse

    def validate(self, value: str) -> ValidationResult:
        """Valid when the parser accepts the value."""
        try:
            self.parse(value)
        except InputError as exc:
            return self.failure(str(exc), value)
        return self.success()


class CheckedField(Vertical, Generic[T]):
    """An input and its verdict line: "✓ <what it means>" or "✗ <what to fix>", nothing while empty.

    The input keeps its id (the screen's selectors and tests use it); the verdict line is `<id>-message`.
    Focus does not select the text, so a first keystroke adds to the value instead of replacing it.
    """

    DEFAULT_CSS = """
    CheckedField { height: auto; }
    CheckedField > .verdict { height: auto; }
    """

    class EditStarted(Message):
        """The admin began changing this field; `saved` is the value it held before (for undo)."""

        def __init__(self, field: CheckedField[Any], saved: str) -> None:
            super().__init__()
            self.field = field
            self.saved = saved

        @property
        def control(self) -> CheckedField[Any]:
            """The field (so `@on(..., "#id-field")` can select it)."""
            return self.field

    class Accepted(Message):
        """The field holds a value that passes its check: `value` is it, normalized (save this)."""

        def __init__(self, field: CheckedField[Any], value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> CheckedField[Any]:
            """The field (so `@on(..., "#id-field")` can select it)."""
            return self.field

    def __init__(
        self,
        value: str,
        *,
        parse: Callable[[str], T],
        describe: Callable[[T], str],
        input_id: str,
        placeholder: str = "",
        password: bool = False,
    ) -> None:
        super().__init__(id=f"{input_id}-field")
        self.parse = parse
        self.describe = describe
        self.input_id = input_id
        self.saved = value
        """The value last accepted (what the profile holds)."""
        self._editing = False
        self._initial = value
        self._placeholder = placeholder
        self._password = password

    def compose(self) -> ComposeResult:
        """The input, then its verdict line."""
        yield Input(
            self._initial,
            placeholder=self._placeholder,
            id=self.input_id,
            compact=True,
            password=self._password,
            validators=[Parsed(self.parse)],
            select_on_focus=False,
        )
        yield Static("", id=f"{self.input_id}-message", classes="verdict", markup=False)

    def on_mount(self) -> None:
        """The verdict on what the profile already holds (nothing for an empty field)."""
        self.check(show_empty=False)

    @property
    def input(self) -> Input:
        """The text field."""
        return self.query_one(f"#{self.input_id}", Input)

    def check(self, *, show_empty: bool = True) -> T | None:
        """Check the value now and show the verdict; the parsed value, or None when it is not usable."""
        verdict = self.query_one(".verdict", Static)
        text = self.input.value
        if not text.strip() and not show_empty:
            verdict.update("")
            verdict.set_classes("verdict")
            return None
        try:
            parsed = self.parse(text)
        except InputError as exc:
            verdict.update(f"✗ {exc}")
            verdict.set_classes("verdict inline-error")
            return None
        verdict.update(f"✓ {self.describe(parsed)}")
        verdict.set_classes("verdict inline-ok")
        return parsed

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        """Show the verdict; announce the start of an edit and every value that passes."""
        event.stop()
        if not self._editing and event.value != self.saved:
            self._editing = True
            self.post_message(self.EditStarted(self, self.saved))
        parsed = self.check(show_empty=False)
        if parsed is not None and event.validation_result is not None and event.validation_result.is_valid:
            self.saved = str(parsed)
            self.post_message(self.Accepted(self, self.saved))

    @on(Input.Blurred)
    def _blurred(self) -> None:
        """Leaving the field ends the edit: the next change starts a new undo step."""
        self._editing = False

    def restore(self, value: str) -> None:
        """Put back a value the field held before (undo), and have it saved again even if it is empty."""
        self._editing = False
        self.saved = value  # the Changed this causes is then not a new edit
        self.input.value = value
        self.post_message(self.Accepted(self, value))
