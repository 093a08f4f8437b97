"""The scope catalogue of the simulated Canvas and the scope-to-regex rule of access_token.rb.

Canvas derives its catalogue from its routes: one `url:VERB|path` scope per API route, grouped by a
resource name. The sandbox carries Ally's 31 scopes (with the controllers docs/canvas.md 9.2
names) among other real routes, so the key editor and the catalogue API look like a real instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ally_wizard.recipe import default_recipe


@dataclass(frozen=True, slots=True)
class CatalogueScope:
    """One entry of `GET /api/v1/accounts/:id/scopes`."""

    resource: str
    resource_name: str
    controller: str
    action: str
    verb: str
    path: str

    @property
    def scope(self) -> str:
        """The scope string, `url:VERB|path`."""
        return f"url:{self.verb}|{self.path}"

    def as_json(self) -> dict[str, str]:
        """The catalogue API's JSON shape."""
        return {
            "resource": self.resource,
            "resource_name": self.resource_name,
            "controller": self.controller,
            "action": self.action,
            "verb": self.verb,
            "scope": self.scope,
        }


# Ally's 31 scopes: (controller, action) per scope string, from lib/api_scope_mapper.rb (docs/canvas.md 9.2).
_ALLY_CONTROLLERS: dict[str, tuple[str, str]] = {
    "url:GET|/api/v1/accounts": ("accounts", "index"),
    "url:GET|/api/v1/accounts/:id": ("accounts", "show"),
    "url:GET|/api/v1/accounts/:account_id/sub_accounts": ("accounts", "sub_accounts"),
    "url:GET|/api/v1/accounts/:account_id/courses": ("accounts", "courses_api"),
    "url:GET|/api/v1/courses/:course_id/assignments": ("assignments_api", "index"),
    "url:GET|/api/v1/courses/:course_id/assignments/:id": ("assignments_api", "show"),
    "url:PUT|/api/v1/courses/:course_id/assignments/:id": ("assignments_api", "update"),
    "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions": (
        "master_courses/master_templates",
        "subscriptions_index",
    ),
    "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions/:subscription_id/migrations": (
        "master_courses/master_templates",
        "imports_index",
    ),
    "url:GET|/api/v1/courses/:course_id/content_migrations": ("content_migrations", "index"),
    "url:GET|/api/v1/courses/:id": ("courses", "show"),
    "url:PUT|/api/v1/courses/:id": ("courses", "update"),
    "url:POST|/api/v1/courses/:course_id/files": ("courses", "create_file"),
    "url:GET|/api/v1/courses/:course_id/discussion_topics": ("discussion_topics", "index"),
    "url:GET|/api/v1/courses/:course_id/discussion_topics/:topic_id": ("discussion_topics_api", "show"),
    "url:PUT|/api/v1/courses/:course_id/discussion_topics/:topic_id": ("discussion_topics", "update"),
    "url:GET|/api/v1/accounts/:account_id/terms": ("terms_api", "index"),
    "url:GET|/api/v1/courses/:course_id/files": ("files", "api_index"),
    "url:GET|/api/v1/courses/:course_id/files/:id": ("files", "api_show"),
    "url:PUT|/api/v1/files/:id": ("files", "api_update"),
    "url:DELETE|/api/v1/files/:id": ("files", "destroy"),
    "url:GET|/api/v1/courses/:course_id/media_objects": ("media_objects", "index"),
    "url:PUT|/api/v1/media_objects/:media_object_id": ("media_objects", "update_media_object"),
    "url:GET|/api/v1/media_objects/:media_object_id/media_tracks": ("media_tracks", "index"),
    "url:PUT|/api/v1/media_objects/:media_object_id/media_tracks": ("media_tracks", "update"),
    "url:GET|/api/v1/courses/:course_id/pages": ("wiki_pages_api", "index"),
    "url:GET|/api/v1/courses/:course_id/pages/:url_or_id": ("wiki_pages_api", "show"),
    "url:PUT|/api/v1/courses/:course_id/pages/:url_or_id": ("wiki_pages_api", "update"),
    "url:GET|/api/v1/courses/:course_id/quizzes": ("quizzes/quizzes_api", "index"),
    "url:GET|/api/v1/courses/:course_id/quizzes/:id": ("quizzes/quizzes_api", "show"),
    "url:PUT|/api/v1/courses/:course_id/quizzes/:id": ("quizzes/quizzes_api", "update"),
}

