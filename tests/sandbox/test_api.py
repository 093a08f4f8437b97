"""The API with scope enforcement (docs/canvas.md 4, 7.1, 8, 9): the 31 Ally probes, token
failures, includes, pagination and the seeded records."""

from __future__ import annotations

import time

import httpx
import pytest
from sandbox_helpers import ALLY_SCOPES, bearer, get_token

from ally_wizard.sandbox import Sandbox

INSUFFICIENT = {"errors": [{"message": "Insufficient scopes on access token."}]}
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
NOT_AUTHORIZED = {"status": "unauthorized", "errors": [{"message": "user not authorized to perform that action"}]}

# (scope, probe path, expected status, expected body or None for "a 200 JSON"); the method is the scope's own
PROBES: list[tuple[str, str, int, object]] = [
    ("url:GET|/api/v1/accounts", "/accounts?per_page=1", 200, None),
    ("url:GET|/api/v1/accounts/:id", "/accounts/0", 404, NOT_FOUND),
    ("url:GET|/api/v1/accounts/:account_id/sub_accounts", "/accounts/self/sub_accounts?per_page=1", 200, None),
    ("url:GET|/api/v1/accounts/:account_id/courses", "/accounts/self/courses?per_page=1", 200, None),
    ("url:GET|/api/v1/courses/:course_id/assignments", "/courses/0/assignments", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/assignments/:id", "/courses/0/assignments/0", 404, NOT_FOUND),
    ("url:PUT|/api/v1/courses/:course_id/assignments/:id", "/courses/0/assignments/0", 404, NOT_FOUND),
    (
        "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions",
        "/courses/0/blueprint_subscriptions",
        404,
        NOT_FOUND,
    ),
    (
        "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions/:subscription_id/migrations",
        "/courses/0/blueprint_subscriptions/default/migrations",
        404,
        NOT_FOUND,
    ),
    ("url:GET|/api/v1/courses/:course_id/content_migrations", "/courses/0/content_migrations", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:id", "/courses/0", 404, NOT_FOUND),
    ("url:PUT|/api/v1/courses/:id", "/courses/0", 404, NOT_FOUND),
    ("url:POST|/api/v1/courses/:course_id/files", "/courses/0/files", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/discussion_topics", "/courses/0/discussion_topics", 404, NOT_FOUND),
    (
        "url:GET|/api/v1/courses/:course_id/discussion_topics/:topic_id",
        "/courses/0/discussion_topics/0",
        404,
        NOT_FOUND,
    ),
    (
        "url:PUT|/api/v1/courses/:course_id/discussion_topics/:topic_id",
        "/courses/0/discussion_topics/0",
        404,
        NOT_FOUND,
    ),
    ("url:GET|/api/v1/accounts/:account_id/terms", "/accounts/0/terms", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/files", "/courses/0/files", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/files/:id", "/courses/0/files/0", 404, NOT_FOUND),
    ("url:PUT|/api/v1/files/:id", "/files/0", 404, NOT_FOUND),
    ("url:DELETE|/api/v1/files/:id", "/files/0", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/media_objects", "/courses/0/media_objects", 404, NOT_FOUND),
    ("url:PUT|/api/v1/media_objects/:media_object_id", "/media_objects/0", 401, NOT_AUTHORIZED),
    (
        "url:GET|/api/v1/media_objects/:media_object_id/media_tracks",
        "/media_objects/0/media_tracks",
        401,
        NOT_AUTHORIZED,
    ),
    (
        "url:PUT|/api/v1/media_objects/:media_object_id/media_tracks",
        "/media_objects/0/media_tracks",
        401,
        NOT_AUTHORIZED,
    ),
    ("url:GET|/api/v1/courses/:course_id/pages", "/courses/0/pages", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/pages/:url_or_id", "/courses/0/pages/0", 404, NOT_FOUND),
    ("url:PUT|/api/v1/courses/:course_id/pages/:url_or_id", "/courses/0/pages/0", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/quizzes", "/courses/0/quizzes", 404, NOT_FOUND),
    ("url:GET|/api/v1/courses/:course_id/quizzes/:id", "/courses/0/quizzes/0", 404, NOT_FOUND),
    ("url:PUT|/api/v1/courses/:course_id/quizzes/:id", "/courses/0/quizzes/0", 404, NOT_FOUND),
]


def probe_method(scope: str) -> str:
    """The HTTP method a scope names (`url:PUT|/api/v1/files/:id` -> `PUT`): each probe calls just that."""
    return scope.removeprefix("url:").split("|", 1)[0]


def test_the_probe_table_covers_all_31_scopes() -> None:
    assert sorted(p[0] for p in PROBES) == sorted(ALLY_SCOPES)


async def test_every_ally_probe_answers_as_canvas_with_all_scopes(sb: Sandbox, http: httpx.AsyncClient) -> None:
    token = (await get_token(sb, http))["access_token"]
    before = sb.snapshot()
    for scope, path, status, body in PROBES:
        response = await http.request(probe_method(scope), f"{sb.base_url}/api/v1{path}", headers=bearer(token))
        assert response.status_code == status, (scope, response.text)
        if body is not None:
            assert response.json() == body, scope
        assert "X-Request-Cost" in response.headers and "X-Rate-Limit-Remaining" in response.headers
    assert sb.snapshot() == before  # probes change nothing


async def test_missing_scopes_give_exactly_the_scope_error(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("missing-scopes")
    missing = set(sandbox.scenario.key.missing_scopes)
    granted = " ".join(s for s in ALLY_SCOPES if s not in missing)
    token = (await get_token(sandbox, http, scope=granted))["access_token"]
    refused = []
    for scope, path, _status, _body in PROBES:
        response = await http.request(probe_method(scope), f"{sandbox.base_url}/api/v1{path}", headers=bearer(token))
        if response.json() == INSUFFICIENT:
            assert response.status_code == 401
            assert "WWW-Authenticate" not in response.headers
            refused.append(scope)
    assert set(refused) == missing


async def test_users_self_is_outside_allys_scopes(sb: Sandbox, http: httpx.AsyncClient) -> None:
    token = (await get_token(sb, http))["access_token"]
    response = await http.get(f"{sb.base_url}/api/v1/users/self", headers=bearer(token))
    assert (response.status_code, response.json()) == (401, INSUFFICIENT)
    admin = await http.get(f"{sb.base_url}/api/v1/users/self", headers=bearer(sb.admin_token))
    assert admin.json()["name"] == "Avery Admin"


async def test_enforce_scopes_off_reaches_everything(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("enforce-scopes-off")
    token = (await get_token(sandbox, http))["access_token"]
    response = await http.get(f"{sandbox.base_url}/api/v1/users/self", headers=bearer(token))
    assert response.status_code == 200
    courses = await http.get(f"{sandbox.base_url}/api/v1/accounts/self/courses?include[]=term", headers=bearer(token))
    assert "term" in courses.json()[0]


async def test_scope_check_precedes_the_lookup_and_allows_self(sb: Sandbox, http: httpx.AsyncClient) -> None:
    token = (await get_token(sb, http, scope="url:GET|/api/v1/accounts/:id"))["access_token"]
    assert (await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(token))).status_code == 200
    assert (await http.head(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(token))).status_code == 200
    other = await http.get(f"{sb.base_url}/api/v1/courses/0", headers=bearer(token))
    assert other.json() == INSUFFICIENT


async def test_includes_are_cut_to_uuid_when_the_key_does_not_allow_them(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("includes-off")
    token = (await get_token(sandbox, http))["access_token"]
    url = f"{sandbox.base_url}/api/v1/accounts/self/courses?per_page=1&include[]=term"
    response = await http.get(url, headers=bearer(token))
    assert response.status_code == 200
    assert "term" not in response.json()[0]
    ready = await make_sandbox("ready")
    token = (await get_token(ready, http))["access_token"]
    response = await http.get(url.replace(sandbox.base_url, ready.base_url), headers=bearer(token))
    assert response.json()[0]["term"]["name"] == "Fall 2026"


async def test_no_credentials(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self")
    assert response.status_code == 401
    assert response.json() == {"status": "unauthenticated", "errors": [{"message": "user authorization required"}]}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'


async def test_bad_token(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer("17~nope"))
    assert (response.status_code, response.json()) == (401, {"errors": [{"message": "Invalid access token."}]})
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'


async def test_expired_token_current_and_legacy(make_sandbox, http: httpx.AsyncClient) -> None:
    for name, expected in (("ready", "Expired access token."), ("old-canvas", "Invalid access token.")):
        sandbox = await make_sandbox(name)
        token = (await get_token(sandbox, http))["access_token"]
        for record in sandbox.state.tokens.values():
            if record.developer_key_id is not None:
                record.expires_at = time.time() - 5
        response = await http.get(f"{sandbox.base_url}/api/v1/accounts/self", headers=bearer(token))
        assert response.status_code == 401
        assert response.text.replace("while(1);", "").startswith(f'{{"errors":[{{"message":"{expected}"')
        assert "WWW-Authenticate" in response.headers


async def test_token_of_a_key_switched_off_is_invalid(sb: Sandbox, http: httpx.AsyncClient) -> None:
    token = (await get_token(sb, http))["access_token"]
    for binding in sb.state.bindings.values():
        binding.workflow_state = "off"
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(token))
    assert response.json() == {"errors": [{"message": "Invalid access token."}]}


async def test_unrouted_api_path_is_404(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/api/v1/no_such_thing", headers=bearer(sb.admin_token))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


async def test_pagination_links_and_per_page_clamp(sb: Sandbox, http: httpx.AsyncClient) -> None:
    headers = bearer(sb.admin_token)
    first = await http.get(f"{sb.base_url}/api/v1/accounts/self/courses", headers=headers)
    assert len(first.json()) == 10
    link = first.headers["Link"]
    assert 'rel="current"' in link and 'rel="next"' in link and 'rel="last"' in link and 'rel="prev"' not in link
    assert first.links["next"]["url"].endswith("page=2&per_page=10")
    second = await http.get(first.links["next"]["url"], headers=headers)
    assert [c["id"] for c in second.json()] == [111, 112]
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]
    big = await http.get(f"{sb.base_url}/api/v1/accounts/self/courses?per_page=1000", headers=headers)
    assert len(big.json()) == 12 and "per_page=100" in big.headers["Link"]
    small = await http.get(f"{sb.base_url}/api/v1/accounts/self/courses?per_page=0", headers=headers)
    assert len(small.json()) == 1
    token_param = await http.get(f"{sb.base_url}/api/v1/accounts/self/courses?access_token={sb.admin_token}")
    assert token_param.status_code == 200 and "access_token" not in token_param.headers["Link"]


async def test_accounts_and_sub_accounts(sb: Sandbox, http: httpx.AsyncClient) -> None:
    headers = bearer(sb.admin_token)
    accounts = (await http.get(f"{sb.base_url}/api/v1/accounts", headers=headers)).json()
    assert [a["name"] for a in accounts] == ["Sandbox University"]
    assert accounts[0]["root_account_id"] is None and accounts[0]["parent_account_id"] is None
    subs = (await http.get(f"{sb.base_url}/api/v1/accounts/self/sub_accounts", headers=headers)).json()
    assert [a["id"] for a in subs] == [2, 3]
    everything = await http.get(f"{sb.base_url}/api/v1/accounts/1/sub_accounts?recursive=true", headers=headers)
    assert [a["id"] for a in everything.json()] == [2, 3, 4]
    sub = (await http.get(f"{sb.base_url}/api/v1/accounts/4", headers=headers)).json()
    assert (sub["parent_account_id"], sub["root_account_id"]) == (2, 1)


async def test_terms_are_wrapped_in_enrollment_terms(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self/terms", headers=bearer(sb.admin_token))
    assert [t["name"] for t in response.json()["enrollment_terms"]] == ["Default Term", "Fall 2026", "Spring 2027"]


async def test_seeded_course_content_is_realistic(sb: Sandbox, http: httpx.AsyncClient) -> None:
    headers = bearer(sb.admin_token)
    base = f"{sb.base_url}/api/v1/courses/101"
    assert (await http.get(base, headers=headers)).json()["course_code"] == "HIST 101"
    for kind in ("assignments", "pages", "files", "quizzes", "discussion_topics", "media_objects"):
        items = (await http.get(f"{base}/{kind}", headers=headers)).json()
        assert items, kind
    page = (await http.get(f"{base}/pages/syllabus-notes", headers=headers)).json()
    assert page["title"] == "Syllabus notes"
    tracks = (await http.get(f"{sb.base_url}/api/v1/media_objects/m-101lecture1/media_tracks", headers=headers)).json()
    assert tracks[0]["locale"] == "en"
    by_sis = await http.get(f"{sb.base_url}/api/v1/courses/sis_course_id:HIST101-2", headers=headers)
    assert by_sis.json()["id"] == 101


async def test_put_page_on_a_real_course_creates_it(sb: Sandbox, http: httpx.AsyncClient) -> None:
    """Why the probes use course 0: Canvas's page update creates a missing page."""
    before = sb.snapshot()
    response = await http.put(f"{sb.base_url}/api/v1/courses/101/pages/0", headers=bearer(sb.admin_token))
    assert response.status_code == 200
    assert sb.snapshot() != before


async def test_updates_change_records(sb: Sandbox, http: httpx.AsyncClient) -> None:
    headers = bearer(sb.admin_token)
    response = await http.put(
        f"{sb.base_url}/api/v1/courses/101/assignments/1011", headers=headers, data={"assignment[name]": "Renamed"}
    )
    assert response.json()["name"] == "Renamed"
    deleted = await http.delete(f"{sb.base_url}/api/v1/files/1011", headers=headers)
    assert deleted.status_code == 200
    assert (await http.get(f"{sb.base_url}/api/v1/courses/101/files/1011", headers=headers)).status_code == 404


async def test_file_upload_two_steps(sb: Sandbox, http: httpx.AsyncClient) -> None:
    headers = bearer(sb.admin_token)
    first = await http.post(f"{sb.base_url}/api/v1/courses/101/files", headers=headers, data={"name": "notes.txt"})
    upload = first.json()
    done = await http.post(upload["upload_url"], data=upload["upload_params"], files={"file": ("notes.txt", b"hello")})
    assert done.status_code == 201 and done.json()["size"] == 5


async def test_teacher_without_admin_rights_is_not_authorized(sb: Sandbox, http: httpx.AsyncClient) -> None:
    teacher = sb.state.users[2]
    token = sb.state.issue_token(teacher, None, (), "test", expires=False)
    response = await http.get(f"{sb.base_url}/api/v1/courses/101", headers=bearer(token.token))
    assert (response.status_code, response.json()) == (401, NOT_AUTHORIZED)
    assert (await http.get(f"{sb.base_url}/api/v1/accounts", headers=bearer(token.token))).json() == []


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/courses/0", 404, NOT_FOUND),
        ("/accounts/0/terms", 404, NOT_FOUND),
        ("/files/0", 404, NOT_FOUND),
        ("/media_objects/0/media_tracks", 401, NOT_AUTHORIZED),
        ("/courses/101", 401, NOT_AUTHORIZED),
    ],
)
async def test_the_lookup_precedes_the_permission_check(
    sb: Sandbox, http: httpx.AsyncClient, path: str, status: int, body: object
) -> None:
    """Canvas's controllers look the record up first (docs/canvas.md 9): a non-admin learns it is missing."""
    teacher = sb.state.users[2]
    token = sb.state.issue_token(teacher, None, (), "test", expires=False)
    method = "PUT" if path.startswith("/files") else "GET"
    response = await http.request(method, f"{sb.base_url}/api/v1{path}", headers=bearer(token.token))
    assert (response.status_code, response.json()) == (status, body)


async def test_old_canvas_prefixes_json_with_while_1(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("old-canvas")
    response = await http.get(f"{sandbox.base_url}/api/v1/accounts/self", headers=bearer(sandbox.admin_token))
    assert response.text.startswith('while(1);{"id":1')


@pytest.mark.parametrize("group", [False, True])
async def test_scope_catalogue(sb: Sandbox, http: httpx.AsyncClient, group: bool) -> None:
    query = "?group_by=resource_name" if group else ""
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self/scopes{query}", headers=bearer(sb.admin_token))
    body = response.json()
    entries = [e for group_entries in body.values() for e in group_entries] if group else body
    scopes = {e["scope"] for e in entries}
    assert set(ALLY_SCOPES) <= scopes
    assert "url:GET|/api/v1/users/:id" in scopes
    assert len(scopes) > 31
    assert set(entries[0]) == {"resource", "resource_name", "controller", "action", "verb", "scope"}
    if group:
        assert list(body) == sorted(body)
        assert "Media Objects" in body
