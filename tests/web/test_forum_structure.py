"""Forum structure: seeded defaults, administrators' management, course forums and
what other features ask of the forum (post counts, the post signal, the course link)."""
from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from hub import signals
from hub.extensions import db
from hub.forum import services, structure
from hub.forum.models import Forum, ForumCategory
from tests.web.forum_helpers import forum, make_course, new_topic, seed, text, topic_with_replies


def test_seed_command_creates_defaults_once(app, runner):
    assert structure.needs_seed()
    result = runner.invoke(args=["forum", "seed"])
    assert result.exit_code == 0, result.output
    slugs = set(db.session.scalars(select(Forum.slug)))
    assert {"general", "case-discussions", "ask-a-trainer", "announcements", "spain", "italy", "denmark",
            "france", "greece"} <= slugs
    assert forum("announcements").kind == "announcements"
    assert forum("ask-a-trainer").kind == "qa"
    assert forum("case-discussions").case_discussion and forum("denmark").case_discussion
    assert not forum("general").case_discussion
    assert not structure.needs_seed()
    count = db.session.scalar(select(func.count(Forum.id)))
    again = runner.invoke(args=["forum", "seed"])
    assert again.exit_code == 0 and "already exist" in again.output
    assert db.session.scalar(select(func.count(Forum.id))) == count
    assert db.session.scalar(select(func.count(ForumCategory.id))) == 3


def test_prepare_site_seeds_only_an_empty_forum(app, monkeypatch):
    from hub import commands

    monkeypatch.setattr("flask_migrate.upgrade", lambda **kw: None)
    monkeypatch.setattr("hub.search.indexer.bring_up_to_date", lambda: "The search index is up to date.")
    monkeypatch.setattr("hub.courses.content.site_is_empty", lambda: False)
    lines = []
    commands.prepare_site(echo=lines.append)
    assert any("default forums" in line for line in lines)
    structure.delete_forum(forum("spain"))
    db.session.commit()
    lines.clear()
    commands.prepare_site(echo=lines.append)
    assert not any("default forums" in line for line in lines)  # an administrator's deletion stays
    assert db.session.scalar(select(Forum.id).where(Forum.slug == "spain")) is None


def test_forum_is_for_members(app, client):
    seed()
    response = client.get("/forum/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/forum/f/general").status_code == 302


@pytest.mark.parametrize("role", ["learner", "trainer", "moderator"])
def test_only_admins_manage(app, client, login, role):
    seed()
    login(role)
    assert client.get("/forum/manage").status_code == 403
    assert client.post("/forum/manage/forums/new", data={"title": "X", "slug": "x", "kind": "standard",
                                                          "category_id": "0"}).status_code == 403


def test_admin_creates_edits_reorders_and_deletes(app, client, login):
    seed()
    login("admin")
    page = client.get("/forum/manage")
    assert page.status_code == 200 and "Country boards" in text(page)
    response = client.post("/forum/manage/categories/new", data={"title": "Research", "description": "Studies"})
    assert response.status_code == 302
    category = db.session.scalar(select(ForumCategory).where(ForumCategory.title == "Research"))
    response = client.post("/forum/manage/forums/new", data={
        "title": "Evidence", "slug": "evidence", "description": "What works", "category_id": str(category.id),
        "kind": "qa", "qa_post_first": "y"})
    assert response.status_code == 302, text(response)
    evidence = forum("evidence")
    assert evidence.kind == "qa" and evidence.category_id == category.id and evidence.qa_post_first
    # bad and duplicate addresses are refused with a message, the input kept
    bad = client.post("/forum/manage/forums/new", data={"title": "Bad", "slug": "Not OK!", "kind": "standard",
                                                        "category_id": "0"})
    assert bad.status_code == 200 and "lower-case letters" in text(bad) and 'value="Bad"' in text(bad)
    dup = client.post("/forum/manage/forums/new", data={"title": "Dup", "slug": "general", "kind": "standard",
                                                        "category_id": "0"})
    assert "already uses" in text(dup)
    client.post(f"/forum/manage/forums/{evidence.id}/edit", data={
        "title": "Evidence and research", "slug": "evidence", "category_id": str(category.id), "kind": "standard"})
    db.session.refresh(evidence)
    assert evidence.title == "Evidence and research" and evidence.kind == "standard"
    # reorder: Spain moves below Italy
    spain, italy = forum("spain"), forum("italy")
    assert spain.position < italy.position
    client.post(f"/forum/manage/forums/{spain.id}/move", data={"direction": "down"})
    db.session.refresh(spain)
    db.session.refresh(italy)
    assert spain.position > italy.position
    first = structure.categories()[0]
    client.post(f"/forum/manage/categories/{first.id}/move", data={"direction": "down"})
    assert structure.categories()[1].id == first.id
    # the index follows the order
    index = text(client.get("/forum/"))
    assert index.index(">Italy<") < index.index(">Spain<")
    # only empty forums and categories can be deleted
    category_id = category.id
    exists = select(ForumCategory.id).where(ForumCategory.id == category_id)
    client.post(f"/forum/manage/categories/{category_id}/delete")
    assert db.session.scalar(exists) is not None
    client.post(f"/forum/manage/forums/{evidence.id}/delete")
    client.post(f"/forum/manage/categories/{category_id}/delete")
    assert db.session.scalar(exists) is None


def test_admin_cannot_delete_a_forum_with_topics(app, client, login, make_user):
    seed()
    topic_with_replies(forum("general"), make_user())
    login("admin")
    response = client.post(f"/forum/manage/forums/{forum('general').id}/delete", follow_redirects=True)
    assert "Only an empty forum can be deleted" in text(response)
    assert forum("general") is not None