# Other real Canvas routes, so Ally's scopes sit among neighbours as they do in the key editor.
_OTHER_SCOPES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Accounts", "accounts", "update", "PUT", "/api/v1/accounts/:id"),
    ("Accounts", "accounts", "permissions", "GET", "/api/v1/accounts/:account_id/permissions"),
    ("Accounts", "accounts", "create", "POST", "/api/v1/accounts/:account_id/sub_accounts"),
    ("Assignments", "assignments_api", "create", "POST", "/api/v1/courses/:course_id/assignments"),
    ("Assignments", "assignments_api", "destroy", "DELETE", "/api/v1/courses/:course_id/assignments/:id"),
    (
        "Blueprint Courses",
        "master_courses/master_templates",
        "show",
        "GET",
        "/api/v1/courses/:course_id/blueprint_templates/:template_id",
    ),
    ("Content Migrations", "content_migrations", "create", "POST", "/api/v1/courses/:course_id/content_migrations"),
    ("Content Migrations", "content_migrations", "show", "GET", "/api/v1/courses/:course_id/content_migrations/:id"),
    ("Courses", "courses", "index", "GET", "/api/v1/courses"),
    ("Courses", "courses", "create", "POST", "/api/v1/accounts/:account_id/courses"),
    ("Courses", "courses", "destroy", "DELETE", "/api/v1/courses/:id"),
    ("Courses", "courses", "settings", "GET", "/api/v1/courses/:course_id/settings"),
    ("Developer Keys", "developer_keys", "index", "GET", "/api/v1/accounts/:account_id/developer_keys"),
    ("Developer Keys", "developer_keys", "create", "POST", "/api/v1/accounts/:account_id/developer_keys"),
    ("Developer Keys", "developer_keys", "update", "PUT", "/api/v1/developer_keys/:id"),
    ("Developer Keys", "developer_keys", "destroy", "DELETE", "/api/v1/developer_keys/:id"),
    (
        "Developer Key Account Bindings",
        "developer_key_account_bindings",
        "create_or_update",
        "POST",
        "/api/v1/accounts/:account_id/developer_keys/:developer_key_id/developer_key_account_bindings",
    ),
    ("Discussion Topics", "discussion_topics", "create", "POST", "/api/v1/courses/:course_id/discussion_topics"),
    (
        "Discussion Topics",
        "discussion_topics",
        "destroy",
        "DELETE",
        "/api/v1/courses/:course_id/discussion_topics/:topic_id",
    ),
    ("Enrollment Terms", "terms", "create", "POST", "/api/v1/accounts/:account_id/terms"),
    ("Enrollment Terms", "terms_api", "show", "GET", "/api/v1/accounts/:account_id/terms/:id"),
    ("Enrollments", "enrollments_api", "index", "GET", "/api/v1/courses/:course_id/enrollments"),
    ("Enrollments", "enrollments_api", "create", "POST", "/api/v1/courses/:course_id/enrollments"),
    ("Files", "files", "api_show", "GET", "/api/v1/files/:id"),
    ("Files", "folders", "api_index", "GET", "/api/v1/courses/:course_id/folders"),
    ("Media Objects", "media_objects", "index", "GET", "/api/v1/media_objects"),
    ("Modules", "context_modules_api", "index", "GET", "/api/v1/courses/:course_id/modules"),
    ("Modules", "context_modules_api", "show", "GET", "/api/v1/courses/:course_id/modules/:id"),
    ("Pages", "wiki_pages_api", "create", "POST", "/api/v1/courses/:course_id/pages"),
    ("Pages", "wiki_pages_api", "destroy", "DELETE", "/api/v1/courses/:course_id/pages/:url_or_id"),
    ("Quizzes", "quizzes/quizzes_api", "create", "POST", "/api/v1/courses/:course_id/quizzes"),
    ("Roles", "role_overrides", "api_index", "GET", "/api/v1/accounts/:account_id/roles"),
    ("Scopes", "scopes_api", "index", "GET", "/api/v1/accounts/:account_id/scopes"),
    ("Sections", "sections", "index", "GET", "/api/v1/courses/:course_id/sections"),
    ("Users", "users", "api_show", "GET", "/api/v1/users/:id"),
    ("Users", "users", "api_index", "GET", "/api/v1/accounts/:account_id/users"),
    ("Users", "profile", "settings", "GET", "/api/v1/users/:user_id/profile"),
    ("Users", "users", "update", "PUT", "/api/v1/users/:id"),
)


