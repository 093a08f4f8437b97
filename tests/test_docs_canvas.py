"""docs/canvas.md is the project's account of Canvas: every section the code cites exists there."""

from __future__ import annotations

import re
from pathlib import Path

from ally_wizard.canvas.probes import probe_for
from ally_wizard.recipe import default_recipe

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "canvas.md"
CITATION = re.compile(r"docs/canvas\.md,? (?:section )?(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)


def sources() -> list[Path]:
    """The project's own Python and stylesheets (no virtual environments, no caches)."""
    found: list[Path] = []
    for folder in ("ally_wizard", "tests", "benchmarks", "tools"):
        found.extend(p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".tcss", ".toml"))
    return found


def test_the_sections_are_numbered_0_to_12_in_order() -> None:
    numbers = HEADING.findall(DOC.read_text(encoding="utf-8"))
    tops = [n for n in numbers if "." not in n]
    assert tops == [str(n) for n in range(13)]
    for number in numbers:
        if "." in number:
            top, sub = number.split(".")
            earlier = [n for n in numbers[: numbers.index(number)] if n.startswith(f"{top}.")]
            assert sub == str(len(earlier) + 1), number  # 1.1, 1.2, ... with no gap


def test_every_cited_section_exists() -> None:
    headings = set(HEADING.findall(DOC.read_text(encoding="utf-8")))
    missing = {
        f"{path.relative_to(ROOT)}: {number}"
        for path in sources()
        for number in CITATION.findall(path.read_text(encoding="utf-8", errors="replace"))
        if number not in headings
    }
    assert not missing, sorted(missing)


def test_nothing_points_at_the_team_reference_outside_the_repository() -> None:
    """Comments cite docs/canvas.md; the team's reference file is not part of the project."""
    stale = [
        str(path.relative_to(ROOT))
        for path in [*sources(), ROOT / "README.md"]
        if "canvas-behaviour" + ".md" in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert stale == []


def test_the_probe_table_is_the_engines_own_probes() -> None:
    """Each row of 9.2 names the request `probe_for` really sends for that scope, in the recipe's order."""
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("### 9.2") : text.index("## 10.")]
    rows = [line.split(" | ") for line in table.splitlines() if re.match(r"\| \d+ \|", line)]
    documented = [(row[1].strip("`").replace("\\|", "|"), row[4].strip("`")) for row in rows]
    expected = [(s.string, probe_for(s.string).describe()) for s in default_recipe().scopes]
    assert documented == expected
