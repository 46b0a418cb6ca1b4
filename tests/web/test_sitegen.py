"""``hub generate``: a deterministic site whose counters are right, that members can log
in to, and that the generator refuses to mix with real members."""
from __future__ import annotations

import hashlib
from dataclasses import replace

from sqlalchemy import func, select

from hub.accounts.models import User
from hub.courses.models import Course, Enrolment, LessonProgress
from hub.extensions import db
from hub.forum import services as forum_services
from hub.forum import structure
from hub.forum.models import Forum, Notification, Post, Topic
from hub.practices.models import Practice
from hub.quizzes.models import Attempt
from hub.sitegen import generator
from hub.sitegen.sizes import DOMAIN, PASSWORD, SIZES

TINY = replace(SIZES["S"], name="tiny", members=24, courses=2, posts=420, enrolments_per_member=2, quiz_attempts=6,
               practices=3, long_thread=205)


def _generate(seed: int = 1) -> generator.Generated:
    structure.seed_defaults()
    db.session.commit()
    return generator.generate(TINY, seed=seed)


def _fingerprint() -> str:
    rows = db.session.execute(select(User.email, Topic.title, Post.position, Post.body_md)
                              .join(Topic, Post.topic_id == Topic.id).join(User, Post.user_id == User.id)
                              .order_by(Post.id)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_generates_a_consistent_site(app, client):
    made = _generate()
    assert made.members == 24 == db.session.scalar(select(func.count(User.id)).where(User.email.like(f"%@{DOMAIN}")))
    assert made.courses == 2 and db.session.scalar(select(func.count(Course.id))) == 2
    assert db.session.scalar(select(func.count(Enrolment.id))) == made.enrolments == 48
    assert db.session.scalar(select(func.count(LessonProgress.id))) >= made.lessons_done > 0
    assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.state == "finished")) == made.quiz_attempts > 0
    assert db.session.scalar(select(func.count(Post.id))) == made.posts == 420
    assert db.session.scalar(select(func.count(Notification.id))) == made.notifications > 0
    assert db.session.scalar(select(func.count(Practice.id))) == 3
    assert made.documents > made.posts  # posts, lessons, courses, practices in the index
    assert max(db.session.scalars(select(Topic.last_position))) == 205  # the long thread the benchmark reads

    stored = {t.id: (t.reply_count, t.last_post_id, t.last_position) for t in db.session.scalars(select(Topic))}
    forums = {f.id: (f.topic_count, f.post_count, f.last_post_id) for f in db.session.scalars(select(Forum))}
    for topic in db.session.scalars(select(Topic)).all():
        forum_services.recount(topic)  # the per-topic recount moderation uses agrees with the bulk one
    db.session.commit()
    db.session.expire_all()
    assert stored == {t.id: (t.reply_count, t.last_post_id, t.last_position) for t in db.session.scalars(select(Topic))}
    assert forums == {f.id: (f.topic_count, f.post_count, f.last_post_id) for f in db.session.scalars(select(Forum))}

    member = db.session.scalar(select(User).where(User.email == f"member5@{DOMAIN}"))
    response = client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    long_thread = db.session.scalar(select(Topic).where(Topic.last_position == 205))
    page = client.get(f"/forum/topic/{long_thread.id}?page=11")
    assert page.status_code == 200
    assert long_thread.title in page.get_data(as_text=True) and f'id="post-{long_thread.last_post_id}"' in page.get_data(
        as_text=True)
    assert client.get("/search?q=interpreter").status_code == 200
    assert client.get("/dashboard").status_code == 200


def test_the_same_seed_gives_the_same_site(app):
    prints = []
    for seed in (7, 7, 8):
        for table in reversed(db.metadata.sorted_tables):  # an empty site each time (ids need not match)
            db.session.execute(table.delete())
        db.session.commit()
        _generate(seed)
        prints.append(_fingerprint())
    assert prints[0] == prints[1] != prints[2]


def test_refuses_a_site_with_members_unless_forced(app, runner, make_user):
    make_user(email="real.person@example.org")
    result = runner.invoke(args=["generate", "--size", "S"])
    assert result.exit_code != 0
    assert "already has 1 member(s)" in result.output and "--force" in result.output
    assert db.session.scalar(select(func.count(User.id)).where(User.email.like(f"%@{DOMAIN}"))) == 0
    forced = generator.generate(replace(TINY, posts=30, courses=1, practices=0), force=True)
    assert forced.members == 24
    emails = set(db.session.scalars(select(User.email).where(User.email.like(f"%@{DOMAIN}"))))
    assert "member0.1@" + DOMAIN in emails  # tagged: a second run never collides with the first
