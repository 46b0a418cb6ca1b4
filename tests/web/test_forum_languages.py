"""The forum speaks each reader's language in what the hub itself writes: a course
forum's name and description, the quote header, the moderation log."""
from __future__ import annotations

from hub.courses.models import CourseTranslation
from hub.extensions import db
from hub.forum import moderation, structure
from tests.web.forum_helpers import forum, login_as, make_course, posts_of, seed, text, topic_with_replies


def test_a_course_forum_is_named_and_described_in_each_readers_language(client, make_user):
    seed()
    danish = make_user(language="da")
    spanish = make_user(language="es")
    course = make_course("zone-one", enrolled=[danish, spanish])
    db.session.add(CourseTranslation(course=course, language="es", title="Zona 1: captación y acogida"))
    db.session.commit()
    login_as(client, danish)  # the first to open it is Danish
    page = text(client.get("/forum/course/zone-one", follow_redirects=True))
    assert "Spørgsmål og drøftelser for deltagerne på dette kursus." in page
    assert structure.course_forum(course, create=False).description == ""  # nothing stored in Danish
    login_as(client, spanish)
    page = text(client.get("/forum/course/zone-one", follow_redirects=True))
    assert "Preguntas y debate para los participantes de este curso." in page
    assert "<h1>Zona 1: captación y acogida" in page


def test_the_quote_header_is_in_the_quoting_members_language(client, make_user):
    seed()
    author = make_user(display_name="Maria Jensen")
    topic = topic_with_replies(forum("general"), author, "Taster days")
    login_as(client, make_user(language="es"))
    post = posts_of(topic.id)[0]
    form = text(client.get(f"/forum/topic/{topic.id}/reply?quote={post.id}"))
    assert f"&gt; **[Maria Jensen](/forum/post/{post.id}) escribió:**" in form


def test_the_moderation_log_says_counts_in_the_readers_language(client, make_user):
    seed()
    moderator = make_user("moderator", language="da")
    topic = topic_with_replies(forum("general"), moderator, "Long thread",
                               replies=[(moderator, "one"), (moderator, "two")])
    moderation.split_topic(topic, [p.id for p in posts_of(topic.id)[1:]], "Split off", forum("general"), moderator)
    db.session.commit()
    login_as(client, moderator)
    page = text(client.get("/forum/moderation/log"))
    assert "2 indlæg flyttet" in page and "“Long thread” → “Split off”" in page


def test_the_shipped_forums_speak_the_readers_language_until_renamed(client, make_user):
    seed()
    login_as(client, make_user(language="de"))
    client.post("/language", data={"lang": "de"})
    page = text(client.get("/forum/"))
    assert "Allgemeine Diskussion" in page and "Fallbesprechungen" in page and "Länderforen" in page
    assert "Spanien" in page and "Tschechien" in page and "General discussion" not in page
    general = forum("general")
    structure.save_forum(general, title="Allgemeines Café", slug="general", description="Eigener Text",
                         category_id=general.category_id, kind=general.kind, case_discussion=False, qa_post_first=True)
    db.session.commit()
    page = text(client.get("/forum/"))
    assert "Allgemeines Café" in page and "Eigener Text" in page
