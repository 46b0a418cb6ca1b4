"""Each forum type's rules: Q&A (replies hidden until you answer; accepted answer),
announcements (trainers and administrators start topics, everyone is notified),
case discussions (anonymisation reminder) and post languages."""
from __future__ import annotations

from sqlalchemy import func, select

from hub.extensions import db
from hub.forum.models import Notification, Topic
from tests.web.forum_helpers import (
    forum,
    login_as,
    make_forum,
    new_topic,
    posts_of,
    reply,
    seed,
    text,
    topic_id_from,
    topic_with_replies,
)


def test_qa_learner_sees_replies_only_after_answering(app, client, make_user):
    trainer, alice, bob = make_user("trainer"), make_user(display_name="Alice"), make_user(display_name="Bob")
    qa = make_forum("exercise", "qa")
    topic = topic_with_replies(qa, trainer, "How would you start the first interview?",
                               replies=[(alice, "Alice: I would ask about their goals.")])
    login_as(client, bob)
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "How would you start" in page and "Opening post" in page
    assert "Alice: I would ask" not in page
    assert "post your own answer to see" in page
    alice_post = posts_of(topic.id)[1]
    assert client.get(f"/forum/post/{alice_post.id}").status_code == 404  # no peeking via permalink
    assert reply(client, topic.id, "Bob: I would listen first.").status_code == 302
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "Alice: I would ask" in page and "Bob: I would listen" in page
    assert "post your own answer" not in page
    assert client.get(f"/forum/post/{alice_post.id}").status_code == 302
    # the trainer and the topic starter see everything
    login_as(client, trainer)
    page = text(client.get(f"/forum/topic/{topic.id}"))
    assert "Alice: I would ask" in page and "Bob: I would listen" in page


def test_qa_visibility_can_be_switched_off(app, client, make_user):
    starter, alice, bob = make_user(), make_user(), make_user()
    open_qa = make_forum("ask", "qa", qa_post_first=False)
    topic = topic_with_replies(open_qa, starter, "Question", replies=[(alice, "An answer anyone may read")])
    login_as(client, bob)
    assert "An answer anyone may read" in text(client.get(f"/forum/topic/{topic.id}"))


def test_qa_accepted_answer_by_starter_or_trainer_is_shown_first(app, client, make_user):
    starter, alice, bob, trainer = make_user(), make_user(), make_user(), make_user("trainer")
    qa = make_forum("ask", "qa", qa_post_first=False)
    topic = topic_with_replies(qa, starter, "Which benefits apply?",
                               replies=[(alice, "First guess"), (bob, "The right answer, with sources")])
    first_guess, right = posts_of(topic.id)[1:]
    login_as(client, alice)
    assert client.post(f"/forum/post/{right.id}/accept").status_code == 403
    login_as(client, starter)
    assert client.post(f"/forum/post/{posts_of(topic.id)[0].id}/accept").status_code == 403  # not the question
    assert client.post(f"/forum/post/{right.id}/accept").status_code == 302
    db.session.refresh(topic)
    assert topic.accepted_post_id == right.id
    page = text(client.get(f"/forum/topic/{topic.id}"))
    accepted_box = page.index('class="accepted-answer"')
    assert accepted_box < page.index("First guess") and "The right answer" in page[accepted_box:page.index("First guess")]
    assert "Answered" in text(client.get("/forum/f/ask"))
    # a trainer may change it
    login_as(client, trainer)
    assert client.post(f"/forum/post/{first_guess.id}/accept").status_code == 302
    db.session.refresh(topic)
    assert topic.accepted_post_id == first_guess.id


def test_no_accepted_answers_outside_qa(app, client, make_user):
    seed()
    starter, alice = make_user(), make_user()
    topic = topic_with_replies(forum("general"), starter, replies=[(alice, "reply")])
    login_as(client, starter)
    assert client.post(f"/forum/post/{posts_of(topic.id)[1].id}/accept").status_code == 403


def test_announcements_started_by_trainers_and_everyone_notified(app, client, make_user):
    seed()
    learner, other, muted = make_user(), make_user(), make_user()
    trainer, moderator, admin = make_user("trainer"), make_user("moderator"), make_user("admin")
    login_as(client, learner)
    assert client.get("/forum/f/announcements/new").status_code == 403
    assert new_topic(client, "announcements", "Hi", "Not allowed").status_code == 403
    assert "New topic" not in text(client.get("/forum/f/announcements")).split("</h1>")[1].split("</div>")[0]
    login_as(client, moderator)
    assert client.get("/forum/f/announcements/new").status_code == 403
    login_as(client, muted)
    client.post("/forum/f/announcements/subscription", data={"action": "unsubscribe", "email_mode": "digest"})
    login_as(client, trainer)
    response = new_topic(client, "announcements", "New course on employer engagement", "It opens on Monday.")
    assert response.status_code == 302
    topic_id = topic_id_from(response)
    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.topic_id == topic_id)))
    assert {learner.id, other.id, moderator.id, admin.id} <= notified
    assert trainer.id not in notified and muted.id not in notified
    # members may reply to an announcement
    login_as(client, learner)
    assert reply(client, topic_id, "Looking forward to it").status_code == 302
    login_as(client, admin)
    assert new_topic(client, "announcements", "Maintenance", "Saturday night").status_code == 302


