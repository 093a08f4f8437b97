"""The seeded institution: a root account with sub-accounts, terms, and courses holding assignments,
pages, files, quizzes, discussions and media, as JSON-ready records shaped like Canvas's API output.

Ids are local (Canvas shows same-shard ids locally); the content is fixed so tests can name records.
"""

from __future__ import annotations

import uuid
from typing import Any

_NS = uuid.UUID("6f1d3c1e-6a51-4a8e-9d55-0a11ce5a0b01")
CREATED = "2026-08-01T12:00:00Z"

ACCOUNTS = (
    (1, "Sandbox University", None),
    (2, "College of Arts and Sciences", 1),
    (3, "School of Engineering", 1),
    (4, "Department of History", 2),
)

TERMS = (
    (1, "Default Term", None, None),
    (2, "Fall 2026", "2026-08-24T05:00:00Z", "2026-12-18T05:00:00Z"),
    (3, "Spring 2027", "2027-01-11T05:00:00Z", "2027-05-07T05:00:00Z"),
)

# (id, code, name, account, term, has content)
COURSES = (
    (101, "HIST 101", "World History", 4, 2, True),
    (102, "BIO 110", "Cells and Life", 2, 2, True),
    (103, "ENGR 201", "Statics", 3, 2, True),
    (104, "ENG 102", "Academic Writing", 2, 3, True),
    (105, "MATH 150", "Calculus I", 2, 2, True),
    (106, "CHEM 101", "General Chemistry", 2, 3, False),
    (107, "ART 120", "Drawing Foundations", 2, 2, False),
    (108, "ENGR 105", "Design Studio", 3, 3, False),
    (109, "HIST 230", "Modern Europe", 4, 3, False),
    (110, "PHYS 121", "Mechanics", 2, 2, False),
    (111, "MUS 100", "Music Appreciation", 2, 3, False),
    (112, "TRAIN 001", "Sandbox Course", 1, 1, False),
)


def _uuid(*parts: object) -> str:
    return uuid.uuid5(_NS, "/".join(str(part) for part in parts)).hex[:40].ljust(40, "0")


def account_record(account_id: int, name: str, parent: int | None) -> dict[str, Any]:
    """An account as `GET /api/v1/accounts/:id` returns it (root: root_account_id null)."""
    return {
        "id": account_id,
        "name": name,
        "workflow_state": "active",
        "parent_account_id": parent,
        "root_account_id": None if parent is None else 1,
        "uuid": _uuid("account", account_id),
        "default_storage_quota_mb": 500,
        "default_user_storage_quota_mb": 50,
        "default_group_storage_quota_mb": 50,
        "default_time_zone": "America/New_York",
    }


def _term(term_id: int, name: str, start: str | None, end: str | None) -> dict[str, Any]:
    return {
        "id": term_id,
        "name": name,
        "start_at": start,
        "end_at": end,
        "created_at": CREATED,
        "workflow_state": "active",
        "grading_period_group_id": None,
        "sis_term_id": None if term_id == 1 else f"T{term_id}",
        "overrides": {},
    }


def _course(cid: int, code: str, name: str, account: int, term: int) -> dict[str, Any]:
    return {
        "id": cid,
        "name": f"{code}: {name}",
        "account_id": account,
        "uuid": _uuid("course", cid),
        "start_at": None,
        "grading_standard_id": None,
        "is_public": False,
        "created_at": CREATED,
        "course_code": code,
        "default_view": "modules",
        "root_account_id": 1,
        "enrollment_term_id": term,
        "license": "private",
        "grade_passback_setting": None,
        "end_at": None,
        "public_syllabus": False,
        "public_syllabus_to_auth": False,
        "storage_quota_mb": 500,
        "is_public_to_auth_users": False,
        "homeroom_course": False,
        "course_color": None,
        "friendly_name": None,
        "apply_assignment_group_weights": False,
        "calendar": {"ics": f"/feeds/calendars/course_{_uuid('cal', cid)}.ics"},
        "time_zone": "America/New_York",
        "blueprint": False,
        "template": False,
        "sis_course_id": f"{code.replace(' ', '')}-{term}",
        "integration_id": None,
        "hide_final_grades": False,
        "workflow_state": "available",
        "restrict_enrollments_to_course_dates": False,
    }


