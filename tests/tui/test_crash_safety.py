"""An unexpected crash never prints the key secret: Textual's crash report would list every frame's locals."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SECRET = "s3cr3t-" + "x" * 50 + "-END"

CRASHING_RUN = textwrap.dedent(
    """
    import os
    from pathlib import Path

    import ally_wizard.tui.app
    from ally_wizard.store import ProfileStore
    from ally_wizard.tui.app import WizardApp

    class Crashing(WizardApp):
        CSS_PATH = str(Path(ally_wizard.tui.app.__file__).with_name("app.tcss"))

        def on_ready(self) -> None:
            secret = os.environ["PASTED_SECRET"]  # from outside, so the source lines shown hold no secret
            self.session.secret = secret
            raise RuntimeError("boom while holding the secret")

    Crashing(ProfileStore()).run(headless=True)
    """
)


def test_a_crash_report_shows_the_error_but_not_the_secret(tmp_path: Path) -> None:
    env = {**os.environ, "ALLY_WIZARD_HOME": str(tmp_path), "PASTED_SECRET": SECRET}
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_RUN)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    output = result.stdout + result.stderr
    assert "boom while holding the secret" in output
    assert "s3cr3t" not in output
    assert "x" * 20 not in output
