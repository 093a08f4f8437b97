"""The API routes the wizard and Ally use: users/self, accounts, sub-accounts, courses, terms, the
scope catalogue and the 31 Ally routes, with Canvas's lookups (id 0 -> 404; media objects -> "user
not authorized"), includes, pagination and the updates the write routes perform.

Authentication, throttling and the scope check happen in the middleware before any handler here.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ally_wizard.sandbox.catalogue import catalogue, sections
from ally_wizard.sandbox.http import (
    JSON_LIST,
    Handler,
    Values,
    auth,
    ctx,
    found_then_admin,
    includes,
    json_response,
    not_found,
    paged_json,
    paginate,
    param,
    params,
    truthy,
    unauthorized,
)
from ally_wizard.sandbox.records import iso, local_id
from ally_wizard.sandbox.state import ROOT_ACCOUNT_ID, CanvasState

Record = dict[str, Any]
Finder = Callable[[web.Request], Record | None]


# --- lookups ------------------------------------------------------------------------------------


def find_account(state: CanvasState, raw: str) -> Record | None:
    """An account by local or global id; `self` is the request host's root account."""
    if raw == "self":
        return state.content["accounts"][ROOT_ACCOUNT_ID]
    number = local_id(raw)
    return state.content["accounts"].get(number) if number is not None else None


def find_course(state: CanvasState, raw: str) -> Record | None:
    """A course by local or global id, or `sis_course_id:X`."""
    courses = state.content["courses"]
    if raw.startswith("sis_course_id:"):
        sis = raw.split(":", 1)[1]
        return next((c for c in courses.values() if c.get("sis_course_id") == sis), None)
    number = local_id(raw)
    course = courses.get(number) if number is not None else None
    return course if course and course["workflow_state"] != "deleted" else None


def _item(state: CanvasState, kind: str, course: Record | None, raw: str) -> Record | None:
    number = local_id(raw)
    record = state.content[kind].get(number) if number is not None else None
    if record is None or record.get("workflow_state") == "deleted":
        return None
    if course is not None and record.get("course_id") != course["id"]:
        return None
    return record


def _items(state: CanvasState, kind: str, course: Record) -> list[Record]:
    return [
        public(r)
        for r in state.content[kind].values()
        if r.get("course_id") == course["id"] and r.get("workflow_state") != "deleted"
    ]


def public(record: Record) -> Record:
    """The record without the sandbox's own bookkeeping (a deleted flag)."""
    return {k: v for k, v in record.items() if k != "workflow_state"}


def descendants(state: CanvasState, account_id: int) -> list[int]:
    """The account and every account below it."""
    found = [account_id]
    for account in state.content["accounts"].values():
        if account["parent_account_id"] == account_id:
            found.extend(descendants(state, account["id"]))
    return found


def _course_json(state: CanvasState, course: Record, wanted: set[str]) -> Record:
    out = dict(course)
    if "term" in wanted:
        out["term"] = dict(state.content["terms"][course["enrollment_term_id"]])
    return out


def _apply(record: Record, values: dict[str, list[str]], prefix: str | None, fields: dict[str, str]) -> None:
    """Copy the given fields (`prefix[field]`, or bare when prefix is None) into the record."""
    changed = False
    for name, kind in fields.items():
        value = param(values, f"{prefix}[{name}]" if prefix else name)
        if value is None:
            continue
        changed = True
        if kind == "bool":
            record[name] = truthy(value)
        elif kind == "float":
            try:
                record[name] = float(value)
            except ValueError:
                continue
        else:
            record[name] = value
    if changed and "updated_at" in record:
        record["updated_at"] = iso()


# --- users and accounts -------------------------------------------------------------------------