def test_course_announcements_only_by_that_course_trainers(app, client, make_user):
    from hub.forum import structure
    from tests.web.forum_helpers import make_course

    learner, course_trainer, other_trainer = make_user(), make_user("trainer"), make_user("trainer")
    make_course("else", trainers=[other_trainer])
    course = make_course("news", enrolled=[learner], trainers=[course_trainer])
    course_forum = structure.course_forum(course)
    course_forum.kind = "announcements"
    db.session.commit()
    login_as(client, learner)
    assert client.get(f"/forum/f/{course_forum.slug}/new").status_code == 403
    login_as(client, other_trainer)
    assert client.get(f"/forum/f/{course_forum.slug}/new").status_code == 403
    login_as(client, course_trainer)
    response = new_topic(client, course_forum.slug, "Welcome", "Welcome to the course")
    assert response.status_code == 302
    notified = set(db.session.scalars(select(Notification.user_id).where(
        Notification.topic_id == topic_id_from(response))))
    assert notified == {learner.id}


def test_case_discussions_remind_to_anonymise(app, client, login):
    seed()
    login()
    reminder = "Anonymise your clients"
    assert reminder in text(client.get("/forum/f/case-discussions"))
    assert reminder in text(client.get("/forum/f/case-discussions/new"))
    assert reminder in text(client.get("/forum/f/denmark/new"))
    assert reminder not in text(client.get("/forum/f/general/new"))
    response = new_topic(client, "case-discussions", "Young man, 19, no papers", "What would you do?")
    assert reminder in text(client.get(f"/forum/topic/{topic_id_from(response)}"))


def test_post_language_defaults_to_the_author_and_filters_topics(app, client, login, make_user):
    seed()
    dane = login(language="da")
    form = text(client.get("/forum/f/general/new"))
    assert '<option selected value="auto">' in form  # detected from the text unless chosen
    new_topic(client, "general", "Praktik i kommunen", "Hvordan gør I?", language="da")
    new_topic(client, "general", "Internships", "How do you do it?", language="en")
    topic = db.session.scalar(select(Topic).where(Topic.title == "Praktik i kommunen"))
    assert topic.language == "da" and posts_of(topic.id)[0].language == "da"
    listing = text(client.get("/forum/f/general?lang=da"))
    assert "Praktik i kommunen" in listing and "Internships" not in listing
    listing = text(client.get("/forum/f/general"))
    assert "Praktik i kommunen" in listing and "Internships" in listing
    assert 'lang="da"' in listing
    # the Danish member reads the UI in Danish
    assert "Der er endnu ingen emner på dette sprog." in text(client.get("/forum/f/general?lang=el"))
    refused = new_topic(client, "general", "Bad", "language", language="xx")
    assert refused.status_code == 200
    assert db.session.scalar(select(func.count(Topic.id)).where(Topic.title == "Bad")) == 0
    assert dane


def test_post_language_is_detected_unless_the_author_chooses(app, client, make_user):
    seed()
    member = make_user(language="es")  # a Spanish interface
    login_as(client, member)
    page = text(client.get("/forum/f/general/new"))
    assert '<option selected value="auto">' in page  # "Detect from the text" is the default
    topic_id = topic_id_from(new_topic(client, "general", "Follow-up after placement",
                                       "How long do you follow up after a placement with an employer?",
                                       language="auto"))
    reply(client, topic_id, "Hvor længe følger I op efter en ansættelse hos en arbejdsgiver?", language="auto")
    reply(client, topic_id, "Thanks!", language="auto")  # too short to tell: the author's own language
    reply(client, topic_id, "This one is English but filed as Italian on purpose.", language="it")
    assert [p.language for p in posts_of(topic_id)] == ["en", "da", "es", "it"]
    assert db.session.get(Topic, topic_id).language == "en"
    quoted = "> Hvor længe følger I op efter en ansættelse hos en arbejdsgiver?\n\nWe follow up for six months, with a phone call to the employer every two weeks."
    reply(client, topic_id, quoted, language="auto")
    assert posts_of(topic_id)[-1].language == "en"  # the quote's language does not count
