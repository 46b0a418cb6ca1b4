"""Lesson pages: rendered Markdown, languages, previous/next, first view and
"mark as complete", unpublished lessons, key-only courses and course images."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub import signals
from hub.courses import authoring, hooks
from hub.courses.models import Enrolment, Lesson, LessonProgress
from hub.extensions import db
from tests.course_helpers import PNG, front, import_folder, write_course
from tests.factories import name_trainer


@pytest.fixture
def course(app, tmp_path):
    return import_folder(write_course(tmp_path, "demo", files={
        "01-first-steps.es.md": front({"title": "Primeros pasos", "minutes": 3}, "## Hola\n\nTexto en español.\n"),
        "02-going-further.es.md": front({"title": "Más allá"}, "Más.\n"),
        "images/diagram.png": PNG,
    }, lessons=[
        {"file": "01-first-steps.md", "slug": "first-steps", "title": "First steps", "section": "basics",
         "minutes": 12, "body": "## Welcome\n\n![Diagram](images/diagram.png)\n\n!!! tip \"Try this\"\n    Ask.\n"},
        {"file": "02-going-further.md", "slug": "going-further", "title": "Going further", "section": "basics",
         "body": "word " * 450},
        {"file": "03-wrap-up.md", "slug": "wrap-up", "title": "Wrap-up", "section": "practice", "body": "Bye.\n"},
    ]))


def enrolled(login, course, **fields):
    user = login("learner", **fields)
    db.session.add(Enrolment(user_id=user.id, course_id=course.id))
    db.session.commit()
    return user


def progress(user):
    db.session.expire_all()
    return {db.session.get(Lesson, row.lesson_id).slug: row
            for row in db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id))}


def test_lesson_page(client, course):
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert "<h1>First steps</h1>" in page
    assert "<h2>Welcome</h2>" in page and 'class="admonition tip"' in page
    assert 'src="/courses/demo/media/diagram.png"' in page
    assert "12 min read" in page and "Language: English" in page
    assert '<article class="lesson" lang="en">' in page
    assert 'rel="next" href="/courses/demo/lessons/going-further"' in page and 'rel="prev"' not in page
    assert "Log in and enrol to record your progress." in page


def test_reading_time_is_estimated_when_missing(client, course):
    assert "3 min read" in client.get("/courses/demo/lessons/going-further").get_data(as_text=True)


def test_previous_and_next(client, course):
    page = client.get("/courses/demo/lessons/going-further").get_data(as_text=True)
    assert 'rel="prev" href="/courses/demo/lessons/first-steps"' in page
    assert 'rel="next" href="/courses/demo/lessons/wrap-up"' in page
    page = client.get("/courses/demo/lessons/wrap-up").get_data(as_text=True)
    assert 'rel="prev" href="/courses/demo/lessons/going-further"' in page and 'rel="next"' not in page


def test_other_languages(client, course):
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert 'href="/courses/demo/lessons/first-steps?lang=es" hreflang="es" lang="es">Español</a>' in page
    page = client.get("/courses/demo/lessons/first-steps?lang=es").get_data(as_text=True)
    assert '<article class="lesson" lang="es">' in page and "<h1>Primeros pasos</h1>" in page
    assert "Texto en español." in page and "3 min read" in page
    assert 'href="/courses/demo/lessons/first-steps?lang=en"' in page
    # the choice follows previous/next
    assert 'rel="next" href="/courses/demo/lessons/going-further?lang=es">Next: Más allá' in page
    # no Spanish version: the course language, and no language links
    page = client.get("/courses/demo/lessons/wrap-up?lang=es").get_data(as_text=True)
    assert '<article class="lesson" lang="en">' in page and "Also in:" not in page


def test_default_language_follows_the_ui_locale(client, login, course):
    login("learner", language="es")
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert '<article class="lesson" lang="es">' in page
    page = client.get("/courses/demo/lessons/wrap-up").get_data(as_text=True)
    assert '<article class="lesson" lang="en">' in page  # falls back to the course language
    page = client.get("/courses/demo/lessons/first-steps?lang=en").get_data(as_text=True)
    assert '<article class="lesson" lang="en">' in page
    page = client.get("/courses/demo/lessons/first-steps?lang=zz").get_data(as_text=True)
    assert '<article class="lesson" lang="es">' in page


def test_first_view_is_recorded_for_enrolled_learners(client, login, course):
    learner = enrolled(login, course)
    assert progress(learner) == {}
    client.get("/courses/demo/lessons/first-steps")
    rows = progress(learner)
    assert list(rows) == ["first-steps"] and rows["first-steps"].completed_at is None
    first_seen = rows["first-steps"].first_viewed_at
    client.get("/courses/demo/lessons/first-steps")
    assert progress(learner)["first-steps"].first_viewed_at == first_seen


def test_views_of_members_not_enrolled_are_not_recorded(client, login, course):
    learner = login("learner")
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert "Enrol in the course to record your progress." in page and "Mark as complete" not in page
    assert progress(learner) == {}


def test_mark_as_complete(client, login, course):
    learner = enrolled(login, course)
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert "Mark as complete" in page
    received = []
    with signals.lesson_completed.connected_to(
            lambda sender, **kw: received.append((kw["user"].id, kw["lesson"].slug))):
        response = client.post("/courses/demo/lessons/first-steps/complete")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/courses/demo/lessons/going-further")
        client.post("/courses/demo/lessons/first-steps/complete")  # again: no second signal
        last = client.post("/courses/demo/lessons/wrap-up/complete", data={"lang": "es"})
    assert last.headers["Location"].endswith("/courses/demo")
    assert received == [(learner.id, "first-steps"), (learner.id, "wrap-up")]
    rows = progress(learner)
    assert rows["first-steps"].completed_at is not None and rows["wrap-up"].completed_at is not None
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert "You completed this lesson." in page and "Mark as complete" not in page
    course_page = client.get("/courses/demo").get_data(as_text=True)
    assert course_page.count("✓ Done") == 2 and course_page.count("To do") == 1
    assert "Continue" in course_page and 'href="/courses/demo/lessons/going-further">Continue' in course_page


def test_complete_keeps_the_chosen_language(client, login, course):
    enrolled(login, course)
    response = client.post("/courses/demo/lessons/first-steps/complete", data={"lang": "es"})
    assert response.headers["Location"].endswith("/courses/demo/lessons/going-further?lang=es")


def test_complete_needs_enrolment_and_login(client, login, course):
    response = client.post("/courses/demo/lessons/first-steps/complete")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    learner = login("learner")
    response = client.post("/courses/demo/lessons/first-steps/complete", follow_redirects=True)
    assert "Enrol in the course to record your progress." in response.get_data(as_text=True)
    assert progress(learner) == {}
    assert client.get("/courses/demo/lessons/first-steps/complete").status_code == 405


def test_unpublished_and_archived_lessons_are_hidden_from_learners(client, login, auth, course):
    second = next(x for x in course.lessons if x.slug == "going-further")
    third = next(x for x in course.lessons if x.slug == "wrap-up")
    authoring.set_lesson_published(second, False)
    authoring.archive_lesson(third)
    db.session.commit()
    enrolled(login, course)
    assert client.get("/courses/demo/lessons/going-further").status_code == 404
    assert client.get("/courses/demo/lessons/wrap-up").status_code == 404
    assert client.post("/courses/demo/lessons/going-further/complete").status_code == 404
    outline = client.get("/courses/demo").get_data(as_text=True)
    assert "Going further" not in outline and "Wrap-up" not in outline
    page = client.get("/courses/demo/lessons/first-steps").get_data(as_text=True)
    assert 'rel="next"' not in page
    auth.logout()
    name_trainer(course, login("trainer"))
    page = client.get("/courses/demo/lessons/going-further").get_data(as_text=True)
    assert "Unpublished" in page
    assert "Going further" in client.get("/courses/demo").get_data(as_text=True)
    assert client.get("/courses/demo/lessons/wrap-up").status_code == 404


def test_key_course_lessons_need_enrolment(client, app, tmp_path, login, auth):
    course = import_folder(write_course(tmp_path, "keyed", meta={"enrolment": {"mode": "key", "key": "k"}}))
    response = client.get("/courses/keyed/lessons/first-steps")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login("learner")
    response = client.get("/courses/keyed/lessons/first-steps", follow_redirects=True)
    assert "Enrol in this course to read its lessons." in response.get_data(as_text=True)
    outline = client.get("/courses/keyed").get_data(as_text=True)
    assert 'href="/courses/keyed/lessons/first-steps"' not in outline and "First steps" in outline
    client.post("/courses/keyed/enrol", data={"key": "k"})
    assert client.get("/courses/keyed/lessons/first-steps").status_code == 200
    assert course.slug == "keyed"


def test_media_route(client, app, course):
    response = client.get("/courses/demo/media/diagram.png")
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    for name in ("missing.png", "diagram.svg", "..%2Fsecret_key", ".diagram.png", "diagram.png.html"):
        assert client.get(f"/courses/demo/media/{name}").status_code == 404, name
    assert client.get("/courses/nope/media/diagram.png").status_code == 404


def test_media_of_unpublished_course_is_hidden(client, app, course, login):
    course.published = False
    db.session.commit()
    assert client.get("/courses/demo/media/diagram.png").status_code == 404
    name_trainer(course, login("trainer"))
    assert client.get("/courses/demo/media/diagram.png").status_code == 200


def test_outline_lists_items_from_other_features(client, login, course, monkeypatch):
    section = next(s for s in course.sections if s.slug == "practice")

    def quizzes(c, user):
        return [hooks.OutlineItem(kind="quiz", section_id=section.id, position=10_000, title="Final check",
                                  url="/quiz/final", done=False, required=True, detail="Best grade 50%")]

    monkeypatch.setattr(hooks, "outline_providers", [quizzes])
    page = client.get("/courses/demo").get_data(as_text=True)
    practice = page[page.index(">Practice</h3>"):]
    assert practice.index("Wrap-up") < practice.index('href="/quiz/final">Final check')
    assert "Best grade 50%" in page


def test_course_page_outline_rules_and_trainers(client, app, tmp_path, make_user):
    trainer = make_user("trainer", display_name="Tina Trainer")
    course = import_folder(write_course(tmp_path, "rules", meta={"completion": {
        "lessons": "all", "quizzes": ["final-quiz"], "forum_posts": 2, "certificate": "manual"}}))
    authoring.add_trainer(course, trainer)
    db.session.commit()
    page = client.get("/courses/rules").get_data(as_text=True)
    assert page.index(">Basics</h3>") < page.index("First steps") < page.index(">Practice</h3>") < page.index("Wrap-up")
    assert "Mark every lesson as complete." in page
    assert "Pass the quiz “final-quiz”." in page
    assert "Write at least 2 posts in the course forum." in page
    assert "An administrator issues the certificate" in page
    assert "Tina Trainer" in page


def test_course_without_requirements_says_so(client, app, tmp_path):
    import_folder(write_course(tmp_path, "free", meta={"completion": {"lessons": "none", "certificate": "none"}}))
    page = client.get("/courses/free").get_data(as_text=True)
    assert "This course has no completion requirements" in page and "This course has no certificate." in page


# -- the course index beside each lesson ------------------------------------------------

def index_of(page: str) -> str:
    start = page.index('<nav class="course-index"')
    return page[start:page.index("</nav>", start)]


def test_lesson_index_lists_sections_lessons_and_quizzes(client, login, course, monkeypatch):
    section = next(s for s in course.sections if s.slug == "practice")

    def quizzes(c, user):
        return [hooks.OutlineItem(kind="quiz", section_id=section.id, position=10_000, title="Final check",
                                  url="/quiz/final", done=False, required=True)]

    monkeypatch.setattr(hooks, "outline_providers", [quizzes])
    page = client.get("/courses/demo/lessons/going-further").get_data(as_text=True)
    index = index_of(page)
    assert "<details data-open-wide>" in index and "Course contents" in index
    assert index.index(">Basics</p>") < index.index(">First steps<") < index.index(">Practice</p>")
    assert index.index(">Practice</p>") < index.index(">Wrap-up<") < index.index('href="/quiz/final">Final check')
    assert 'href="/courses/demo/lessons/going-further" aria-current="page">Going further' in index
    assert index.count("aria-current") == 1
    assert "lessons done" not in index and "✓" not in index  # anonymous: no done marks
    # previous and next, above the lesson and below it
    assert page.count('rel="prev" href="/courses/demo/lessons/first-steps"') == 2
    assert page.count('rel="next" href="/courses/demo/lessons/wrap-up"') == 2
    assert page.index('rel="next"') < page.index("<h1>Going further</h1>") < page.rindex('rel="next"')


def test_lesson_index_marks_what_the_learner_has_done(client, login, course):
    enrolled(login, course)
    client.post("/courses/demo/lessons/first-steps/complete")
    index = index_of(client.get("/courses/demo/lessons/wrap-up").get_data(as_text=True))
    assert "1 of 3 lessons done" in index
    assert 'href="/courses/demo/lessons/first-steps">First steps<span class="visually-hidden"> (done)</span>' in index
    assert ('href="/courses/demo/lessons/wrap-up" aria-current="page">Wrap-up'
            '<span class="visually-hidden"> (not done yet)</span>') in index
    assert index.count('class="index-mark done"') == 1


def test_lesson_index_follows_the_reading_language(client, course):
    index = index_of(client.get("/courses/demo/lessons/first-steps?lang=es").get_data(as_text=True))
    assert 'href="/courses/demo/lessons/going-further?lang=es">Más allá' in index
    assert 'href="/courses/demo/lessons/wrap-up?lang=es">Wrap-up' in index  # untranslated: the original


def test_lesson_index_shows_unpublished_lessons_to_trainers_only(client, login, auth, course):
    second = next(x for x in course.lessons if x.slug == "going-further")
    authoring.set_lesson_published(second, False)
    db.session.commit()
    index = index_of(client.get("/courses/demo/lessons/first-steps").get_data(as_text=True))
    assert "Going further" not in index
    name_trainer(course, login("trainer"))
    index = index_of(client.get("/courses/demo/lessons/first-steps").get_data(as_text=True))
    assert "Going further" in index and "Unpublished" in index


def test_lesson_page_queries_do_not_grow_with_the_course(client, login, app):
    from tests.factories import make_course
    from tests.querycount import counted, statements_for_get

    learner = login("learner")
    counts = {}
    for size in (5, 50):
        course = make_course(f"size-{size}", lessons=size, enrolled=[learner])
        counts[size] = statements_for_get(client, f"/courses/{course.slug}/lessons/lesson-3")
    assert counts[5] == counts[50], counts
    with counted() as statements:
        client.get("/courses/size-50/lessons/lesson-3")
    bodies = [s for s in statements if "lesson.body_html" in s]
    one_lesson = re.compile(r"lesson\.(id|slug) = (\?|%\(\w+\)s)")  # SQLite's and PostgreSQL's placeholders
    assert bodies and all(one_lesson.search(s) for s in bodies), bodies
    assert sum("FROM lesson LEFT OUTER JOIN" in s for s in statements) == 1  # the index: one narrow query


def test_course_page_queries_do_not_grow_with_the_course(client, login):
    """The outline needs every lesson's title in the reader's language, never a body."""
    from tests.factories import make_course
    from tests.querycount import counted, statements_for_get

    learner = login("learner")
    learner.language = "es"
    db.session.commit()
    counts = {}
    for size in (5, 50):
        course = make_course(f"outline-{size}", lessons=size, enrolled=[learner])
        counts[size] = statements_for_get(client, f"/courses/{course.slug}")
    assert counts[5] == counts[50], counts
    with counted() as statements:
        client.get("/courses/outline-50")
    assert not [s for s in statements if "lesson.body_html" in s or "lesson_translation.body_html" in s]
