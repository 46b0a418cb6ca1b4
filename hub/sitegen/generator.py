"""Fill a site with generated data, deterministically (a fixed seed gives the same site).

Courses, practices and quiz attempts go through the hub's own importers and services,
so they are exactly what trainers and learners produce. Members, enrolments, progress
and forum posts are written in bulk (one INSERT per batch) because a size-L site has
200,000 posts; the counters they feed (topics, forums) are then recomputed from the rows
by ``forum.services.recount_all`` so every number on every page is right."""
from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from ..accounts.models import User
from ..courses.models import Course, Enrolment, Lesson, LessonProgress
from ..extensions import db
from ..forum.models import Forum, MemberSettings, Notification, Post, Subscription, Topic
from ..forum.services import render_post
from ..permissions import ADMIN, LEARNER, MODERATOR, TRAINER
from . import texts
from .sizes import DOMAIN, PASSWORD, Size
from .writing import write_course_folder, write_practice_files

BATCH = 5_000
START = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)  # generated history runs from here, not from "now"
Tick = Callable[[str, int], None]


class GeneratorRefused(Exception):
    """The database already has members: generated data would mix with real people."""


@dataclass
class Generated:
    members: int = 0
    courses: int = 0
    enrolments: int = 0
    lessons_done: int = 0
    quiz_attempts: int = 0
    topics: int = 0
    posts: int = 0
    notifications: int = 0
    practices: int = 0
    documents: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _people() -> int:
    """Accounts that can log in (the shipped content's editorial account cannot)."""
    return db.session.scalar(select(func.count(User.id)).where(User.password_hash != "!")) or 0


def check_may_generate(force: bool) -> None:
    members = _people()
    if members and not force:
        raise GeneratorRefused(
            f"This site already has {members} member(s). The generator fills an empty site; use a new "
            "instance folder (HUB_INSTANCE_PATH) or pass --force to add generated data to this one.")


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _at(rng: random.Random, days: int = 330) -> datetime:
    return START + timedelta(minutes=rng.randrange(days * 24 * 60))


# -- members ------------------------------------------------------------------------------

def _members(size: Size, rng: random.Random, tag: str) -> list[int]:
    password_hash = generate_password_hash(PASSWORD)  # once: hashing is deliberately slow
    countries = sorted(texts.FIRST_NAMES)
    rows = []
    for n in range(size.members):
        country = countries[n % len(countries)]
        first, last = rng.choice(texts.FIRST_NAMES[country]), rng.choice(texts.LAST_NAMES[country])
        role = ADMIN if n == 0 else MODERATOR if n % 97 == 1 else TRAINER if n % 41 == 2 else LEARNER
        joined = _at(rng, 120)
        rows.append({"email": f"member{n}{tag}@{DOMAIN}", "display_name": f"{first} {last}",
                     "password_hash": password_hash, "country": country,
                     "language": texts.COUNTRY_LANGUAGE[country] if n % 3 else "en",
                     "organisation": rng.choice(texts.ORGANISATIONS), "profession": rng.choice(texts.PROFESSIONS),
                     "role": role, "active": True, "created_at": joined, "email_confirmed_at": joined,
                     "failed_logins": 0})
    _bulk(User, rows)
    return list(db.session.scalars(select(User.id).where(User.email.like(f"%{tag}@{DOMAIN}")).order_by(User.id)))


# -- courses ------------------------------------------------------------------------------

def _courses(size: Size, rng: random.Random, tag: str) -> int:
    """Generated courses beside the shipped ones, written as content folders and
    imported by the course importer (sections, lessons, quiz, translations of titles)."""
    from ..courses import content

    shipped = db.session.scalar(select(func.count(Course.id))) or 0
    wanted = max(size.courses - shipped, 0)
    with tempfile.TemporaryDirectory() as folder:
        folders = [write_course_folder(Path(folder), n, tag, rng) for n in range(wanted)]
        for start in range(0, len(folders), 25):
            content.import_folders(folders[start:start + 25])
            db.session.commit()
    return wanted


def _enrolments(size: Size, rng: random.Random, member_ids: list[int]) -> tuple[int, int]:
    """Each member in a few published courses, with the first lessons read and some done."""
    courses = db.session.scalars(select(Course.id).where(Course.published.is_(True)).order_by(Course.id)).all()
    lessons: dict[int, list[int]] = {}
    for lesson_id, course_id in db.session.execute(
            select(Lesson.id, Lesson.course_id).where(Lesson.archived_at.is_(None)).order_by(Lesson.position)):
        lessons.setdefault(course_id, []).append(lesson_id)
    enrolments, progress = [], []
    for user_id in member_ids:
        for course_id in rng.sample(courses, min(size.enrolments_per_member, len(courses))):
            when = _at(rng, 200)
            enrolments.append({"user_id": user_id, "course_id": course_id, "status": "active", "enrolled_at": when})
            course_lessons = lessons.get(course_id, [])
            for lesson_id in course_lessons[:rng.randint(0, len(course_lessons))]:
                seen = when + timedelta(days=rng.randint(0, 20))
                done = seen + timedelta(minutes=rng.randint(5, 90)) if rng.random() < 0.85 else None
                progress.append({"user_id": user_id, "lesson_id": lesson_id, "first_viewed_at": seen,
                                 "completed_at": done})
    _bulk(Enrolment, enrolments)
    _bulk(LessonProgress, progress)
    return len(enrolments), sum(1 for p in progress if p["completed_at"])


