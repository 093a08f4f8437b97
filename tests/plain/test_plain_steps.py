"""Plain mode's steps, answered by a scripted admin: what is asked, what is saved, where a setup resumes."""

from __future__ import annotations

import subprocess
import sys

from ally_wizard.plain.wizard import PlainWizard
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepState
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore
from tests.plain.scripted import ESCAPES, ScriptedAdmin
from tools.samples import STOPPED_REASON, sample_profile, stopped_report

KEY_ID = "170000000000123"
SECRET = "x" * 64


def run(store: ProfileStore, answers: list[str], name: str | None = None) -> tuple[int, ScriptedAdmin]:
    admin = ScriptedAdmin(answers)
    code = PlainWizard(store, admin.console(), name).run()
    return code, admin


def assert_plain(admin: ScriptedAdmin) -> None:
    """No escape sequence anywhere, and every prompt line ends with its question mark."""
    assert not ESCAPES.search(admin.output)
    assert admin.prompts
    for prompt in admin.prompts:
        assert prompt.endswith("? "), prompt


def test_steps_one_to_five_save_what_is_typed_and_quit_keeps_it(store: ProfileStore) -> None:
    answers = [
        "",  # step 1: the suggested name, production
        "canvas.school.edu/courses/1",
        "1",
        "1234",
        "",  # step 3: Key Name, suggested
        "",  # Owner Email, suggested
        "yes",
        "1",  # step 4: section by section
        *["yes"] * len(default_recipe().sections),
        "102",  # step 5: a local key ID is refused as in the wizard and `check`, with the ID to copy instead
        KEY_ID,
        SECRET,
        "quit",
    ]
    code, admin = run(store, answers)
    assert code == 0
    assert_plain(admin)
    assert "102 looks like a local key ID" in admin.output
    profile = store.load("production").profile
    assert (profile.canvas_url, profile.environment, profile.client_id) == ("https://canvas.school.edu", "us", "1234")
    assert (profile.key_name, profile.owner_email) == ("Anthology Ally", "lms-admins@school.edu")
    assert profile.key_id == KEY_ID
    assert all(profile.scope_status(s) is ScopeStatus.TICKED for s in default_recipe().scope_strings)
    assert [profile.steps[s].state for s in StepId] == [StepState.DONE] * 4 + [StepState.IN_PROGRESS] + [
        StepState.NOT_STARTED
    ]
    assert "\nStep 4 of 7: Scopes\n" in admin.output
    assert "\nhttps://prod.ally.ac/api/v2/1234/auth/canvas/callback\n" in admin.output
    assert "Accounts: 4 scopes, ticked all, yes, no or list? " in admin.prompts
    assert SECRET not in admin.output
    assert "To go on: ally-wizard wizard --plain production" in admin.output


