"""Search through the page, as a reader uses it: what is found, how queries read,
languages, and that nobody finds what they may not see (not in results, counts,
snippets or suggestions)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hub.database import utcnow
from hub.extensions import db
from hub.forum import moderation
from hub.forum import services as forum_services
from hub.practices.models import DRAFT, PUBLISHED
from hub.practices.models_library import GlossaryTerm, Resource
from tests import factories
from tests.web.forum_helpers import forum, login_as, make_forum, posts_of, reply, seed, topic_with_replies
from tests.web.search_helpers import course_with_lesson, lesson, practice, search


@pytest.fixture
def app(make_app):
    app = make_app(SEARCH_INDEXER="inline")
    with app.app_context():
        yield app


# -- the page -------------------------------------------------------------------------

def test_header_box_on_every_page_and_empty_search(client):
    home = client.get("/").get_data(as_text=True)
    assert 'role="search"' in home and 'action="/search"' in home
    found = search(client, "")
    assert found.status == 200 and found.titles == []


def test_finds_a_lesson_by_another_form_of_the_word(client):
    course_with_lesson("placement", "Talking to firms", "Most employers want reliable staff.")
    found = search(client, "employment")
    assert found.titles == ["Talking to firms"]
    assert "<mark" in found.html and "employers" in found.html  # highlighted snippet


def test_every_kind_of_content_is_found_and_counted_by_type(client, make_user):
    course_with_lesson("zone-a", "Lesson on zebras", "Zebra crossings in the city.")
    practice("Zebra mentoring", "Mentors cross the zebra together.")
    db.session.add(Resource(slug="zebra-guide", title="Zebra guide", kind="literature", summary="About zebras."))
    db.session.add(GlossaryTerm(slug="zebra", term="Zebra", definition="A striped animal."))
    db.session.commit()
    seed()
    topic_with_replies(forum("general"), make_user(), "Zebra question")
    found = search(client, "zebra")
    assert {"Lesson on zebras", "Zebra mentoring", "Zebra guide", "Zebra"} <= set(found.titles)
    assert "Zebra question" not in found.titles  # forum posts are for members
    assert "Lessons (1)" in found.html and "Practices (1)" in found.html and "Glossary (1)" in found.html
    only = search(client, "zebra", type="practice")
    assert only.titles == ["Zebra mentoring"] and only.total == 1


def test_phrase_prefix_title_tag_or_not(client):
    course = factories.make_course("syntax")
    lesson(course, "Job coaching basics", "A job coach meets the employer weekly.")
    lesson(course, "Coaching for a job", "Coaching first, then a job search with employability training.")
    practice("Buddy scheme", "Peers help each other.", tags=("mentoring",))
    assert search(client, '"job coaching"').titles == ["Job coaching basics"]
    assert set(search(client, "employab*").titles) == {"Coaching for a job"}
    assert search(client, "title:basics").titles == ["Job coaching basics"]
    assert search(client, "title:employer").titles == []  # only in a body
    assert search(client, "tag:mentoring").titles == ["Buddy scheme"]
    assert set(search(client, "weekly OR peers").titles) == {"Job coaching basics", "Buddy scheme"}
    assert search(client, "coaching NOT weekly").titles == ["Coaching for a job"]


@pytest.mark.parametrize("query", ['"unbalanced quote', "(open bracket", "AND", "coach OR", "x:y coach",
                                   "*coach", "coach " * 120, "coach ) (", 'NOT NOT "'])
def test_bad_syntax_falls_back_to_plain_words(client, query):
    course_with_lesson("fallback", "Coach guide", "The coach listens.")
    found = search(client, query)
    assert found.status == 200
    assert found.plain_note
    if "coach" in query:  # the words are looked for, any of them
        assert found.titles == ["Coach guide"]


def test_did_you_mean_offers_a_word_that_finds_something(client):
    course_with_lesson("spelling", "Interview guide", "Questions for the first interview.")
    found = search(client, "intervew")
    assert found.total == 0 and found.suggestion == "interview"
    assert search(client, found.suggestion).titles == ["Interview guide"]
    assert search(client, "zzqqxx").suggestion is None
    lesson(factories.make_course("danish", language="da"), "Opfølgning", "Vi mødes to gange om ugen.")
    assert search(client, "roto").suggestion is None  # "to" is two letters: no respelling


def test_paging_and_order_by_date(client):
    course = factories.make_course("paging")
    for i in range(23):
        item = lesson(course, f"Walrus {i:02d}", "walrus facts")
        item.updated_at = utcnow() - timedelta(days=30 - i)
    db.session.commit()
    from hub.search.indexer import rebuild
    rebuild()  # a date alone is not a change search watches
    first = search(client, "walrus", order="date")
    assert first.total == 23 and len(first.titles) == 10 and first.titles[0] == "Walrus 22"
    third = search(client, "walrus", order="date", page=3)
    assert third.titles == ["Walrus 02", "Walrus 01", "Walrus 00"]
    assert search(client, "walrus", order="date", page=99).titles == third.titles  # past the end: the last
    assert client.get("/search?q=walrus&page=abc").status_code == 404
    assert 'rel="next"' in first.html and "order=date" in first.html


def test_filters_by_language_country_zone_and_course(client):
    course, _ = course_with_lesson("outreach-first-reception", "Street outreach", "Meet walruses outdoors.",
                                   language="en")
    other = factories.make_course("elsewhere", language="da")
    lesson(other, "Hvalros", "walrus i Danmark")
    practice("Walrus practice DK", "walrus", country="DK", zones=("placement",))
    practice("Walrus practice IT", "walrus", country="IT")
    assert set(search(client, "walrus", language="da").titles) == {"Hvalros"}
    assert set(search(client, "walrus", country="IT").titles) == {"Walrus practice IT"}
    assert set(search(client, "walrus", zone="placement").titles) == {"Walrus practice DK"}
    assert set(search(client, "walrus", zone="outreach").titles) == {"Street outreach"}  # the zone's course
    assert set(search(client, "walrus", course="elsewhere").titles) == {"Hvalros"}
    assert "Searching in the course" in search(client, "walrus", course="elsewhere").html
    assert search(client, "walrus", language="<x>", country="evil").total == 4  # unknown filters ignored


def test_snippets_and_titles_are_escaped(client, make_user):
    seed()
    topic_with_replies(forum("general"), make_user(), "<b>Tags</b> in titles",
                       replies=[(make_user(), "Type `<script>alert(1)</script>` to test the walrus")])
    login_as(client, make_user())
    found = search(client, "walrus")
    assert found.total == 1
    assert "<script>alert" not in found.html and "&lt;script&gt;" in found.html
    assert "<b>Tags</b>" not in found.html


# -- languages ------------------------------------------------------------------------

LANGUAGE_CASES = [  # language, text indexed, query (another form, or without accents)
    ("en", "Employers value reliability", "employment"),
    ("da", "Beskæftigelsen stiger", "beskaeftigelse"),
    ("nl", "Werkgevers zoeken personeel", "werkgever"),
    ("fr", "Les employeurs recrutent", "employeur"),
    ("de", "Mit Arbeitgebern sprechen", "arbeitgeber"),
    ("it", "I lavoratori migranti", "lavoratore"),
    ("pt", "A integração no trabalho", "integracao"),
    ("es", "La integración laboral", "integracion"),
    ("el", "Η ένταξη στην εργασία", "ενταξης"),
    ("cs", "Zaměstnavatelé hledají", "zamestnavatel"),
]


@pytest.mark.parametrize("language,text,query", LANGUAGE_CASES)
def test_each_language_stems_and_folds(client, make_user, language, text, query):
    seed()
    member = make_user()
    forum_services.create_topic(forum("general"), member, "Case", text, language)
    db.session.commit()
    login_as(client, member)
    assert search(client, query).total == 1
    assert search(client, text.split()[-1]).total == 1  # the word as written


def test_lesson_translation_found_in_its_language(client):
    course = factories.make_course("translated")
    lesson(course, "Supported employment", "Place, then train.",
           translations={"es": ("Empleo con apoyo", "Colocar y después formar a las trabajadoras.")})
    found = search(client, "trabajadora")
    assert found.titles == ["Empleo con apoyo"] and "lang=es" in found.urls[0]


# -- permissions: one test per case ---------------------------------------------------

def test_unpublished_course_and_its_lessons_never_appear(client, make_user):
    course, _ = course_with_lesson("draft-course", "Secret walrus lesson", "walrus", published=False)
    course.title = "Walrus course"
    db.session.commit()
    for who in (None, make_user(), make_user("trainer")):
        if who is not None:
            login_as(client, who)
        found = search(client, "walrus")
        assert found.total == 0 and "Lessons (" not in found.html and found.suggestion is None
    course.published = True
    db.session.commit()
    assert set(search(client, "walrus").titles) == {"Walrus course", "Secret walrus lesson"}
    course.published = False
    db.session.commit()
    assert search(client, "walrus").total == 0


def test_unpublished_lesson_never_appears(client):
    course, shown = course_with_lesson("mixed", "Walrus shown", "walrus")
    lesson(course, "Walrus hidden", "walrus", published=False)
    assert search(client, "walrus").titles == ["Walrus shown"]
    shown.published = False
    db.session.commit()
    assert search(client, "walrus").total == 0


def test_lessons_of_a_course_with_a_key_only_for_its_learners(client, make_user):
    learner, outsider = make_user(), make_user()
    course, _ = course_with_lesson("keyed", "Keyed walrus", "walrus", enrolled=[learner])
    course.enrolment_mode = "key"
    course.enrolment_key = "k"
    db.session.commit()
    assert search(client, "walrus").total == 0
    login_as(client, outsider)
    assert search(client, "walrus").total == 0
    login_as(client, learner)
    assert search(client, "walrus").titles == ["Keyed walrus"]


def test_hidden_and_deleted_posts_never_appear(client, make_user):
    seed()
    author, moderator = make_user(), make_user("moderator")
    topic = topic_with_replies(forum("general"), author, "Topic",
                               replies=[(author, "walrus hidden"), (author, "walrus deleted")])
    login_as(client, moderator)
    assert search(client, "walrus").total == 2
    posts = posts_of(topic.id)
    moderation.hide_post(posts[1], moderator, "spam")
    forum_services.delete_post(posts[2])
    db.session.commit()
    assert search(client, "walrus").total == 0  # not even for a moderator: hidden is hidden
    moderation.restore_post(db.session.get(type(posts[1]), posts[1].id), moderator)
    db.session.commit()
    assert search(client, "walrus").total == 1


def test_hidden_topic_never_appears(client, make_user):
    seed()
    author = make_user()
    topic = topic_with_replies(forum("general"), author, "Walrus topic", replies=[(author, "more")])
    login_as(client, author)
    assert search(client, "walrus").total == 2  # the title belongs to both posts
    moderation.hide_post(posts_of(topic.id)[0], make_user("moderator"), "off-topic")
    db.session.commit()
    assert search(client, "walrus").total == 0


def test_course_forum_only_for_participants(client, make_user):
    seed()
    learner, outsider = make_user(), make_user()
    course = factories.make_course("forum-course", enrolled=[learner])
    from hub.forum import structure
    course_forum = structure.course_forum(course)
    db.session.commit()
    topic_with_replies(course_forum, learner, "Walrus in our course")
    assert search(client, "walrus").total == 0  # anonymous
    login_as(client, outsider)
    found = search(client, "walrus")
    assert found.total == 0 and "Forum posts (" not in found.html
    assert search(client, "walrsu").suggestion is None  # no hint of what is there
    login_as(client, learner)
    assert search(client, "walrus").titles == ["Walrus in our course"]
    login_as(client, make_user("moderator"))
    assert search(client, "walrus").total == 1


def test_qa_replies_only_after_answering(client, make_user):
    seed()
    trainer, alice, bob = make_user("trainer"), make_user(), make_user()
    qa = make_forum("exercise", "qa")
    topic = topic_with_replies(qa, trainer, "Exercise", replies=[(alice, "Alice answers walrus")])
    login_as(client, bob)
    assert search(client, "walrus").total == 0
    assert search(client, "exercise").total == 1  # the question itself
    reply(client, topic.id, "Bob answers too")
    assert search(client, "walrus").titles == ["Exercise"]
    login_as(client, trainer)  # staff of site-wide forums
    assert search(client, "walrus").total == 1


def test_unpublished_practice_never_appears(client, make_user):
    draft = practice("Walrus draft", "walrus", status=DRAFT)
    owner = make_user()
    draft.owner_id = owner.id
    db.session.commit()
    login_as(client, owner)
    assert search(client, "walrus").total == 0
    draft.status = PUBLISHED
    db.session.commit()
    assert search(client, "walrus").titles == ["Walrus draft"]


# -- staying current ------------------------------------------------------------------

def test_an_edited_post_is_found_by_its_new_words_only(client, make_user):
    seed()
    author = make_user()
    topic = topic_with_replies(forum("general"), author, "Topic", replies=[(author, "walrus")])
    login_as(client, author)
    post = posts_of(topic.id)[1]
    forum_services.edit_post(post, author, "narwhal", "en")
    db.session.commit()
    assert search(client, "walrus").total == 0 and search(client, "narwhal").total == 1


def test_a_reply_posted_over_http_is_found_at_once(client, make_user):
    seed()
    author = make_user()
    topic = topic_with_replies(forum("general"), author, "Topic")
    login_as(client, author)
    assert reply(client, topic.id, "The axolotl question").status_code == 302
    assert search(client, "axolotl").total == 1


def test_search_rate_limited(make_app, make_user):
    limited = make_app(RATELIMIT_ENABLED=True, SEARCH_RATE_LIMIT="3/minute", SEARCH_INDEXER="inline")
    client = limited.test_client()
    codes = [client.get("/search?q=x").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429


def test_search_inside_the_forum_and_inside_a_course(client, make_user):
    seed()
    member = make_user()
    course, _ = course_with_lesson("inside", "Walrus lesson", "walrus")
    topic_with_replies(forum("general"), member, "Walrus topic")
    login_as(client, member)
    assert 'name="type" value="forum_post"' in client.get("/forum/").get_data(as_text=True)
    assert 'name="course" value="inside"' in client.get("/courses/inside").get_data(as_text=True)
    assert search(client, "walrus", type="forum_post").titles == ["Walrus topic"]
    assert search(client, "walrus", course="inside").titles == ["Walrus lesson"]


def test_very_broad_queries_count_up_to_a_cap(app, client, monkeypatch):
    from hub.search import services

    monkeypatch.setattr(services, "COUNT_CAP", 5)
    course = factories.make_course("broad")
    for i in range(8):
        lesson(course, f"Walrus {i}", "walrus")
    found = search(client, "walrus")
    assert "More than 5 results" in found.html
    assert len(found.titles) == 8  # the page is ranked in full; only counting stops
    assert "Lessons (" not in found.html and ">Lessons</a>" in found.html  # tabs without counts
    assert "More than 5 results" in search(client, "walrus", type="lesson").html


def test_pages_of_relevance_results_never_repeat_or_skip_a_result(client):
    """Titles re-rank the best results; every page must use the same order."""
    course = factories.make_course("pages")
    for i in range(13):
        lesson(course, f"Plain {i:02d}", "walrus walrus")
    for i in range(13):
        lesson(course, f"Walrus {i:02d}", "about something else entirely")
    seen = [title for page in (1, 2, 3) for title in search(client, "walrus", page=page).titles]
    assert len(seen) == 26 and len(set(seen)) == 26
