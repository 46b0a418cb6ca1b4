"""Writing: Markdown rendered once through the one sanitiser, preview, quotes,
@mentions, the edit window with history, deleting, helpful marks."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hub.database import utcnow
from hub.extensions import db
from hub.forum.models import HelpfulMark, Notification, Post, PostRevision
from tests.web.forum_helpers import (
    forum,
    login_as,
    new_topic,
    posts_of,
    reply,
    seed,
    text,
    topic_id_from,
    topic_with_replies,
)


def test_markdown_is_sanitised_and_stored_on_save(app, client, login):
    seed()
    login()
    response = new_topic(client, "general", "Formatting", "**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    post = posts_of(topic_id_from(response))[0]
    assert "<strong>bold</strong>" in post.body_html
    assert "<script" not in post.body_html and "javascript:" not in post.body_html
    page = text(client.get(response.headers["Location"]))
    assert "<strong>bold</strong>" in page and "<script>alert(1)" not in page


def test_preview_renders_without_saving(app, client, login):
    seed()
    login()
    response = new_topic(client, "general", "Draft title", "Some *emphasis*", post="", preview="1")
    assert response.status_code == 200
    page = text(response)
    assert "<em>emphasis</em>" in page and "Draft title" in page and "Some *emphasis*" in page
    assert db.session.scalar(select(func.count(Post.id))) == 0


def test_missing_title_or_body_keeps_the_text(app, client, login):
    seed()
    login()
    response = new_topic(client, "general", "", "A body without title")
    assert response.status_code == 200 and "Give your topic a title" in text(response)
    assert "A body without title" in text(response)
    response = new_topic(client, "general", "A title", "   ")
    assert "Write something before posting" in text(response) and 'value="A title"' in text(response)
    assert db.session.scalar(select(func.count(Post.id))) == 0


def test_quote_links_back_to_the_quoted_post(app, client, make_user):
    seed()
    author, quoter = make_user(display_name="Maria Jensen"), make_user()
    topic = topic_with_replies(forum("general"), author, replies=[(author, "We use *job taster days*.")])
    quoted = posts_of(topic.id)[1]
    login_as(client, quoter)
    form = text(client.get(f"/forum/topic/{topic.id}/reply?quote={quoted.id}"))
    assert f"[Maria Jensen](/forum/post/{quoted.id}) wrote:" in form
    assert "&gt; We use *job taster days*." in form
    body = f"> **[Maria Jensen](/forum/post/{quoted.id}) wrote:**\n>\n> We use *job taster days*.\n\nSo do we."
    reply(client, topic.id, body)
    html = posts_of(topic.id)[-1].body_html
    assert "<blockquote>" in html and f'href="/forum/post/{quoted.id}"' in html
    assert "<em>job taster days</em>" in html.split("</blockquote>")[0]
    # a deleted or foreign post cannot be quoted
    other = topic_with_replies(forum("general"), author, "Other")
    assert client.get(f"/forum/topic/{topic.id}/reply?quote={posts_of(other.id)[0].id}").status_code == 404


def test_mentions_notify_and_link_the_member(app, client, make_user):
    seed()
    maria = make_user(display_name="Maria Jensen")
    solo = make_user(display_name="Kostas")
    writer = make_user()
    login_as(client, writer)
    response = new_topic(client, "general", "Ask Maria",
                         "Hi @[Maria Jensen] and @kostas, see `@[Maria Jensen]` in code.")
    post = posts_of(topic_id_from(response))[0]
    assert f'href="/forum/members/{maria.id}"' in post.body_html and "@Maria Jensen" in post.body_html
    assert f'href="/forum/members/{solo.id}"' in post.body_html
    assert "<code>@[Maria Jensen]</code>" in post.body_html
    mentions = db.session.scalars(select(Notification).where(Notification.kind == "mention")).all()
    assert sorted(n.user_id for n in mentions) == sorted([maria.id, solo.id])
    assert all(n.post_id == post.id and n.actor_id == writer.id for n in mentions)
    # quoting a post does not mention the people it mentions again
    reply(client, post.topic_id, f"> **[W](/forum/post/{post.id}) wrote:**\n> Hi @[Maria Jensen]\n\nAgreed.")
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "mention")) == 2


def test_shared_names_need_the_id(app, client, make_user):
    seed()
    first, second = make_user(display_name="Ana Pérez"), make_user(display_name="Ana Pérez")
    login_as(client, make_user())
    response = new_topic(client, "general", "Which Ana?", "Hello @[Ana Pérez]")
    assert "Several members are called Ana Pérez" in text(client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "mention")) == 0
    lookup = client.get("/forum/members/lookup?q=ana").get_json()
    assert {item["insert"] for item in lookup} == {f"@[Ana Pérez#{first.id}]", f"@[Ana Pérez#{second.id}]"}
    reply(client, topic_id_from(response), f"Sorry, I meant @[Ana Pérez#{second.id}]")
    assert list(db.session.scalars(select(Notification.user_id).where(Notification.kind == "mention"))) == [second.id]


def test_member_lookup_for_the_editor(app, client, login, make_user):
    make_user(display_name="Giulia Rossi", organisation="Comune di Bologna")
    make_user(display_name="Gregor")
    assert client.get("/forum/members/lookup?q=giu").status_code == 302  # members only
    login()
    found = client.get("/forum/members/lookup?q=giu").get_json()
    assert found == [{"name": "Giulia Rossi", "detail": "Comune di Bologna", "insert": "@[Giulia Rossi]"}]
    assert client.get("/forum/members/lookup?q=g").get_json() == []


def test_edit_within_the_window_keeps_history(app, client, make_user):
    seed()
    author, other, moderator = make_user(), make_user(), make_user("moderator")
    topic = topic_with_replies(forum("general"), author, "Typo tpoic")
    post = posts_of(topic.id)[0]
    login_as(client, author)
    form = text(client.get(f"/forum/post/{post.id}/edit"))
    assert "Opening post of Typo tpoic" in form and 'value="Typo tpoic"' in form
    response = client.post(f"/forum/post/{post.id}/edit", data={"title": "Typo topic", "body": "Corrected text",
                                                                 "language": "en", "post": "1"})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.body_md == "Corrected text" and post.edit_count == 1 and post.edited_at is not None
    assert post.topic.title == "Typo topic"
    revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id))
    assert revision.body_md == "Opening post of Typo tpoic" and revision.editor_id == author.id
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert f'/forum/post/{post.id}/history">edited</a>' in page
    history = text(client.get(f"/forum/post/{post.id}/history"))
    assert "Corrected text" in history and "Opening post of Typo tpoic" in history
    # other members see the mark but not the history: an edit may have removed client details
    login_as(client, other)
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert ">edited</span>" in page
    assert client.get(f"/forum/post/{post.id}/history").status_code == 403
    assert client.get(f"/forum/post/{post.id}/edit").status_code == 403
    login_as(client, moderator)
    assert client.get(f"/forum/post/{post.id}/history").status_code == 200


def test_edit_window_closes(app, client, make_user):
    seed()
    author, moderator = make_user(), make_user("moderator")
    topic = topic_with_replies(forum("general"), author)
    post = posts_of(topic.id)[0]
    post.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    login_as(client, author)
    response = client.get(f"/forum/post/{post.id}/edit", follow_redirects=True)
    assert "can be edited for 30 minutes" in text(response)
    late = client.post(f"/forum/post/{post.id}/edit", data={"body": "Too late", "language": "en", "post": "1"})
    assert "can be edited for 30 minutes" in text(late) and "Too late" in text(late)  # text back to copy
    db.session.refresh(post)
    assert post.body_md != "Too late"
    assert "Edit</a>" not in text(client.get(f"/forum/topic/{topic.id}"))
    login_as(client, moderator)  # moderators always
    client.post(f"/forum/post/{post.id}/edit", data={"title": topic.title, "body": "Moderated", "language": "en",
                                                     "post": "1"})
    db.session.refresh(post)
    assert post.body_md == "Moderated"


def test_edit_window_is_configurable(make_app, tmp_path):
    from tests.web.forum_helpers import seed as seed_forums
    app = make_app(FORUM_EDIT_WINDOW_MINUTES=5)
    with app.test_request_context():  # like pytest-flask's: the test's own reads start deferred
        from tests.factories import make_member
        user = make_member(email="w@example.org", display_name="W")
        seed_forums()
        topic = topic_with_replies(forum("general"), user)
        post = posts_of(topic.id)[0]
        post.created_at = utcnow() - timedelta(minutes=6)
        db.session.commit()
        client = app.test_client()
        login_as(client, user)
        assert "can be edited for 5 minutes" in text(client.get(f"/forum/post/{post.id}/edit", follow_redirects=True))


def test_delete_keeps_the_thread_shape(app, client, make_user):
    seed()
    author, other = make_user(), make_user()
    topic = topic_with_replies(forum("general"), author, replies=[(other, "Second"), (author, "Third, to delete"),
                                                                  (other, "Fourth")])
    doomed = posts_of(topic.id)[2]
    login_as(client, other)
    assert client.post(f"/forum/post/{doomed.id}/delete").status_code == 403
    login_as(client, author)
    assert client.post(f"/forum/post/{doomed.id}/delete").status_code == 302
    page = text(client.get(f"/forum/topic/{topic.id}"))
    placeholder = '<p class="post-placeholder">Post deleted</p>'
    assert placeholder in page and "Third, to delete" not in page
    assert page.index("Second") < page.index(placeholder) < page.index("Fourth")
    assert [p.position for p in posts_of(topic.id)] == [1, 2, 3, 4]
    db.session.refresh(topic)
    general = forum("general")
    assert topic.reply_count == 2 and general.post_count == 3
    assert client.post(f"/forum/post/{doomed.id}/delete").status_code == 403  # already gone


def test_helpful_marks_once_per_member(app, client, make_user):
    seed()
    author, first, second = make_user(), make_user(), make_user()
    topic = topic_with_replies(forum("general"), author, replies=[(author, "A useful tip")])
    tip = posts_of(topic.id)[1]
    login_as(client, author)
    assert client.post(f"/forum/post/{tip.id}/helpful").status_code == 403  # not your own
    for user in (first, second):
        login_as(client, user)
        assert client.post(f"/forum/post/{tip.id}/helpful").status_code == 302
    db.session.refresh(tip)
    assert tip.helpful_count == 2
    assert "2 members found this helpful" in text(client.get(f"/forum/topic/{topic.id}"))
    client.post(f"/forum/post/{tip.id}/helpful")  # second click by the same member takes it back
    db.session.refresh(tip)
    assert tip.helpful_count == 1
    assert db.session.scalar(select(func.count(HelpfulMark.id))) == 1


def test_a_retried_submission_stores_the_post_once(app, client, make_user, monkeypatch):
    """The connection dropped after the commit and the browser sent the form again:
    the form's one-time key finds the stored post instead of storing a second one."""
    import re as _re

    from hub.forum import services as forum_services
    from tests.web.forum_helpers import forum, login_as, posts_of, seed, topic_with_replies

    seed()
    member = make_user()
    topic = topic_with_replies(forum("general"), member, "Retries")
    login_as(client, member)
    page = client.get(f"/forum/topic/{topic.id}/reply").get_data(as_text=True)
    key = _re.search(r'name="submission" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    data = {"body": "Sent twice", "language": "en", "post": "1", "submission": key}
    first = client.post(f"/forum/topic/{topic.id}/reply", data=data, content_type="multipart/form-data")
    again = client.post(f"/forum/topic/{topic.id}/reply", data=data, content_type="multipart/form-data")
    assert first.status_code == again.status_code == 302 and first.headers["Location"] == again.headers["Location"]
    assert [p.body_md for p in posts_of(topic.id)].count("Sent twice") == 1
    # two retries racing: the second passes the check before the first commits, and the
    # database's unique key turns it into the same answer
    real = forum_services.submitted_before
    calls = {"n": 0}

    def late(author, key):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(author, key)

    monkeypatch.setattr(forum_services, "submitted_before", late)
    raced = client.post(f"/forum/topic/{topic.id}/reply", data=data, content_type="multipart/form-data")
    assert raced.status_code == 302 and raced.headers["Location"] == first.headers["Location"]
    assert [p.body_md for p in posts_of(topic.id)].count("Sent twice") == 1
    other = dict(data, submission="f" * 32, body="A new reply")  # another form: another post
    assert client.post(f"/forum/topic/{topic.id}/reply", data=other, content_type="multipart/form-data").status_code == 302
    assert len(posts_of(topic.id)) == 3
