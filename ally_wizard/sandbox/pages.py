"""The HTML pages a browser sees on the simulated Canvas: login, consent and the OOB landing page.

Plain forms with no script, so any browser (and the test player in `browser.py`) can use them.
"""

from __future__ import annotations

from html import escape

LANDING_TEXT = "The application has finished the login workflow, and should reactivate shortly."

_STYLE = """
body { font-family: "Lato", "Helvetica Neue", Arial, sans-serif; background: #f5f5f5; color: #2d3b45;
       margin: 0; }
header { background: #394b58; color: #fff; padding: 12px 24px; font-size: 18px; }
header small { color: #c7cdd1; margin-left: 12px; }
main { max-width: 560px; margin: 48px auto; background: #fff; border: 1px solid #c7cdd1;
       border-radius: 4px; padding: 24px 32px; }
label { display: block; margin: 12px 0 4px; font-weight: bold; }
input[type=text], input[type=password], input[type=email], textarea { width: 100%; padding: 8px;
       box-sizing: border-box; border: 1px solid #c7cdd1; border-radius: 4px; font-size: 15px; }
button { padding: 8px 16px; border-radius: 4px; border: 1px solid #c7cdd1; background: #f5f5f5;
       font-size: 15px; cursor: pointer; margin-right: 8px; }
button.primary { background: #0374b5; color: #fff; border-color: #0374b5; }
.error { color: #e0061f; margin: 8px 0; }
.note { color: #6b7780; font-size: 13px; }
"""


THEME_JS_PATH = "/theme/custom_theme.js"


def page(title: str, body: str, status_line: str = "", scripts: tuple[str, ...] = ()) -> str:
    """A full HTML document in the sandbox's Canvas-like frame, loading `scripts` as the theme's JavaScript."""
    tags = "".join(f'<script src="{escape(src)}"></script>' for src in scripts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style>{tags}</head><body>"
        f"<header>Canvas<small>Simulated Canvas for practice{escape(status_line)}</small></header>"
        f"<main>{body}</main></body></html>"
    )


def theme_js(base_url: str, client_id: str) -> str:
    """The theme's custom JavaScript as institutions running Ally write it (read by the audit, never run)."""
    return (
        "// Custom theme JavaScript (Admin > Themes > Upload)\n"
        "window.ALLY_CFG = {\n"
        f"    'baseUrl': '{base_url}',\n"
        f"    'clientId': {client_id}\n"
        "};\n"
        "if (window.jQuery) { jQuery.getScript(ALLY_CFG.baseUrl + '/integration/canvas/ally.js'); }\n"
    )


def login_page(csrf_token: str, unique_id: str = "", error: str | None = None, scripts: tuple[str, ...] = ()) -> str:
    """Canvas's login form: `pseudonym_session[unique_id]` and `pseudonym_session[password]`."""
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return page(
        "Log In to Canvas",
        f"""<h1>Log In to Canvas</h1>{message}
<form id="login_form" action="/login/canvas" method="post">
<input type="hidden" name="authenticity_token" value="{escape(csrf_token)}">
<label for="pseudonym_session_unique_id">Email</label>
<input type="text" id="pseudonym_session_unique_id" name="pseudonym_session[unique_id]"
 value="{escape(unique_id)}" autocomplete="username" autofocus>
<label for="pseudonym_session_password">Password</label>
<input type="password" id="pseudonym_session_password" name="pseudonym_session[password]"
 autocomplete="current-password">
<p><button type="submit" class="primary" id="login_button">Log In</button></p>
</form>
<p class="note">Practice instance: nothing here is a real Canvas.</p>""",
        scripts=scripts,
    )


def confirm_page(app_name: str, user_name: str, purpose: str, csrf_token: str) -> str:
    """The consent page: Authorize posts to /login/oauth2/accept, Cancel goes to /login/oauth2/deny."""
    purpose_line = f"<p>Purpose: <strong>{escape(purpose)}</strong></p>" if purpose else ""
    return page(
        "Authorize Application",
        f"""<h1>{escape(app_name)} is requesting access to your account.</h1>
<p>You are logged in as <strong>{escape(user_name)}</strong>.</p>{purpose_line}
<p>This application will be able to act on your behalf in Canvas, within the access it was granted.</p>
<form id="oauth2_accept_form" action="/login/oauth2/accept" method="post" style="display:inline">
<input type="hidden" name="authenticity_token" value="{escape(csrf_token)}">
<input type="hidden" name="custom_csrf_token" value="{escape(csrf_token)}">
<button type="submit" class="primary" id="authorize_button" name="commit" value="Authorize">Authorize</button>
</form>
<form id="oauth2_deny_form" action="/login/oauth2/deny" method="get" style="display:inline">
<button type="submit" id="cancel_button" value="Cancel">Cancel</button>
</form>""",
    )


def landing_page() -> str:
    """The out-of-band landing page: it never shows the code, only this sentence."""
    return page("Login Workflow Finished", f"<p>{LANDING_TEXT}</p>")


def message_page(title: str, text: str) -> str:
    """A one-paragraph page (logged out, not found, ...)."""
    return page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>")
