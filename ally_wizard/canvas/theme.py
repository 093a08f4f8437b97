"""Ally's settings in the Canvas theme: `window.ALLY_CFG = { baseUrl: 'https://prod.ally.ac', clientId: 1164 }`.

Institutions running Ally put that object in their theme's custom JavaScript, which Canvas loads on every
page, its public login page included. Reading it needs no credentials: fetch the login page, look at its
inline scripts and the script files it loads (Canvas's own bundles left out), and read the Ally host and
Client ID from the object's text. The JavaScript is parsed, never executed; every download is bounded
in size and the whole search in time. No token is ever sent: the theme files often live on another host.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from ally_wizard import __version__
from ally_wizard.canvas import tls
from ally_wizard.canvas.report import Check, CheckStatus
from ally_wizard.canvas.target import now
from ally_wizard.recipe import Recipe, default_recipe

ALLY_THEME = "ally.theme"
THEME_TITLE = "The theme's ALLY_CFG matches the setup"
LOGIN_PATH = "/login/canvas"
MAX_BYTES = 1_000_000  # per download: a theme file is a few kB; a bundle is not a theme
MAX_SCRIPTS = 6
TIME_LIMIT = 10.0  # seconds for the whole search
_CANVAS_BUNDLES = ("/dist/", "/javascripts/", "/timezone/", "/optimizely", "/assets/")
_CFG = re.compile(r"ALLY_CFG\s*=\s*\{")
_BASE_URL = re.compile(r"""["']?baseUrl["']?\s*:\s*(["'`])([^"'`\s]{1,300})\1""")
_CLIENT_ID = re.compile(r"""["']?clientId["']?\s*:\s*(["'`]?)\s*([0-9]{1,18})\s*\1""")


@dataclass(frozen=True, slots=True)
class ThemeAllyConfig:
    """What the theme's `ALLY_CFG` says: the Ally host, its environment id (when a known one) and Client ID."""

    base_url: str
    host: str
    environment: str | None
    client_id: str | None
    source: str  # where it was found: the login page or a script's URL

    def describe(self) -> str:
        """`prod.ally.ac (us), Client ID 1164`."""
        region = f" ({self.environment})" if self.environment else ""
        client = f", Client ID {self.client_id}" if self.client_id else ", no Client ID"
        return f"{self.host}{region}{client}"


@dataclass(frozen=True, slots=True)
class ThemeSearch:
    """The result of a search: the config found, or None and why not (a sentence)."""

    found: ThemeAllyConfig | None
    note: str


class _Scripts(HTMLParser):
    """The `src` of every `<script>` and the text of the inline ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            src = dict(attrs).get("src")
            if src:
                self.sources.append(src.strip())
            self._in_script = not src

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline.append(data)


def _object_text(text: str, start: int) -> str:
    """The `{...}` starting at `start`, braces balanced outside strings and comments (bounded)."""
    depth = 0
    quote = ""
    index = start
    end = min(len(text), start + 20_000)
    while index < end:
        char = text[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif text.startswith("//", index):
            newline = text.find("\n", index)
            index = end if newline == -1 else newline
            continue
        elif text.startswith("/*", index):
            close = text.find("*/", index + 2)
            index = end if close == -1 else close + 2
            continue
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
        index += 1
    return text[start:end]


def parse_ally_cfg(text: str, source: str = "", recipe: Recipe | None = None) -> ThemeAllyConfig | None:
    """Read `ALLY_CFG`'s `baseUrl` and `clientId` from JavaScript text, without running it."""
    chosen = recipe or default_recipe()
    for match in _CFG.finditer(text):
        body = _object_text(text, match.end() - 1)
        base = _BASE_URL.search(body)
        if base is None:
            continue
        base_url = base.group(2).rstrip("/")
        try:
            host = (urlsplit(base_url if "//" in base_url else f"https://{base_url}").hostname or "").lower()
        except ValueError:  # an unbalanced [ or ] in the host: not an address Ally could be at
            continue
        if not host:
            continue
        client = _CLIENT_ID.search(body)
        environment = next((env.id for env in chosen.environments if env.host == host), None)
        return ThemeAllyConfig(base_url, host, environment, client.group(2) if client else None, source)
    return None


def _candidates(page_url: str, sources: list[str]) -> list[str]:
    """Script URLs that may be the theme's (http(s), not Canvas's own bundles), theme-like names first."""
    base = urlsplit(page_url)
    found: list[str] = []
    for src in sources:
        url = urljoin(page_url, src)
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or (parts.scheme == "http" and parts.netloc != base.netloc):
            continue  # plain http only on the Canvas host itself (a loopback practice Canvas)
        if any(marker in parts.path for marker in _CANVAS_BUNDLES) and "custom" not in parts.path.lower():
            continue
        if url not in found:
            found.append(url)
    hints = ("custom", "theme", "brand", "account_", "uploads", "ally")
    found.sort(key=lambda url: not any(hint in url.lower() for hint in hints))
    return found[:MAX_SCRIPTS]


async def _download(http: httpx.AsyncClient, url: str) -> str | None:
    """A body of at most `MAX_BYTES`, or None (an error, an answer other than 200, or too big)."""
    try:
        async with http.stream("GET", url) as response:
            if response.status_code != 200:
                return None
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    return None
                chunks.append(chunk)
            return b"".join(chunks).decode(response.encoding or "utf-8", "replace")
    except (httpx.HTTPError, UnicodeError):
        return None


async def _search(http: httpx.AsyncClient, canvas_url: str, recipe: Recipe | None) -> ThemeSearch:
    page_url = canvas_url.rstrip("/") + LOGIN_PATH
    page = await _download(http, page_url)
    if page is None:
        return ThemeSearch(None, f"The login page of {urlsplit(canvas_url).hostname} could not be read.")
    parser = _Scripts()
    with contextlib.suppress(AssertionError, ValueError):  # a broken page: use what was read of it
        parser.feed(page)
    for inline in parser.inline:
        found = parse_ally_cfg(inline, page_url, recipe)
        if found:
            return ThemeSearch(found, "")
    urls = _candidates(page_url, parser.sources)
    bodies = await asyncio.gather(*(_download(http, url) for url in urls))
    for url, body in zip(urls, bodies, strict=True):
        if body:
            found = parse_ally_cfg(body, url, recipe)
            if found:
                return ThemeSearch(found, "")
    return ThemeSearch(None, "The theme of this Canvas sets no ALLY_CFG (looked at the login page and its scripts).")


async def find_theme_ally_config(
    canvas_url: str,
    *,
    recipe: Recipe | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    time_limit: float = TIME_LIMIT,
) -> ThemeSearch:
    """Look for `ALLY_CFG` in the theme of the Canvas at `canvas_url`, without credentials."""
    async with httpx.AsyncClient(
        headers={"User-Agent": f"ally-wizard/{__version__}", "Accept": "text/html,application/javascript,*/*"},
        timeout=httpx.Timeout(time_limit, connect=min(5.0, time_limit)),
        follow_redirects=True,
        max_redirects=3,
        verify=tls.context(),
        transport=transport,
    ) as http:
        try:
            async with asyncio.timeout(time_limit):
                return await _search(http, canvas_url, recipe)
        except TimeoutError:
            return ThemeSearch(None, f"The theme could not be read within {time_limit:.0f} seconds.")


def _expected(redirect_uri: str) -> tuple[str, str]:
    """The Ally host and Client ID a setup's redirect URI names (`https://HOST/api/v2/ID/auth/canvas/callback`)."""
    parts = urlsplit(redirect_uri)
    found = _CALLBACK_ID.match(parts.path)
    return (parts.hostname or "").lower(), found.group(1) if found else ""


_CALLBACK_ID = re.compile(r"^/api/v2/([0-9]+)/")


def _where(source: str) -> str:
    """Where ALLY_CFG was found, in words that do not change with the host's port: the script's file name."""
    name = urlsplit(source).path.rstrip("/").rsplit("/", 1)[-1]
    return "the login page" if not name or source.endswith(LOGIN_PATH) else f"the theme script {name}"


def theme_row(search: ThemeSearch | None, redirect_uri: str) -> Check:
    """ally.theme: warn when the theme's ALLY_CFG names another Ally host or Client ID than the setup's
    redirect URI; skipped when the theme sets none (or could not be read). `check` and `audit` both give it."""
    found = search.found if search else None
    if found is None:
        note = search.note if search else "The theme was not read."
        return Check(ALLY_THEME, THEME_TITLE, CheckStatus.SKIPPED, note, checked_at=now())
    host, client_id = _expected(redirect_uri)
    problems = []
    if found.host != host:
        problems.append(f"the Ally host {found.host} (the setup uses {host})")
    if found.client_id and found.client_id != client_id:
        problems.append(f"Client ID {found.client_id} (the setup uses {client_id})")
    if problems:
        message = (
            f"The theme's ALLY_CFG names {' and '.join(problems)} (in {_where(found.source)}). Either the setup or "
            "the theme is wrong: compare both with Ally's configuration page, then fix the other one."
        )
        return Check(ALLY_THEME, THEME_TITLE, CheckStatus.WARN, message, checked_at=now())
    message = f"The theme's ALLY_CFG names {found.describe()}, as the setup does."
    return Check(ALLY_THEME, THEME_TITLE, CheckStatus.PASS, message, checked_at=now())
