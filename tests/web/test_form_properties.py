"""Property tests through HTTP: arbitrary text in the forms that take free text gets a
page (saved, or a form error), never a 500 — on SQLite and PostgreSQL alike."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.forum_helpers import forum, login_as, seed, topic_with_replies

FORMS = settings(max_examples=25, deadline=timedelta(seconds=5),
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ANSWERED = {200, 302, 400, 404, 429}
free_text = st.text(max_size=400) | st.sampled_from(["\x00", "a\x00b", "- " * 300 + "x", "<img src=x>", "{" * 50,
                                                      "\ud7ff" * 10, "🙂" * 100, "" ])


def answered(response) -> bool:
    return response.status_code in ANSWERED and b"Traceback" not in response.data


@FORMS
@given(body=free_text, title=free_text)
def test_forum_topics_and_replies(client, make_user, body, title):
    seed()
    member = make_user()
    login_as(client, member)
    topic = topic_with_replies(forum("general"), member, "Properties")
    data = {"body": body, "language": "auto", "post": "1"}
    assert answered(client.post(f"/forum/topic/{topic.id}/reply", data=data, content_type="multipart/form-data"))
    data["title"] = title
    assert answered(client.post("/forum/f/general/new", data=data, content_type="multipart/form-data"))
    assert answered(client.post(f"/forum/topic/{topic.id}/reply", data={"body": body, "preview": "1"},
                                content_type="multipart/form-data"))


@FORMS
@given(name=free_text, organisation=free_text, email=free_text)
def test_registration_and_profile(client, make_user, name, organisation, email):
    client.post("/logout")
    data = {"display_name": name, "email": email, "password": "a long enough password",
            "confirm": "a long enough password", "country": "DK", "organisation": organisation,
            "profession": "counsellor", "language": "en"}
    assert answered(client.post("/register", data=data))
    client.post("/logout")
    login_as(client, make_user())
    assert answered(client.post("/account", data={"display_name": name, "country": "DK", "organisation": organisation,
                                                  "profession": "counsellor", "language": "en"}))


@FORMS
@given(query=free_text)
def test_search_and_login(client, query):
    assert answered(client.get("/search", query_string={"q": query}))
    assert answered(client.post("/login", data={"email": query, "password": query}))
