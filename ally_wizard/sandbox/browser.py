"""A scripted browser for the simulated Canvas: it plays the admin's part through the HTML forms.

It keeps cookies, follows redirects, parses each page's forms and submits them as a browser would,
with no private shortcut into the sandbox, so a test that passes here shows that a real browser can
do the same. It never fetches a page outside the Canvas origin: a redirect elsewhere (Ally's
callback) is where the browser would land, and its URL is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

MAX_STEPS = 20


class BrowserError(RuntimeError):
    """The scripted browser could not go on: the page it got and why."""


@dataclass
class Form:
    """One `<form>`: where it goes, how, its fields, and its submit buttons."""

    action: str
    method: str
    id: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, type)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)
    checked: set[str] = field(default_factory=set)  # names of checked checkboxes (as name=value)

    def values(self, overrides: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """The fields a browser would submit (unchecked boxes left out), with overrides applied."""
        out: list[tuple[str, str]] = []
        for name, value, kind in self.fields:
            if kind in ("checkbox", "radio") and f"{name}={value}" not in self.checked:
                continue
            out.append((name, value))
        for name, value in (overrides or {}).items():
            out = [(n, v) for n, v in out if n != name]
            out.append((name, value))
        return out


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._button: list[str] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(attr.get("action", ""), attr.get("method", "get").lower(), attr.get("id", "")))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input":
            kind = attr.get("type", "text").lower()
            name = attr.get("name", "")
            if kind == "submit":
                form.buttons.append((name, attr.get("value", ""), attr.get("value", "")))
            elif name:
                form.fields.append((name, attr.get("value", "on" if kind == "checkbox" else ""), kind))
                if kind in ("checkbox", "radio") and "checked" in attr:
                    form.checked.add(f"{name}={form.fields[-1][1]}")
        elif tag == "button" and attr.get("type", "submit").lower() == "submit":
            self._button = [attr.get("name", ""), attr.get("value", ""), ""]
        elif tag == "textarea" and attr.get("name"):
            self._textarea = (attr["name"], [])

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            name, value, text = self._button
            self.forms[-1].buttons.append((name, value, text.strip()))
            self._button = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            name, parts = self._textarea
            self.forms[-1].fields.append((name, "".join(parts), "textarea"))
            self._textarea = None


def parse_forms(html: str) -> list[Form]:
    """Every form of an HTML page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class ScriptedBrowser:
    """A cookie-keeping, redirect-following client that stays on one origin."""

    def __init__(self, client: httpx.AsyncClient, origin: str) -> None:
        self.client = client
        self.origin = origin
        self.url = origin
        self.page = ""
        self.status = 0

    async def go(self, method: str, url: str, data: list[tuple[str, str]] | None = None) -> str | None:
        """Load a URL, following redirects on the origin; return a foreign URL if redirected there."""
        target = urljoin(self.url, url)
        for _ in range(MAX_STEPS):
            if _origin(target) != self.origin:
                return target
            if method == "GET":
                query = f"?{urlencode(data)}" if data else ""
                response = await self.client.get(target + query)
            else:
                response = await self.client.request(
                    method,
                    target,
                    content=urlencode(data or []).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
            if response.is_redirect:
                target = urljoin(target, response.headers["Location"])
                method, data = "GET", None
                continue
            self.url = str(response.url)
            self.page = response.text
            self.status = response.status_code
            return None
        raise BrowserError(f"More than {MAX_STEPS} redirects from {url}.")

    async def submit(
        self, form: Form, overrides: dict[str, str] | None = None, button: str | None = None
    ) -> str | None:
        """Submit a form as its button would (the button's name=value included when it has a name)."""
        values = form.values(overrides)
        for name, value, text in form.buttons:
            if button is None or button in (value, text):
                if name:
                    values.append((name, value))
                break
        action = urljoin(self.url, form.action or self.url)
        if form.method == "post":
            return await self.go("POST", action, values)
        return await self.go("GET", action.split("?", 1)[0], values)


async def play_browser(
    authorize_url: str, username: str, password: str, approve: bool = True, timeout: float = 30.0
) -> str:
    """Open the authorize URL, log in, press Authorize (or Cancel), return where the browser lands.

    The result is the OOB landing URL `.../login/oauth2/auth?code=...&state=...` (or `?error=...`),
    or the URL of a redirect away from Canvas (an error or the code for another redirect URI).
    Raises `BrowserError` when a page does not offer what a browser would need.
    """
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        browser = ScriptedBrowser(client, _origin(authorize_url))
        away = await browser.go("GET", authorize_url)
        for _ in range(MAX_STEPS):
            if away is not None:
                return away
            forms = parse_forms(browser.page)
            login = next((f for f in forms if any(kind == "password" for _, _, kind in f.fields)), None)
            if login is not None:
                if "verify your username or password" in browser.page:
                    raise BrowserError("Canvas refused the user name or password.")
                user_field = next(n for n, _, kind in login.fields if kind in ("text", "email"))
                pass_field = next(n for n, _, kind in login.fields if kind == "password")
                away = await browser.submit(login, {user_field: username, pass_field: password})
                continue
            wanted = "Authorize" if approve else "Cancel"
            consent = next((f for f in forms if any(wanted in (v, t) for _, v, t in f.buttons)), None)
            if consent is not None:
                away = await browser.submit(consent, button=wanted)
                continue
            if browser.status >= 400:
                raise BrowserError(f"Canvas answered {browser.status} at {browser.url}: {browser.page[:200]}")
            return browser.url
        raise BrowserError("The browser went round in circles without reaching a landing page.")


# --- the practice Developer Keys page -------------------------------------------------------------

PRACTICE_KEYS_PATH = "/accounts/1/developer_keys"


async def _open_practice_page(
    client: httpx.AsyncClient, base_url: str, username: str, password: str
) -> ScriptedBrowser:
    """Open the Developer Keys page, logging in through the form when Canvas asks."""
    browser = ScriptedBrowser(client, _origin(base_url))
    await browser.go("GET", f"{base_url}{PRACTICE_KEYS_PATH}")
    login = next((f for f in parse_forms(browser.page) if any(k == "password" for _, _, k in f.fields)), None)
    if login is not None:
        user_field = next(n for n, _, kind in login.fields if kind in ("text", "email"))
        pass_field = next(n for n, _, kind in login.fields if kind == "password")
        await browser.submit(login, {user_field: username, pass_field: password})
    if browser.status != 200 or "<h1>Developer Keys</h1>" not in browser.page:
        raise BrowserError(f"Could not open the Developer Keys page (status {browser.status}) as {username}.")
    return browser


def _form_by_id(browser: ScriptedBrowser, form_id: str) -> Form:
    form = next((f for f in parse_forms(browser.page) if f.id == form_id), None)
    if form is None:
        raise BrowserError(f"The page at {browser.url} has no form {form_id!r}.")
    return form


async def edit_key_on_practice_page(
    base_url: str,
    username: str,
    password: str,
    key_id: str,
    *,
    tick: tuple[str, ...] | list[str] = (),
    untick: tuple[str, ...] | list[str] = (),
    enforce_scopes: bool | None = None,
    allow_includes: bool | None = None,
    redirect_uris: str | None = None,
) -> None:
    """Open the key's editor on the practice page, change what is asked, and press Save."""
    async with httpx.AsyncClient(timeout=30, follow_redirects=False) as client:
        browser = await _open_practice_page(client, base_url, username, password)
        await browser.go("GET", f"{PRACTICE_KEYS_PATH}/{key_id}/edit")
        if browser.status != 200:
            raise BrowserError(f"The practice page has no key {key_id} to edit (status {browser.status}).")
        form = _form_by_id(browser, "developer_key_form")
        boxes = {value for name, value, kind in form.fields if name == "scopes[]" and kind == "checkbox"}
        for scope in tick:
            if scope not in boxes:
                raise BrowserError(f"The key editor has no checkbox for {scope}.")
            form.checked.add(f"scopes[]={scope}")
        for scope in untick:
            form.checked.discard(f"scopes[]={scope}")
        for name, wanted in (("require_scopes", enforce_scopes), ("allow_includes", allow_includes)):
            if wanted is True:
                form.checked.add(f"{name}=1")
            elif wanted is False:
                form.checked.discard(f"{name}=1")
        overrides = {"redirect_uris": redirect_uris} if redirect_uris is not None else None
        await browser.submit(form, overrides, button="Save")
        if browser.status != 200 or "<h1>Developer Keys</h1>" not in browser.page:
            raise BrowserError(f"Saving the key failed (status {browser.status}): {browser.page[:300]}")


async def tick_scopes_on_practice_page(
    base_url: str, username: str, password: str, key_id: str, scopes: tuple[str, ...] | list[str]
) -> None:
    """Tick these scopes on the key in the practice page's editor and Save, as a trainee would."""
    await edit_key_on_practice_page(base_url, username, password, key_id, tick=scopes)


async def set_key_state_on_practice_page(
    base_url: str, username: str, password: str, key_id: str, state: str = "on"
) -> None:
    """Press the key's ON or OFF toggle in the State column."""
    async with httpx.AsyncClient(timeout=30, follow_redirects=False) as client:
        browser = await _open_practice_page(client, base_url, username, password)
        form = _form_by_id(browser, f"state_form_{key_id}")
        await browser.submit(form, button=state.lower())
        if browser.status != 200:
            raise BrowserError(f"Switching the key {state.upper()} failed (status {browser.status}).")