async def user_show(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/users/:id` (`self`): the caller's profile."""
    caller = auth(request).user
    raw = request.match_info["id"]
    user = caller if raw == "self" else ctx(request).state.users.get(local_id(raw) or -1)
    if user is None:
        return not_found()
    if user is not caller and not caller.admin:
        return unauthorized()
    first, _, last = user.name.partition(" ")
    return json_response(
        {
            "id": user.id,
            "name": user.name,
            "created_at": "2026-08-01T12:00:00Z",
            "sortable_name": user.sortable_name,
            "short_name": user.name,
            "first_name": first,
            "last_name": last,
            "avatar_url": "https://canvas.instructure.com/images/messages/avatar-50.png",
            "locale": None,
            "effective_locale": "en",
            "permissions": {"can_update_name": True, "can_update_avatar": False, "limit_parent_app_web_access": False},
        }
    )


async def accounts_index(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/accounts`: the accounts the caller administers (the root for the admin)."""
    values = await params(request)
    state = ctx(request).state
    accounts = [state.content["accounts"][ROOT_ACCOUNT_ID]] if auth(request).user.admin else []
    return paged_json(request, values, [_account_json(a, includes(request, values), state) for a in accounts])


def _account_json(account: Record, wanted: set[str], state: CanvasState) -> Record:
    out = dict(account)
    if "lti_guid" in wanted:
        out["lti_guid"] = f"{account['uuid']}:canvas-lms"
    if "course_count" in wanted:
        ids = set(descendants(state, account["id"]))
        out["course_count"] = sum(1 for c in state.content["courses"].values() if c["account_id"] in ids)
    if "sub_account_count" in wanted:
        out["sub_account_count"] = len(descendants(state, account["id"])) - 1
    return out


def _account_in_path(name: str) -> Finder:
    """The account the path's `name` part names (see `find_account`)."""
    return lambda request: find_account(ctx(request).state, request.match_info[name])


_in_account = found_then_admin(_account_in_path("account_id"))


@found_then_admin(_account_in_path("id"))
async def account_show(request: web.Request, account: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/accounts/:id`."""
    return json_response(_account_json(account, includes(request, values), ctx(request).state))


@_in_account
async def sub_accounts(request: web.Request, account: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/accounts/:account_id/sub_accounts` (`recursive=true` for every level)."""
    state = ctx(request).state
    if truthy(param(values, "recursive")):
        ids = descendants(state, account["id"])[1:]
    else:
        ids = [a["id"] for a in state.content["accounts"].values() if a["parent_account_id"] == account["id"]]
    found = [_account_json(state.content["accounts"][i], set(), state) for i in sorted(ids)]
    return paged_json(request, values, found)


@_in_account
async def account_courses(request: web.Request, account: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/accounts/:account_id/courses`, with `include[]=term` and `search_term`."""
    state = ctx(request).state
    ids = set(descendants(state, account["id"]))
    wanted = includes(request, values)
    search = (param(values, "search_term") or "").lower()
    found = [
        _course_json(state, c, wanted)
        for c in sorted(state.content["courses"].values(), key=lambda c: c["id"])
        if c["account_id"] in ids and c["workflow_state"] != "deleted" and search in c["name"].lower()
    ]
    return paged_json(request, values, found)


@_in_account
async def terms_index(request: web.Request, _account: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/accounts/:account_id/terms`: `{"enrollment_terms": [...]}`, paginated."""
    state = ctx(request).state
    terms = [dict(t) for t in sorted(state.content["terms"].values(), key=lambda t: t["id"])]
    chosen, links = paginate(request, values, terms)
    return json_response({"enrollment_terms": chosen}, headers={"Link": links})


@_in_account
async def scopes_index(request: web.Request, _account: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/accounts/:account_id/scopes[?group_by=resource_name]`: the catalogue."""
    old_pages = ctx(request).scenario.canvas.old_pages_scopes
    if param(values, "group_by") == "resource_name":
        return json_response({name: [e.as_json() for e in group] for name, group in sections(old_pages).items()})
    return json_response([entry.as_json() for entry in catalogue(old_pages)])


# --- courses ------------------------------------------------------------------------------------


def _course_in_path(name: str) -> Finder:
    """The course the path's `name` part names (see `find_course`)."""
    return lambda request: find_course(ctx(request).state, request.match_info[name])


_in_course = found_then_admin(_course_in_path("course_id"))


@found_then_admin(_course_in_path("id"))
async def course_show(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/courses/:id`."""
    return json_response(_course_json(ctx(request).state, course, includes(request, values)))


@found_then_admin(_course_in_path("id"))
async def course_update(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
    """`PUT /api/v1/courses/:id`: update name, code, default view, syllabus visibility."""
    _apply(
        course,
        values,
        "course",
        {"name": "str", "course_code": "str", "default_view": "str", "public_syllabus": "bool", "license": "str"},
    )
    return json_response(dict(course))


def _lister(kind: str) -> Handler:
    @_in_course
    async def handler(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
        return paged_json(request, values, _items(ctx(request).state, kind, course))

    handler.__doc__ = f"`GET /api/v1/courses/:course_id/{kind}`: the course's {kind}, paginated."
    return handler


def _shower(kind: str, id_name: str) -> Handler:
    @_in_course
    async def handler(request: web.Request, course: Record, _values: Values) -> web.StreamResponse:
        record = _item(ctx(request).state, kind, course, request.match_info[id_name])
        return json_response(public(record)) if record else not_found()

    handler.__doc__ = f"`GET /api/v1/courses/:course_id/{kind}/:{id_name}`."
    return handler


def _updater(kind: str, id_name: str, prefix: str | None, fields: dict[str, str]) -> Handler:
    @_in_course
    async def handler(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
        record = _item(ctx(request).state, kind, course, request.match_info[id_name])
        if record is None:
            return not_found()
        _apply(record, values, prefix, fields)
        return json_response(public(record))

    handler.__doc__ = f"`PUT /api/v1/courses/:course_id/{kind}/:{id_name}`: update the record."
    return handler


assignments_index = _lister("assignments")
assignment_show = _shower("assignments", "id")
assignment_update = _updater(
    "assignments",
    "id",
    "assignment",
    {"name": "str", "description": "str", "due_at": "str", "points_possible": "float", "published": "bool"},
)
discussions_index = _lister("discussion_topics")
discussion_show = _shower("discussion_topics", "topic_id")
discussion_update = _updater(
    "discussion_topics", "topic_id", None, {"title": "str", "message": "str", "published": "bool"}
)
quizzes_index = _lister("quizzes")
quiz_show = _shower("quizzes", "id")
quiz_update = _updater(
    "quizzes", "id", "quiz", {"title": "str", "description": "str", "time_limit": "str", "published": "bool"}
)
files_index = _lister("files")
file_show = _shower("files", "id")
media_index = _lister("media_objects")


@_in_course
async def content_migrations(request: web.Request, _course: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/courses/:course_id/content_migrations`: none were run in the sandbox."""
    return paged_json(request, values, [])


@_in_course
async def blueprint_subscriptions(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/courses/:course_id/blueprint_subscriptions`."""
    subs = [
        {k: v for k, v in s.items() if k not in ("migrations", "course_id")}
        for s in ctx(request).state.content["blueprint_subscriptions"].values()
        if s["course_id"] == course["id"]
    ]
    return paged_json(request, values, subs)


@_in_course
async def blueprint_migrations(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
    """`GET /api/v1/courses/:course_id/blueprint_subscriptions/:subscription_id/migrations`."""
    raw = request.match_info["subscription_id"]
    subs = [s for s in ctx(request).state.content["blueprint_subscriptions"].values() if s["course_id"] == course["id"]]
    chosen = subs[0] if (raw == "default" and subs) else next((s for s in subs if str(s["id"]) == raw), None)
    if chosen is None:
        return not_found()
    return paged_json(request, values, list(chosen["migrations"]))


# --- pages --------------------------------------------------------------------------------------


def _find_page(state: CanvasState, course: Record, raw: str) -> Record | None:
    key = raw.split(":", 1)[1] if raw.startswith("page_id:") else None
    for page in state.content["pages"].values():
        if page["course_id"] != course["id"] or page.get("workflow_state") == "deleted":
            continue
        if (key is not None and str(page["page_id"]) == key) or page["url"] == raw or str(page["page_id"]) == raw:
            return page
    return None


pages_index = _lister("pages")


@_in_course
async def page_show(request: web.Request, course: Record, _values: Values) -> web.StreamResponse:
    """`GET /api/v1/courses/:course_id/pages/:url_or_id`."""
    page = _find_page(ctx(request).state, course, request.match_info["url_or_id"])
    return json_response(public(page)) if page else not_found()


@_in_course
async def page_update(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
    """`PUT /api/v1/courses/:course_id/pages/:url_or_id`: update, or create the page when missing."""
    state = ctx(request).state
    raw = request.match_info["url_or_id"]
    page = _find_page(state, course, raw)
    if page is None:
        new_id = state.next_id("content")
        title = param(values, "wiki_page[title]") or raw.replace("-", " ").title()
        slug = "-".join(title.lower().split())
        page = {
            "page_id": new_id,
            "course_id": course["id"],
            "url": slug,
            "title": title,
            "body": "",
            "created_at": iso(),
            "updated_at": iso(),
            "published": False,
            "front_page": False,
            "editing_roles": "teachers",
            "html_url": f"/courses/{course['id']}/pages/{slug}",
        }
        state.content["pages"][new_id] = page
    _apply(page, values, "wiki_page", {"title": "str", "body": "str", "published": "bool", "front_page": "bool"})
    return json_response(public(page))


# --- files --------------------------------------------------------------------------------------


@_in_course
async def course_file_upload(request: web.Request, course: Record, values: Values) -> web.StreamResponse:
    """`POST /api/v1/courses/:course_id/files`: step 1 of Canvas's upload, the upload URL and params."""
    name = param(values, "name") or "upload.bin"
    ticket = secrets.token_urlsafe(16)
    uploads: dict[str, Record] = ctx(request).extras.setdefault("uploads", {})
    uploads[ticket] = {
        "course_id": course["id"],
        "name": name,
        "content_type": param(values, "content_type") or "application/octet-stream",
    }
    return json_response(
        {
            "upload_url": f"{request.scheme}://{request.host}/files_api/upload/{ticket}",
            "upload_params": {"filename": name, "content_type": uploads[ticket]["content_type"]},
            "file_param": "file",
            "progress": None,
        }
    )


async def upload_target(request: web.Request) -> web.StreamResponse:
    """`POST /files_api/upload/:ticket`: step 2, receive the bytes and create the file (201)."""
    uploads: dict[str, Record] = ctx(request).extras.setdefault("uploads", {})
    ticket = uploads.pop(request.match_info["ticket"], None)
    if ticket is None:
        return not_found()
    size = 0
    form = await request.post()
    part = form.get("file")
    if isinstance(part, web.FileField):
        size = len(part.file.read())
    state = ctx(request).state
    fid = state.next_id("content")
    record = {
        "id": fid,
        "course_id": ticket["course_id"],
        "uuid": secrets.token_hex(20),
        "folder_id": ticket["course_id"],
        "display_name": ticket["name"],
        "filename": ticket["name"],
        "content-type": ticket["content_type"],
        "size": size,
        "created_at": iso(),
        "updated_at": iso(),
        "locked": False,
        "hidden": False,
        "url": f"/files/{fid}/download",
    }
    state.content["files"][fid] = record
    return json_response(public(record), 201)


def _file_in_path(request: web.Request) -> Record | None:
    """The file `:id` names, in any course."""
    return _item(ctx(request).state, "files", None, request.match_info["id"])


@found_then_admin(_file_in_path)
async def file_update(request: web.Request, record: Record, values: Values) -> web.StreamResponse:
    """`PUT /api/v1/files/:id`: rename, lock or hide."""
    name = param(values, "name")
    if name:
        record["display_name"] = name
    _apply(record, values, None, {"locked": "bool", "hidden": "bool"})
    return json_response(public(record))


@found_then_admin(_file_in_path)
async def file_delete(request: web.Request, record: Record, _values: Values) -> web.StreamResponse:
    """`DELETE /api/v1/files/:id`: delete the file and return it."""
    record["workflow_state"] = "deleted"
    return json_response({k: v for k, v in record.items() if k != "workflow_state"})


# --- media objects ------------------------------------------------------------------------------


def _media_in_path(request: web.Request) -> Record | None:
    """The media object `:media_object_id` names, by media id or local id."""
    raw = request.match_info["media_object_id"]
    for media in ctx(request).state.content["media_objects"].values():
        if media["media_id"] == raw or str(media["id"]) == raw:
            return media
    return None


# Canvas's media lookup is itself a permission check: a missing object is "user not authorized".
_media_route = found_then_admin(_media_in_path, missing=unauthorized)


@_media_route
async def media_update(request: web.Request, media: Record, values: Values) -> web.StreamResponse:
    """`PUT /api/v1/media_objects/:media_object_id`: a missing object fails the permission check."""
    title = param(values, "user_entered_title")
    if title:
        media["user_entered_title"] = media["title"] = title
    return json_response(public(media))


@_media_route
async def media_tracks(request: web.Request, media: Record, _values: Values) -> web.StreamResponse:
    """`GET /api/v1/media_objects/:media_object_id/media_tracks`."""
    return json_response(list(media["media_tracks"]))


@_media_route
async def media_tracks_update(request: web.Request, media: Record, _values: Values) -> web.StreamResponse:
    """`PUT /api/v1/media_objects/:media_object_id/media_tracks`: replace the tracks (JSON array)."""
    body = request.get(JSON_LIST)
    if isinstance(body, list):
        state = ctx(request).state
        media["media_tracks"] = [
            {
                "id": state.next_id("content"),
                "kind": str(t.get("kind", "subtitles")),
                "locale": str(t.get("locale", "en")),
                "content": str(t.get("content", "")),
                "media_object_id": media["media_id"],
            }
            for t in body
            if isinstance(t, dict)
        ]
    return json_response(list(media["media_tracks"]))


def add_routes(app: web.Application) -> None:
    """Register every API route above."""
    v1 = "/api/v1"
    c = f"{v1}/courses/{{course_id}}"
    routes = [
        ("GET", f"{v1}/users/{{id}}", user_show),
        ("GET", f"{v1}/accounts", accounts_index),
        ("GET", f"{v1}/accounts/{{id}}", account_show),
        ("GET", f"{v1}/accounts/{{account_id}}/sub_accounts", sub_accounts),
        ("GET", f"{v1}/accounts/{{account_id}}/courses", account_courses),
        ("GET", f"{v1}/accounts/{{account_id}}/terms", terms_index),
        ("GET", f"{v1}/accounts/{{account_id}}/scopes", scopes_index),
        ("GET", f"{v1}/courses/{{id}}", course_show),
        ("PUT", f"{v1}/courses/{{id}}", course_update),
        ("GET", f"{c}/assignments", assignments_index),
        ("GET", f"{c}/assignments/{{id}}", assignment_show),
        ("PUT", f"{c}/assignments/{{id}}", assignment_update),
        ("GET", f"{c}/blueprint_subscriptions", blueprint_subscriptions),
        ("GET", f"{c}/blueprint_subscriptions/{{subscription_id}}/migrations", blueprint_migrations),
        ("GET", f"{c}/content_migrations", content_migrations),
        ("POST", f"{c}/files", course_file_upload),
        ("GET", f"{c}/discussion_topics", discussions_index),
        ("GET", f"{c}/discussion_topics/{{topic_id}}", discussion_show),
        ("PUT", f"{c}/discussion_topics/{{topic_id}}", discussion_update),
        ("GET", f"{c}/files", files_index),
        ("GET", f"{c}/files/{{id}}", file_show),
        ("PUT", f"{v1}/files/{{id}}", file_update),
        ("DELETE", f"{v1}/files/{{id}}", file_delete),
        ("GET", f"{c}/media_objects", media_index),
        ("PUT", f"{v1}/media_objects/{{media_object_id}}", media_update),
        ("GET", f"{v1}/media_objects/{{media_object_id}}/media_tracks", media_tracks),
        ("PUT", f"{v1}/media_objects/{{media_object_id}}/media_tracks", media_tracks_update),
        ("GET", f"{c}/pages", pages_index),
        ("GET", f"{c}/pages/{{url_or_id}}", page_show),
        ("PUT", f"{c}/pages/{{url_or_id}}", page_update),
        ("GET", f"{c}/quizzes", quizzes_index),
        ("GET", f"{c}/quizzes/{{id}}", quiz_show),
        ("PUT", f"{c}/quizzes/{{id}}", quiz_update),
    ]
    for method, path, handler in routes:
        if method == "GET":
            app.router.add_get(path, handler)  # and HEAD, which Canvas treats as GET
        else:
            app.router.add_route(method, path, handler)
    app.router.add_post("/files_api/upload/{ticket}", upload_target)