def _quiz_attempts(size: Size, rng: random.Random, member_ids: list[int]) -> int:
    """Attempts started, answered and finished through the quiz services (grades,
    completions and certificates follow as they do for a learner)."""
    from ..quizzes import attempts
    from ..quizzes.models import Quiz

    quizzes = db.session.scalars(select(Quiz).where(Quiz.published.is_(True)).order_by(Quiz.id)).all()
    enrolled: dict[int, list[int]] = {}
    for user_id, course_id in db.session.execute(select(Enrolment.user_id, Enrolment.course_id)):
        enrolled.setdefault(course_id, []).append(user_id)
    done = 0
    candidates = [(q, u) for q in quizzes for u in enrolled.get(q.course_id, [])]
    for quiz, user_id in rng.sample(candidates, min(size.quiz_attempts, len(candidates))):
        user = db.session.get(User, user_id)
        try:
            attempt, _ = attempts.start_attempt(user, quiz, now=_at(rng), rng=rng)
        except attempts.QuizError:
            continue
        good = rng.random() < 0.7
        answers = {r.position: _answer(r.qtype, r.snapshot.get("data", {}), good, rng) for r in attempt.responses}
        attempts.save_answers(attempt, answers, now=attempt.started_at + timedelta(minutes=3))
        attempts.finish_attempt(attempt, now=attempt.started_at + timedelta(minutes=rng.randint(4, 20)))
        db.session.commit()
        done += 1
    return done


def _answer(qtype: str, data: dict, good: bool, rng: random.Random) -> dict | None:
    if qtype == "truefalse":
        return {"value": bool(data.get("correct")) if good else rng.random() < 0.5}
    if qtype == "multichoice" and data.get("answers"):
        answers = data["answers"]
        best = max(range(len(answers)), key=lambda i: answers[i].get("fraction", 0))
        if data.get("single", True):
            return {"choice": best if good else rng.randrange(len(answers))}
        return {"choices": [i for i, a in enumerate(answers) if a.get("fraction", 0) > 0 or not good]}
    if qtype == "shortanswer" and data.get("answers"):
        return {"text": data["answers"][0]["text"] if good else "not sure"}
    return None


# -- forum --------------------------------------------------------------------------------

def _rendered_bodies() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Each text rendered once by the hub's Markdown renderer; posts reuse them."""
    cases = [(title, body, str(render_post(body).html)) for title, body in texts.CASES]
    replies = [(body, str(render_post(body).html)) for body in texts.REPLIES]
    return replies, cases


def _forum(size: Size, rng: random.Random, member_ids: list[int], tick: Tick) -> tuple[int, int, int]:
    from ..forum import services as forum_services
    from ..forum import structure

    if structure.needs_seed():
        structure.seed_defaults()
    for course in db.session.scalars(select(Course).where(Course.published.is_(True)).order_by(Course.id)):
        structure.course_forum(course)
    db.session.commit()
    forums = db.session.execute(select(Forum.id, Forum.course_id, Forum.kind).order_by(Forum.id)).all()
    forums = [f for f in forums if f.kind != "announcements"] or forums
    replies, cases = _rendered_bodies()
    lengths = _thread_lengths(size, rng)
    topic_rows, post_plan = [], []  # post_plan: (topic index, author, position, when, body index)
    for topic_index, length in enumerate(lengths):
        author = rng.choice(member_ids)
        title = cases[topic_index % len(cases)][0]
        started = _at(rng, 300)
        topic_rows.append({"forum_id": forums[topic_index % len(forums)].id, "user_id": author,
                           "title": title if topic_index < len(cases) else f"{title} ({topic_index + 1})",
                           "language": "en", "created_at": started, "last_post_at": started,
                           "pinned": topic_index % 50 == 0, "locked": False, "hidden": False,
                           "reply_count": 0, "last_position": 0})
        when = started
        for position in range(1, length + 1):
            when += timedelta(minutes=rng.randint(5, 600))
            post_plan.append((topic_index, author if position == 1 else rng.choice(member_ids), position, when,
                              -1 - (topic_index % len(cases)) if position == 1 else rng.randrange(len(replies))))
    topic_ids = []
    for start in range(0, len(topic_rows), BATCH):
        topic_ids += list(db.session.scalars(insert(Topic).returning(Topic.id, sort_by_parameter_order=True),
                                             topic_rows[start:start + BATCH]))
    rows = []
    for topic_idx, author, position, when, body in post_plan:
        if body < 0:
            md, html = cases[-1 - body][1], cases[-1 - body][2]
            language = "en"
        else:
            md, html = replies[body]
            language = texts.REPLY_LANGUAGES.get(body, "en")
        rows.append({"topic_id": topic_ids[topic_idx], "user_id": author, "position": position, "body_md": md,
                     "body_html": html, "language": language, "created_at": when, "edit_count": 0,
                     "helpful_count": 0, "hidden_reason": ""})
        if len(rows) == BATCH:
            db.session.execute(insert(Post), rows)
            tick("forum", len(rows))
            rows = []
    if rows:
        db.session.execute(insert(Post), rows)
        tick("forum", len(rows))
    forum_services.recount_all()
    subscriptions = [{"user_id": row["user_id"], "topic_id": topic_ids[i], "email_mode": "digest", "muted": False,
                      "created_at": row["created_at"]} for i, row in enumerate(topic_rows)]
    _bulk(Subscription, subscriptions)
    _bulk(MemberSettings, [{"user_id": user_id, "email_enabled": True, "email_mode": "digest",
                            "auto_subscribe": True} for user_id in member_ids[::7]])
    notes = _notifications(rng, topic_ids, topic_rows)
    db.session.commit()
    return len(topic_rows), len(post_plan), notes


