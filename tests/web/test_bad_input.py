"""Bad input gets a clear answer, never a 500, and never loses what was typed:
NUL characters, oversized bodies, ids too large for a database column in query
strings. Runs on SQLite and, in CI, on PostgreSQL (which cannot store a NUL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.accounts.models import User
from hub.extensions import db
from hub.forum.models import Post
from tests.web.forum_helpers import forum, login_as, new_topic, reply, seed, text, topic_with_replies

NUL_MESSAGE = "cannot be saved (a null byte)"


def test_nul_in_the_login_form_is_a_form_error(client):
    response = client.post("/login", data={"email": "a\x00b@t.org", "password": "x" * 12})
    assert response.status_code == 200 and NUL_MESSAGE in text(response)


def test_nul_in_registration_keeps_the_rest(client):
    response = client.post("/register", data={"display_name": "Ana\x00", "email": "ana@example.org",
                                              "password": "a long enough password", "confirm": "a long enough password",
                                              "country": "ES", "organisation": "Cruz Roja", "profession": "counsellor",
                                              "language": "es"})
    page = text(response)
    assert response.status_code == 200 and NUL_MESSAGE in page and "Cruz Roja" in page
    assert db.session.scalar(select(User).where(User.email == "ana@example.org")) is None


def test_nul_in_a_forum_post_is_refused_and_the_text_kept(client, make_user):
    seed()
    member = make_user()
    topic = topic_with_replies(forum("general"), member, "Topic")
    login_as(client, member)
    response = reply(client, topic.id, "My careful answer\x00 with a NUL")
    page = text(response)
    assert response.status_code == 200 and NUL_MESSAGE in page and "My careful answer" in page
    assert db.session.scalar(select(Post.id).where(Post.body_md.contains("careful"))) is None
    response = new_topic(client, "general", "Title\x00", "Body")
    assert response.status_code == 200 and NUL_MESSAGE in text(response)


def test_nul_in_the_profile_is_a_form_error(client, login):
    login()
    response = client.post("/account", data={"display_name": "X\x00Y", "country": "DK", "organisation": "Org",
                                             "profession": "counsellor", "language": "en"})
    assert response.status_code == 200 and NUL_MESSAGE in text(response)


@pytest.mark.parametrize("path", ["/verify/AB%00CD", "/courses/intro%00", "/forum/?page=1%00",
                                  "/search?q=a&type=lesson%00"])
def test_nul_in_an_address_is_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404 and b"Page not found" in response.data


def test_nul_in_a_quiz_answer_is_dropped_not_fatal():
    from werkzeug.datastructures import MultiDict

    from hub.forms import without_nul

    assert without_nul("a\x00b") == "ab" and MultiDict([("a", without_nul("x\x00"))])["a"] == "x"


@pytest.mark.parametrize("language,title", [("en", "File too large"), ("es", "Archivo demasiado grande")])
def test_an_oversized_body_gets_the_413_page_in_the_readers_language(make_app, language, title):
    app = make_app(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024), "password": "y"},
                           headers={"Accept-Language": language})
    assert response.status_code == 413
    assert title in text(response) and b"Traceback" not in response.data


@pytest.mark.parametrize("path", ["/forum/topic/{topic}/reply?quote=1180591620717411303424",
                                  "/forum/topic/{topic}/reply?quote=-1", "/forum/topic/{topic}/reply?quote=abc"])
def test_huge_ids_in_query_strings_are_ignored(client, make_user, path):
    seed()
    member = make_user("moderator")
    topic = topic_with_replies(forum("general"), member, "Topic")
    login_as(client, member)
    response = client.get(path.format(topic=topic.id))
    assert response.status_code in (200, 302, 404) and b"Traceback" not in response.data


def test_id_arg_accepts_only_database_ids(app):
    from hub.pagination import MAX_ID, id_arg

    for raw, expected in [("5", 5), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("-3", None),
                          ("1e3", None), ("", None), ("٣", None)]:
        with app.test_request_context(f"/?x={raw}"):
            assert id_arg("x") == expected, raw


def test_nul_stops_a_field_before_validators_that_query_the_database(client, make_user):
    """Found by the property tests on PostgreSQL: the registration form's "address
    already taken" check queried the database with the NUL before the refusal."""
    make_user(email="taken@example.org")
    response = client.post("/register", data={"display_name": "Ana", "email": "taken@example.org\x00",
                                              "password": "a long enough password",
                                              "confirm": "a long enough password", "country": "ES",
                                              "organisation": "Org", "profession": "counsellor", "language": "es"})
    assert response.status_code == 200 and NUL_MESSAGE in text(response)