def _course_content(cid: int, code: str, out: dict[str, dict[int, dict[str, Any]]]) -> None:
    base = cid * 10
    for n in (1, 2):
        aid = base + n
        out["assignments"][aid] = {
            "id": aid,
            "course_id": cid,
            "name": f"{code} Essay {n}" if n == 1 else f"{code} Problem Set {n}",
            "description": f"<p>Read chapter {n} and submit your answers as a PDF.</p>",
            "created_at": CREATED,
            "updated_at": CREATED,
            "due_at": f"2026-09-{10 + n:02d}T03:59:59Z",
            "points_possible": 10.0 * n,
            "grading_type": "points",
            "submission_types": ["online_upload"],
            "published": True,
            "position": n,
            "html_url": f"/courses/{cid}/assignments/{aid}",
        }
        slug = "syllabus-notes" if n == 1 else f"week-{n}-readings"
        out["pages"][aid] = {
            "page_id": aid,
            "course_id": cid,
            "url": slug,
            "title": "Syllabus notes" if n == 1 else f"Week {n} readings",
            "body": f"<h2>Week {n}</h2><p>See the readings and the attached slides.</p>",
            "created_at": CREATED,
            "updated_at": CREATED,
            "published": True,
            "front_page": n == 1,
            "editing_roles": "teachers",
            "html_url": f"/courses/{cid}/pages/{slug}",
        }
        fid = base + n
        name = f"lecture-{n}.pdf" if n == 1 else f"slides-{n}.pptx"
        out["files"][fid] = {
            "id": fid,
            "course_id": cid,
            "uuid": _uuid("file", fid),
            "folder_id": cid,
            "display_name": name,
            "filename": name,
            "content-type": "application/pdf"
            if n == 1
            else ("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            "size": 184_320 * n,
            "created_at": CREATED,
            "updated_at": CREATED,
            "locked": False,
            "hidden": False,
            "url": f"/files/{fid}/download",
        }
    out["quizzes"][base + 1] = {
        "id": base + 1,
        "course_id": cid,
        "title": f"{code} Quiz 1",
        "description": "<p>Ten questions on the first two weeks.</p>",
        "quiz_type": "assignment",
        "time_limit": 30,
        "published": True,
        "question_count": 10,
        "points_possible": 10.0,
        "html_url": f"/courses/{cid}/quizzes/{base + 1}",
    }
    out["discussion_topics"][base + 1] = {
        "id": base + 1,
        "course_id": cid,
        "title": "Introduce yourself",
        "message": "<p>Tell the class where you are from and why you took this course.</p>",
        "posted_at": CREATED,
        "discussion_type": "threaded",
        "published": True,
        "html_url": f"/courses/{cid}/discussion_topics/{base + 1}",
    }
    media_id = f"m-{cid}lecture1"
    out["media_objects"][base + 1] = {
        "id": base + 1,
        "course_id": cid,
        "media_id": media_id,
        "title": f"{code} lecture 1 recording",
        "media_type": "video",
        "can_add_captions": True,
        "user_entered_title": f"{code} lecture 1 recording",
        "media_tracks": [
            {
                "id": base + 1,
                "kind": "subtitles",
                "locale": "en",
                "content": "WEBVTT\n\n00:00.000 --> 00:04.000\nWelcome to the course.\n",
                "media_object_id": media_id,
            }
        ],
    }


def seed_content() -> dict[str, dict[int, dict[str, Any]]]:
    """A fresh copy of the institution's records, by kind and local id."""
    out: dict[str, dict[int, dict[str, Any]]] = {
        kind: {}
        for kind in (
            "accounts",
            "terms",
            "courses",
            "assignments",
            "pages",
            "files",
            "quizzes",
            "discussion_topics",
            "media_objects",
            "blueprint_subscriptions",
        )
    }
    for account_id, name, parent in ACCOUNTS:
        out["accounts"][account_id] = account_record(account_id, name, parent)
    for term_id, term_name, start, end in TERMS:
        out["terms"][term_id] = _term(term_id, term_name, start, end)
    for cid, code, name, account, term, has_content in COURSES:
        out["courses"][cid] = _course(cid, code, name, account, term)
        if has_content:
            _course_content(cid, code, out)
    out["blueprint_subscriptions"][1] = {
        "id": 1,
        "course_id": 102,
        "template_id": 1,
        "blueprint_course": {
            "id": 107,
            "name": "ART 120: Drawing Foundations",
            "course_code": "ART 120",
            "term_name": "Fall 2026",
        },
        "migrations": [
            {
                "id": 1,
                "workflow_state": "completed",
                "created_at": CREATED,
                "exports_started_at": CREATED,
                "imports_queued_at": CREATED,
                "imports_completed_at": CREATED,
                "comment": "Initial sync",
                "subscription_id": 1,
            }
        ],
    }
    return out
