"""Pages of visitors who are not logged in come from the page cache (hub/page_cache.py):
never a member's page, never another visitor's form token or message, a copy per
language, and a change to the site shows on the next request."""
from __future__ import annotations

import re

from hub.courses.models import Course, Lesson
from hub.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.factories import make_course

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_a_visitors_page_is_rendered_once_then_served_from_the_cache(app, client):
    make_course("open-doors", title="Open doors", lessons=2)
    first = client.get("/courses/open-doors")
    second = client.get("/courses/open-doors")
    assert (cache_state(first), cache_state(second)) == ("miss", "hit")
    assert second.status_code == 200 and "Open doors" in second.get_data(as_text=True)
    assert second.get_data() == first.get_data()


def test_members_are_never_served_a_stored_page_nor_stored(app, make_user):
    make_course("open-doors", title="Open doors")
    member = make_user(display_name="Ana Member")
    as_member, as_visitor = app.test_client(), app.test_client()
    assert as_member.post("/login", data={"email": member.email, "password": TEST_PASSWORD}).status_code == 302
    as_member.get("/dashboard")  # the welcome message is shown and gone
    assert cache_state(as_visitor.get("/courses/open-doors")) == "miss"
    assert cache_state(as_visitor.get("/courses/open-doors")) == "hit"  # a page is stored now
    own = as_member.get("/courses/open-doors")
    assert cache_state(own) is None and "Ana Member" in own.get_data(as_text=True)
    again = as_visitor.get("/courses/open-doors")
    assert cache_state(again) == "hit" and "Ana Member" not in again.get_data(as_text=True)


def test_a_change_to_the_course_shows_on_the_next_request(app, client):
    course = make_course("open-doors", title="Open doors", lessons=1)
    assert "Open doors" in client.get("/courses/").get_data(as_text=True)
    client.get("/courses/open-doors")
    db.session.get(Course, course.id).title = "Doors wide open"
    db.session.commit()
    assert "Doors wide open" in client.get("/courses/").get_data(as_text=True)
    page = client.get("/courses/open-doors")
    assert cache_state(page) == "miss" and "Doors wide open" in page.get_data(as_text=True)
    db.session.get(Course, course.id).published = False
    db.session.commit()
    assert client.get("/courses/open-doors").status_code == 404


def test_a_lesson_edit_shows_to_visitors_at_once(app, client):
    course = make_course("open-doors", lessons=1)
    path = "/courses/open-doors/lessons/lesson-1"
    assert "Text" in client.get(path).get_data(as_text=True)
    lesson = db.session.scalar(db.select(Lesson).where(Lesson.course_id == course.id))
    lesson.body_html = "<p>Ask which language the person prefers.</p>"
    db.session.commit()
    assert "Ask which language the person prefers." in client.get(path).get_data(as_text=True)


def test_learners_progress_leaves_the_visitors_pages_in_place(app, make_user):
    learner = make_user()
    make_course("open-doors", lessons=2, enrolled=[learner])
    visitor, member = app.test_client(), app.test_client()
    assert member.post("/login", data={"email": learner.email, "password": TEST_PASSWORD}).status_code == 302
    visitor.get("/courses/open-doors")
    assert member.get("/courses/open-doors/lessons/lesson-1").status_code == 200  # records the lesson as seen
    assert cache_state(visitor.get("/courses/open-doors")) == "hit"


def test_each_language_has_its_own_copy(app, client):
    make_course("open-doors", title="Open doors")
    english = [client.get("/courses/", headers={"Accept-Language": "en"}) for _ in range(2)]
    french = [client.get("/courses/", headers={"Accept-Language": "fr"}) for _ in range(2)]
    assert [cache_state(r) for r in english + french] == ["miss", "hit", "miss", "hit"]
    assert 'lang="fr"' in french[1].get_data(as_text=True)
    assert french[1].get_data() != english[1].get_data()


def test_each_visitor_gets_their_own_form_token_from_a_stored_page(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_course("open-doors")
    first, second = app.test_client(), app.test_client()
    first_page = first.get("/courses/open-doors")
    second_page = second.get("/courses/open-doors")
    assert cache_state(second_page) == "hit"
    first_token = TOKEN.search(first_page.get_data(as_text=True)).group(1)
    second_token = TOKEN.search(second_page.get_data(as_text=True)).group(1)
    assert first_token != second_token
    assert "\x00" not in second_page.get_data(as_text=True)
    switched = second.post("/language", data={"lang": "de", "next": "/courses/", "csrf_token": second_token})
    assert switched.status_code == 302
    refused = second.post("/language", data={"lang": "de", "next": "/courses/", "csrf_token": first_token})
    assert refused.status_code == 400


def test_a_message_for_the_visitor_is_shown_and_not_kept(app, client, auth, make_user):
    client.get("/")
    auth.login(make_user())
    auth.logout()  # "You have been logged out." waits for the next page
    home = client.get("/")
    assert cache_state(home) != "hit" and 'class="flash' in home.get_data(as_text=True)
    again = client.get("/")
    assert 'class="flash' not in again.get_data(as_text=True)


def test_pages_that_are_not_public_are_never_kept(app, client):
    for path in ("/login", "/register", "/search?q=interpreter"):
        client.get(path)
        assert cache_state(client.get(path)) is None, path


def test_no_cache_when_its_lifetime_is_zero(make_app):
    app = make_app(PAGE_CACHE_SECONDS=0)
    with app.app_context():
        make_course("open-doors")
    client = app.test_client()
    assert [cache_state(client.get("/courses/open-doors")) for _ in range(2)] == [None, None]
