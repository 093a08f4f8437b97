"""What plain mode says in words: statuses, the help of each step, and where a setup stands.

The help texts are the wizard's own (`ally_wizard.tui.help_text`, which imports no Textual), split into
one sentence per line so a screen reader can move through them line by line.
"""

from __future__ import annotations

import re

from ally_wizard.canvas.report import Check, CheckStatus, Report
from ally_wizard.profile import STEPS_TOTAL, Profile, ScopeStatus, StepState
from ally_wizard.recipe import Recipe
from ally_wizard.tui.help_text import HELP
from ally_wizard.tui.steps import STEPS, StepInfo

# Statuses as words only: a screen reader reads "✓" as "check mark", or not at all.
SCOPE_WORDS = {
    ScopeStatus.TODO: "to do",
    ScopeStatus.TICKED: "ticked",
    ScopeStatus.ON_KEY: "on the key",
    ScopeStatus.MISSING: "missing",
    ScopeStatus.VERIFIED: "verified",
    ScopeStatus.UNKNOWN: "not checked",
}
CHECK_WORDS = {
    CheckStatus.PASS: "passed",
    CheckStatus.FAIL: "failed",
    CheckStatus.WARN: "warning",
    CheckStatus.SKIPPED: "not checked",
    CheckStatus.ERROR: "could not check",
    CheckStatus.PENDING: "waiting",
}
STEP_WORDS = {
    StepState.NOT_STARTED: "not started",
    StepState.IN_PROGRESS: "in progress",
    StepState.DONE: "done",
}
COMMANDS_LINE = "At any question you can type help, back, status or quit; quit keeps everything entered so far."
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z'(])")


def sentences(text: str) -> list[str]:
    """A paragraph as one sentence per line."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def heading(info: StepInfo) -> str:
    """`Step 4 of 7: Scopes`."""
    return f"Step {info.number} of {STEPS_TOTAL}: {info.title}"


def help_lines(info: StepInfo) -> list[str]:
    """The step's help: why it exists, what commonly goes wrong, and the words that work at every prompt."""
    text = HELP[info.key]
    lines = [f"Help for step {info.number} of {STEPS_TOTAL}: {info.title}."]
    lines += sentences(text.why)
    lines.append(f"What commonly goes wrong, {len(text.pitfalls)} things:")
    lines += [f"{number}. {pitfall}" for number, pitfall in enumerate(text.pitfalls, start=1)]
    lines.append(COMMANDS_LINE)
    return lines


def scope_counts(profile: Profile, recipe: Recipe) -> str:
    """`31 scopes: 12 ticked or confirmed, 10 confirmed by Canvas, 3 missing.` (as step 4 counts them)."""
    statuses = [profile.scope_status(scope) for scope in recipe.scope_strings]
    done = sum(1 for s in statuses if s not in (ScopeStatus.TODO, ScopeStatus.MISSING))
    confirmed = sum(1 for s in statuses if s.confirmed)
    missing = sum(1 for s in statuses if s is ScopeStatus.MISSING)
    unknown = sum(1 for s in statuses if s is ScopeStatus.UNKNOWN)
    text = f"{len(statuses)} scopes: {done} ticked or confirmed, {confirmed} confirmed by Canvas"
    if missing:
        text += f", {missing} missing"
    if unknown:
        text += f", {unknown} not checked"
    return text + "."


def report_line(report: Report) -> str:
    """`Last check 2026-11-30 21:04 UTC: failed, 3 problems.`"""
    when = report.started_at.strftime("%Y-%m-%d %H:%M UTC")
    problems = [c for c in report.checks if c.status in (CheckStatus.FAIL, CheckStatus.ERROR)]
    verdict = CHECK_WORDS[report.overall]
    tail = f", {len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else ""
    return f"Last check {when}: {verdict}{tail}."


def status_lines(profile: Profile | None, recipe: Recipe, current: int) -> list[str]:
    """Where the setup stands: each step's state as a word, the scopes, and the last check."""
    if profile is None:
        return [f"No setup is open yet. This is step 1 of {STEPS_TOTAL}: choose or start a setup."]
    lines = [f"Setup {profile.name}: {profile.steps_done} of {STEPS_TOTAL} steps done; you are on step {current}."]
    for info in STEPS:
        state = "done" if info.step_id is None else STEP_WORDS[profile.steps[info.step_id].state]
        lines.append(f"Step {info.number}, {info.title}: {state}.")
    # No full stop after a value: it would be read, or selected, as part of the address.
    lines.append(f"Canvas address: {profile.canvas_url or 'not set'}")
    lines.append(f"Developer key ID: {profile.key_id or 'not set'}")
    lines.append(scope_counts(profile, recipe))
    lines.append("Never checked." if profile.last_verification is None else report_line(profile.last_verification))
    return lines


def check_line(check: Check) -> str:
    """One row of a check in words: `failed: Key is ON: ...`; a scope row names its scope."""
    what = check.scope if check.scope is not None else check.title
    return f"{CHECK_WORDS[check.status]}: {what}. {check.message}".rstrip()