def test_course_forum_only_for_participants(app, client, login, make_user, auth):
    seed()
    learner = make_user()
    outsider = make_user()
    former = make_user()
    trainer = make_user("trainer")
    other_trainer = make_user("trainer")
    make_course("other", trainers=[other_trainer])
    course = make_course("inclusion", enrolled=[learner], trainers=[trainer], unenrolled=[former])
    assert structure.course_forum(course, create=False) is None
    auth.login(learner)
    response = client.get("/forum/course/inclusion")
    assert response.status_code == 302  # made on first visit
    created = structure.course_forum(course, create=False)
    assert created is not None and response.headers["Location"].endswith(f"/forum/f/{created.slug}")
    assert client.get(f"/forum/f/{created.slug}").status_code == 200
    assert "Your course forums" in text(client.get("/forum/"))
    assert new_topic(client, created.slug, "Week 1", "Hello course").status_code == 302
    for user, status in ((outsider, 403), (former, 403), (other_trainer, 403), (trainer, 200)):
        auth.logout()
        auth.login(user)
        assert client.get(f"/forum/f/{created.slug}").status_code == status, user
        assert client.get("/forum/course/inclusion").status_code in ((302,) if status == 200 else (403,))
    auth.logout()
    auth.login(outsider)
    assert "Your course forums" not in text(client.get("/forum/"))
    topic_id = db.session.scalar(select(Forum.id).where(Forum.id == created.id))
    assert topic_id
    auth.logout()
    login("moderator")
    assert client.get(f"/forum/f/{created.slug}").status_code == 200


def test_post_counts_per_course_and_signal(app, make_user):
    seed()
    learner, other = make_user(), make_user()
    course = make_course("counting", enrolled=[learner, other])
    course_forum = structure.course_forum(course)
    received = []

    def receiver(sender, user=None, post=None, **extra):
        received.append((sender, user.id, post.id, post in db.session))

    signals.forum_post_created.connect(receiver)
    try:
        topic = topic_with_replies(course_forum, learner, replies=[(learner, "two"), (other, "three")])
        topic_with_replies(forum("general"), learner)  # site-wide: not counted
    finally:
        signals.forum_post_created.disconnect(receiver)
    assert len(received) == 4 and all(r[0] is app and r[3] for r in received)
    assert services.count_posts_in_course(learner.id, course.id) == 2
    assert services.count_posts_in_course(other.id, course.id) == 1
    assert services.count_posts_in_course_for_users([learner.id, other.id], course.id) == {learner.id: 2,
                                                                                          other.id: 1}
    posts = sorted((p for p in db.session.scalars(select(services.Post).where(services.Post.topic_id == topic.id))),
                   key=lambda p: p.position)
    services.delete_post(posts[1])
    db.session.commit()
    assert services.count_posts_in_course(learner.id, course.id) == 1
    assert services.course_of_post(posts[0]).id == course.id
    assert services.course_of_post(db.session.get(services.Post, received[-1][2])) is None


def test_course_forum_link_partial(app, make_user):
    seed()
    learner, outsider = make_user(), make_user()
    course = make_course("linked", enrolled=[learner])
    topic_with_replies(structure.course_forum(course), learner, replies=[(learner, "again")])
    from flask_login import login_user

    template = '{% include "forum/_course_forum_link.html" %}'
    with app.test_request_context("/"):
        login_user(learner)
        html = render_template_string(template, course=course)
    assert "/forum/course/linked" in html and "2 posts" in html and "You wrote 2 posts" in html
    with app.test_request_context("/"):
        login_user(outsider)
        assert "/forum/course/linked" not in render_template_string(template, course=course)


def test_a_course_forum_post_counts_toward_completion(app, client, make_user):
    """Through the signal: progress re-measures the learner in the same commit."""
    from hub.courses.models import Enrolment

    learner = make_user()
    course = make_course("discuss-to-complete", enrolled=[learner])
    course.completion_rules = {"lessons": "none", "quizzes": [], "forum_posts": 2}
    db.session.commit()
    from tests.web.forum_helpers import login_as, reply, topic_id_from
    login_as(client, learner)
    client.get("/forum/course/discuss-to-complete")
    slug = structure.course_forum(course, create=False).slug
    topic_id = topic_id_from(new_topic(client, slug, "My reflection", "What I learnt"))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.completed_at is None
    reply(client, topic_id, "And one more thought")
    db.session.refresh(enrolment)
    assert enrolment.completed_at is not None


def test_search_documents_of_posts(app, make_user):
    """What the index gets from the forum: visible posts only, each with the scope and
    gate the permission rules need (the search tests check who finds what)."""
    from hub.forum import moderation, search

    seed()
    writer, moderator = make_user(), make_user("moderator")
    course = make_course("searchable", enrolled=[writer])
    public = topic_with_replies(forum("general"), writer, "Public topic", replies=[(writer, "Visible reply")])
    private = topic_with_replies(structure.course_forum(course), writer, "Course topic")
    hidden = services.reply(public, writer, "Hidden reply", "en")
    moderation.hide_post(hidden, moderator, "x")
    db.session.commit()
    ids = list(search.post_ids())
    docs = list(search.post_documents(ids))
    bodies = {d["body"] for d in docs}
    assert "Visible reply" in bodies and "Hidden reply" not in bodies and hidden.id not in ids
    course_doc = next(d for d in docs if d["title"] == "Course topic")
    assert course_doc["course"] == "searchable" and course_doc["scope"] == f"course-forum:{course.id}"
    assert course_doc["endpoint"] == "forum.permalink" and course_doc["gate"] == "open"
    assert private.id != public.id