def _resource(name: str) -> str:
    return name.lower().replace(" ", "_")


OLD_PAGES_PATH = ("/pages/:url_or_id", "/pages/:url")  # renamed in May 2022 (docs/canvas.md 5)


@cache
def catalogue(old_pages: bool = False) -> tuple[CatalogueScope, ...]:
    """Every catalogue scope, sorted by resource name then path (as Canvas's key editor lists them).

    `old_pages`: an older Canvas, whose Pages routes still end in `:url` instead of `:url_or_id`.
    """
    recipe = default_recipe()
    entries = []
    for scope in recipe.scopes:
        controller, action = _ALLY_CONTROLLERS[scope.string]
        path = scope.path.replace(*OLD_PAGES_PATH) if old_pages else scope.path
        entries.append(CatalogueScope(_resource(scope.section), scope.section, controller, action, scope.verb, path))
    known = {entry.scope for entry in entries}
    for section, controller, action, verb, path in _OTHER_SCOPES:
        entry = CatalogueScope(_resource(section), section, controller, action, verb, path)
        if entry.scope not in known:
            entries.append(entry)
            known.add(entry.scope)
    return tuple(sorted(entries, key=lambda e: (e.resource_name, e.path, e.verb)))


@cache
def catalogue_scope_strings(old_pages: bool = False) -> frozenset[str]:
    """The set of scope strings a key may hold."""
    return frozenset(entry.scope for entry in catalogue(old_pages))


def sections(old_pages: bool = False) -> dict[str, list[CatalogueScope]]:
    """The catalogue grouped by resource name, in order: the key editor's sections."""
    grouped: dict[str, list[CatalogueScope]] = {}
    for entry in catalogue(old_pages):
        grouped.setdefault(entry.resource_name, []).append(entry)
    return grouped


_SEGMENT = re.compile(r":[A-Za-z_][A-Za-z0-9_]*")
_GLOB = re.compile(r"\*[A-Za-z_][A-Za-z0-9_]*")


@cache
def scope_pattern(scope: str) -> tuple[str, re.Pattern[str]] | None:
    """The verb and anchored path regex of a scope string (access_token.rb), or None if not `url:`.

    `:segment` matches one path segment, `*glob` anything, parenthesised parts are optional, and an
    optional `.format` suffix is allowed: `url:PUT|/api/v1/files/:id` -> `^/api/v1/files/[^/]+(?:\\.[^/]+|)$`.
    """
    if not scope.startswith("url:") or "|" not in scope:
        return None
    verb, path = scope[4:].split("|", 1)
    out = []
    index = 0
    while index < len(path):
        char = path[index]
        segment = _SEGMENT.match(path, index)
        glob = _GLOB.match(path, index)
        if segment:
            out.append("[^/]+")
            index = segment.end()
        elif glob:
            out.append(".+")
            index = glob.end()
        elif char == "(":
            out.append("(?:")
            index += 1
        elif char == ")":
            out.append(")?")
            index += 1
        else:
            out.append(re.escape(char))
            index += 1
    return verb.upper(), re.compile("^" + "".join(out) + r"(?:\.[^/]+|)$")


def scopes_allow(scopes: frozenset[str] | tuple[str, ...], method: str, path: str) -> bool:
    """Whether any scope allows this method and path (HEAD counts as GET)."""
    verb = "GET" if method.upper() == "HEAD" else method.upper()
    for scope in scopes:
        compiled = scope_pattern(scope)
        if compiled and compiled[0] == verb and compiled[1].match(path):
            return True
    return False


def english_list(items: list[str]) -> str:
    """`a`, `a and b`, or `a, b, and c`: Canvas's to_sentence for the invalid-scope message."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + f", and {items[-1]}"
