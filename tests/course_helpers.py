"""Small course folders written by tests (not the shipped content), and shortcuts
to import them. Usable by any feature's tests:

    folder = write_course(tmp_path, slug="demo")
    course = import_folder(folder)
"""
from __future__ import annotations

from pathlib import Path

import yaml

# A 1x1 transparent PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def front(meta: dict, body: str = "") -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body


def default_lessons() -> list[dict]:
    return [
        {"file": "01-first-steps.md", "slug": "first-steps", "title": "First steps", "section": "basics",
         "body": "## Welcome\n\nThe first lesson, about outreach.\n"},
        {"file": "02-going-further.md", "slug": "going-further", "title": "Going further", "section": "basics",
         "body": "## More\n\n- one\n- two\n"},
        {"file": "03-wrap-up.md", "slug": "wrap-up", "title": "Wrap-up", "section": "practice",
         "body": "## Done\n\nA table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"},
    ]


def write_course(base: Path, slug: str = "demo", *, folder: str | None = None, title: str = "Demo course",
                 meta: dict | None = None, lessons: list[dict] | None = None,
                 files: dict[str, str | bytes] | None = None, description: str = "A course for tests.\n") -> Path:
    """Write a valid course folder under ``base`` and return it. ``meta`` overrides
    course.md fields, ``lessons`` replaces the default three lessons (dicts with
    file, slug, title, section, body and any other front matter), ``files`` adds
    or replaces raw files (relative path → text or bytes)."""
    path = Path(base) / (folder or f"10-{slug}")
    path.mkdir(parents=True, exist_ok=True)
    course = {
        "slug": slug, "title": title, "summary": f"Summary of {title}.", "kind": "zone", "zone": 1,
        "language": "en", "order": 1, "estimated_hours": 2, "published": True,
        "enrolment": {"mode": "open", "key": None, "opens": None, "closes": None, "capacity": None},
        "completion": {"lessons": "all", "quizzes": [], "forum_posts": 0, "certificate": "auto",
                       "prerequisites": []},
        "sections": [{"slug": "basics", "title": "Basics"}, {"slug": "practice", "title": "Practice"}],
    }
    for key, value in (meta or {}).items():
        if value is None and key in course:
            del course[key]
        elif isinstance(value, dict) and isinstance(course.get(key), dict):
            course[key] = {**course[key], **value}
        else:
            course[key] = value
    (path / "course.md").write_text(front(course, description), encoding="utf-8")
    for lesson in default_lessons() if lessons is None else lessons:
        lesson = dict(lesson)
        name, body = lesson.pop("file"), lesson.pop("body", "Text.\n")
        (path / name).write_text(front(lesson, body), encoding="utf-8")
    for name, data in (files or {}).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return path


def import_folder(folder: Path):
    """Import one course folder (committed) and return its Course."""
    from hub.courses import content
    from hub.courses.services import get_by_slug
    from hub.extensions import db

    report = content.import_path(folder)
    db.session.commit()  # the caller commits, as hub content import and the zip upload do
    return get_by_slug(report.courses[0])
