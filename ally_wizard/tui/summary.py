"""The hand-off summary as Markdown: what was set up and checked, for the admin's change records.

It never contains the secret or a token (the profile holds neither); presenter mode masks the key ID.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

from ally_wizard.inputs import InputError, redirect_uri
from ally_wizard.profile import Profile
from ally_wizard.recipe import Recipe
from ally_wizard.redact import mask_key_id
from ally_wizard.store import atomic_write


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_markdown(profile: Profile, recipe: Recipe, *, mask: bool = False, now: dt.datetime | None = None) -> str:
    """The summary text: Canvas host, environment, redirect URI, key ID, and each check with its time."""
    host = urlsplit(profile.canvas_url).hostname or profile.canvas_url or "(not set)"
    try:
        env = recipe.environment(profile.environment)
        environment = f"{env.label} ({env.host})"
    except KeyError:
        environment = "(not chosen)"
    try:
        uri = redirect_uri(recipe, profile.environment, profile.client_id)
    except InputError:
        uri = "(not complete)"
    key_id = profile.key_id or "(not set)"
    if mask and profile.key_id:
        key_id = mask_key_id(profile.key_id)
    written = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# {recipe.name} developer key: {profile.name}",
        "",
        f"Written by ally-wizard on {written}. The key secret is not in this file.",
        "",
        "| | |",
        "|---|---|",
        f"| Canvas host | {_cell(host)} |",
        f"| {recipe.environment_label} | {_cell(environment)} |",
        f"| Redirect URI | `{uri}` |",
        f"| Developer key ID | {_cell(key_id)} |",
        f"| Key name | {_cell(profile.key_name or '(not set)')} |",
        f"| Owner email | {_cell(profile.owner_email or '(not set)')} |",
        "",
    ]
    report = profile.last_verification
    if report is None:
        lines += ["## Checks", "", "No live check has been run yet.", ""]
        return "\n".join(lines)
    started = report.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines += [
        "## Checks",
        "",
        f"Last check started {started}; result: **{report.overall.label}**"
        + (f", authorized by {report.authorized_by}." if report.authorized_by else "."),
        "",
        "| Result | Check | Time (UTC) | Details |",
        "|---|---|---|---|",
    ]
    for check in report.checks:
        when = check.checked_at.strftime("%H:%M:%S") if check.checked_at else ""
        lines.append(f"| {check.status.label} | {_cell(check.title)} | {when} | {_cell(check.message)} |")
    lines.append("")
    return "\n".join(lines)


def export_summary(path: Path, text: str) -> Path:
    """Write the summary atomically (0600, like profiles: it names the institution's key)."""
    target = path.expanduser()
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; add a file name such as summary.md.")
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, text.encode("utf-8"))
    return target