def _thread_lengths(size: Size, rng: random.Random) -> list[int]:
    """Posts per topic: one long thread per 10,000 posts (the benchmark reads one), the
    rest short discussions with a long tail, as in real forums."""
    lengths, remaining = [], size.posts
    for _ in range(max(1, size.posts // 10_000)):
        lengths.append(min(size.long_thread, remaining))
        remaining -= lengths[-1]
    while remaining > 0:
        lengths.append(min(max(1, int(rng.paretovariate(1.3) * 3)), 60, remaining))
        remaining -= lengths[-1]
    return lengths


def _notifications(rng: random.Random, topic_ids: list[int], topic_rows: list[dict]) -> int:
    """Reply notifications for topic starters: the last few replies of each topic,
    the older ones read."""
    last_posts = db.session.execute(select(Post.id, Post.topic_id, Post.user_id, Post.created_at)
                                    .where(Post.position > 1, Post.position >= Topic.last_position - 2)
                                    .join(Topic, Topic.id == Post.topic_id)).all()
    starters = {topic_ids[i]: row["user_id"] for i, row in enumerate(topic_rows)}
    rows = [{"user_id": starters[p.topic_id], "kind": "reply", "post_id": p.id, "topic_id": p.topic_id,
             "actor_id": p.user_id, "created_at": p.created_at, "email_state": "sent",
             "read_at": p.created_at + timedelta(hours=3) if rng.random() < 0.6 else None, "text": "", "url": ""}
            for p in last_posts if p.topic_id in starters and starters[p.topic_id] != p.user_id]
    _bulk(Notification, rows)
    return len(rows)


# -- practices ----------------------------------------------------------------------------

def _practices(size: Size, rng: random.Random, tag: str) -> int:
    from ..practices.content import import_practices
    from ..practices.models import Practice

    have = db.session.scalar(select(func.count(Practice.id))) or 0
    wanted = max(size.practices - have, 0)
    if not wanted:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        write_practice_files(Path(folder), wanted, tag, rng)
        created, _updated = import_practices(folder)
    db.session.commit()
    return created


# -- the whole run ------------------------------------------------------------------------

def generate(size: Size, seed: int = 1, tick: Tick = lambda _step, _n: None, force: bool = False) -> Generated:
    """Fill the current app's database; the caller has prepared the site (schema,
    shipped content, default forums). Returns what was made."""
    import time

    from ..search import indexer

    check_may_generate(force)
    rng = random.Random(seed)
    existing = _people()
    tag = f".{existing}" if existing else ""
    made = Generated()
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        made.timings[step] = round(now - clock, 2)
        clock = now
        tick(step, 0)

    member_ids = _members(size, rng, tag)
    db.session.commit()
    made.members = len(member_ids)
    lap("members")
    made.courses = _courses(size, rng, tag)
    lap("courses")
    made.enrolments, made.lessons_done = _enrolments(size, rng, member_ids)
    db.session.commit()
    lap("enrolments")
    made.quiz_attempts = _quiz_attempts(size, rng, member_ids)
    lap("quiz attempts")
    made.topics, made.posts, made.notifications = _forum(size, rng, member_ids, tick)
    lap("forum")
    made.practices = _practices(size, rng, tag)
    lap("practices")
    made.documents = indexer.rebuild(progress=lambda n: tick("search index", n))
    lap("search index")
    return made