def test_a_named_setup_resumes_at_its_first_unfinished_step(store: ProfileStore) -> None:
    profile = Profile("campus", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    profile.mark(StepId.CANVAS, StepState.DONE)
    profile.mark(StepId.CREATE_KEY, StepState.DONE)
    store.create(profile)
    code, admin = run(store, ["quit"], "campus")
    assert code == 0
    assert "next is step 4, Scopes" in admin.output
    assert "\nStep 4 of 7: Scopes\n" in admin.output
    assert "Step 2 of 7" not in admin.output


def test_back_goes_to_the_step_before_with_its_values_as_defaults(store: ProfileStore) -> None:
    profile = Profile("campus", canvas_url="https://canvas.school.edu", environment="ca", client_id="77")
    profile.mark(StepId.CANVAS, StepState.DONE)
    store.create(profile)
    code, admin = run(store, ["back", "", "", "", "quit"], "campus")
    assert code == 0
    assert "What is the Canvas address (Enter for https://canvas.school.edu)? " in admin.prompts
    assert "Which Ally environment, 1 to 5 (Enter for 2)? " in admin.prompts
    assert "What is the Ally Client ID (Enter for 77)? " in admin.prompts
    assert store.load("campus").profile.environment == "ca"


def test_a_section_can_be_listed_and_ticked_by_number(store: ProfileStore) -> None:
    recipe = default_recipe()
    profile = Profile("campus", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    for step in (StepId.CANVAS, StepId.CREATE_KEY):
        profile.mark(step, StepState.DONE)
    first = recipe.sections[0]
    profile.scopes[first.scopes[0].string] = ScopeStatus.ON_KEY
    store.create(profile)
    rest = ["no"] * (len(recipe.sections) - 1)
    code, admin = run(store, ["1", "list", "1 3", *rest, "quit"], "campus")
    assert code == 0
    saved = store.load("campus").profile
    others = [scope.string for scope in first.scopes[1:]]
    assert f"1. {others[0]}, to do" in admin.output
    assert saved.scope_status(first.scopes[0].string) is ScopeStatus.ON_KEY
    assert [saved.scope_status(s) for s in others] == [ScopeStatus.TICKED, ScopeStatus.TODO, ScopeStatus.TICKED]


def test_missing_scopes_are_read_out_by_section(store: ProfileStore) -> None:
    recipe = default_recipe()
    profile = Profile("campus", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    for scope in recipe.scope_strings:
        profile.scopes[scope] = ScopeStatus.ON_KEY
    missing = recipe.sections[1].scopes[0].string
    profile.scopes[missing] = ScopeStatus.MISSING
    for step in (StepId.CANVAS, StepId.CREATE_KEY):
        profile.mark(step, StepState.DONE)
    store.create(profile)
    code, admin = run(store, ["1", "yes", "quit"], "campus")
    assert code == 0
    section = recipe.sections[1]
    assert f"{section.name}: 1 of {len(section.scopes)} scopes missing on the key:\n{missing}\n" in admin.output
    assert f"{recipe.sections[0].name}: all {len(recipe.sections[0].scopes)} scopes confirmed by Canvas." in (
        admin.output
    )
    assert store.load("campus").profile.scope_status(missing) is ScopeStatus.TICKED


def test_the_hand_off_prints_the_key_id_alone_and_writes_the_summary(store: ProfileStore) -> None:
    profile = Profile("campus", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    profile.key_id = KEY_ID
    for step in list(StepId)[:-1]:
        profile.mark(step, StepState.DONE)
    store.create(profile)
    summary = store.folder / "campus-summary.md"
    code, admin = run(store, ["", "", ""], "campus")
    assert code == 0
    assert_plain(admin)
    assert f"\n{KEY_ID}\n" in admin.output
    assert f"\n{summary}\n" in admin.output
    assert summary.is_file()
    assert store.load("campus").profile.steps[StepId.HANDOFF].state is StepState.DONE


def test_the_hand_off_says_a_check_that_stopped_before_judging_found_nothing_wrong(store: ProfileStore) -> None:
    profile = sample_profile("campus", done_through=StepId.AUTHORIZE, report=stopped_report())
    store.create(profile)
    code, admin = run(store, ["no"], "campus")  # no summary
    assert code == 0
    said = " ".join(admin.output.split())  # the console wraps long lines
    assert (
        f"The last live check stopped before it could judge the key: {STOPPED_REASON} Nothing was found wrong so "
        "far; check again on step 6."
    ) in said
    assert "problem" not in said


def test_the_end_of_input_stops_with_everything_saved(store: ProfileStore) -> None:
    code, admin = run(store, ["", "canvas.school.edu"])
    assert code == 0
    assert "The input ended." in admin.output
    assert store.load("production").profile.canvas_url == "https://canvas.school.edu"


def test_plain_mode_imports_no_textual() -> None:
    code = (
        "import sys; import ally_wizard.plain.wizard, ally_wizard.plain.practice, ally_wizard.commands.wizard; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_step_one_lists_saved_setups_with_their_progress_and_resumes_the_chosen_one(store: ProfileStore) -> None:
    done = Profile("campus", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    for step in (StepId.CANVAS, StepId.CREATE_KEY):
        done.mark(step, StepState.DONE)
    store.create(done)
    store.create(Profile("test-2026"))
    code, admin = run(store, ["", "quit"])
    assert code == 0
    assert_plain(admin)
    assert "1. campus, canvas.school.edu, 3 of 7 steps done, next step 4, Scopes\n" in admin.output
    assert "2. test-2026, Canvas not set, 1 of 7 steps done, next step 2, Canvas and Ally environment\n" in admin.output
    assert "3. Start a new setup\n" in admin.output
    assert "Which setup, 1 to 3 (Enter for 1)? " in admin.prompts
    assert "\nStep 4 of 7: Scopes\n" in admin.output


def test_a_new_setup_cannot_take_a_saved_name(store: ProfileStore) -> None:
    store.create(Profile("production"))
    code, admin = run(store, ["2", "production", "bad name", "", "quit"])
    assert code == 0
    assert "A profile named 'production' already exists." in admin.output
    assert "'bad name' cannot be a profile name." in admin.output
    assert "Name this setup, one per Canvas instance (Enter for production-2)? " in admin.prompts
    assert store.exists("production-2")


def test_step_three_can_be_confirmed_step_by_step(store: ProfileStore) -> None:
    profile = Profile("campus", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    profile.mark(StepId.CANVAS, StepState.DONE)
    store.create(profile)
    steps = default_recipe().steps.create
    answers = ["", "ally@school", "list", *(["yes", "no"] * len(steps))[: len(steps)], "quit"]
    code, admin = run(store, answers, "campus")
    assert code == 0
    assert_plain(admin)
    assert "Warning: 'ally@school' does not look like an email address (name@school.edu)." in admin.output
    assert f"1. {steps[0]}: done, yes or no? " in admin.prompts
    saved = store.load("campus").profile
    assert saved.create_checklist == list(range(0, len(steps), 2))
    assert f"{len(steps) // 2} step(s) of the checklist are not ticked" in admin.output
    assert saved.steps[StepId.CREATE_KEY].state is StepState.DONE
