"""The catalogue: published courses only, filters by language (course language plus
languages all lessons are translated into), type and zone, and the enrolled badge."""
from __future__ import annotations

import re

import pytest

from hub.courses.models import Enrolment
from hub.extensions import db
from tests.course_helpers import front, import_folder, write_course
from tests.factories import name_trainer


def listed(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<h[23]><a href="/courses/([a-z0-9-]+)"', response.get_data(as_text=True))


@pytest.fixture
def catalogue(app, tmp_path):
    """intro: en + es + da (every lesson translated); zone-one: en, only one lesson in
    es; zone-two: a Spanish course; guide: guideline; hidden: unpublished."""
    translations = {f"0{i}-{slug}.{lang}.md": front({"title": f"{slug} {lang}"}, "x")
                    for i, slug in ((1, "first-steps"), (2, "going-further"), (3, "wrap-up")) for lang in ("es", "da")}
    courses = {
        "intro": import_folder(write_course(tmp_path, "intro", title="Intro course", files=translations,
                                            meta={"kind": "introduction", "zone": 0, "order": 0})),
        "zone-one": import_folder(write_course(tmp_path, "zone-one", title="Zone one course", meta={"zone": 1},
                                               files={"01-first-steps.es.md": front({"title": "Uno"}, "x")})),
        "zone-two": import_folder(write_course(tmp_path, "zone-two", title="Curso zona dos",
                                               meta={"zone": 2, "language": "es", "order": 2})),
        "guide": import_folder(write_course(tmp_path, "guide", title="Guideline course",
                                            meta={"kind": "guideline", "zone": None, "order": 8})),
        "hidden": import_folder(write_course(tmp_path, "hidden", title="Hidden course",
                                             meta={"zone": 3, "published": False})),
    }
    return courses


def test_lists_published_courses_in_order(client, catalogue):
    assert listed(client.get("/courses/")) == ["intro", "zone-one", "zone-two", "guide"]


def test_home_page_lists_them_too(client, catalogue):
    assert listed(client.get("/")) == ["intro", "zone-one", "zone-two", "guide"]


@pytest.mark.parametrize("query, expected", [
    ("lang=en", ["intro", "zone-one", "guide"]),
    ("lang=es", ["intro", "zone-two"]),  # zone-one has only one lesson in Spanish
    ("lang=da", ["intro"]),
    ("lang=it", []),
    ("kind=introduction", ["intro"]),
    ("kind=zone", ["zone-one", "zone-two"]),
    ("kind=guideline", ["guide"]),
    ("zone=2", ["zone-two"]),
    ("zone=3", []),  # the unpublished one
    ("kind=zone&lang=es", ["zone-two"]),
    ("lang=klingon&kind=nonsense&zone=x", ["intro", "zone-one", "zone-two", "guide"]),  # ignored, not an error
])
def test_filters(client, catalogue, query, expected):
    assert listed(client.get(f"/courses/?{query}")) == expected


def test_filter_form_offers_languages_and_zones(client, catalogue):
    page = client.get("/courses/?lang=es").get_data(as_text=True)
    assert '<option value="es" lang="es" selected>Español</option>' in page
    assert '<option value="da" lang="da" >Dansk</option>' in page
    assert 'value="1"' in page and 'value="2"' in page and '<option value="3"' not in page
    assert "Show all courses" in page
    assert "2 courses" in page


def test_empty_filter_result_says_so(client, catalogue):
    page = client.get("/courses/?lang=it").get_data(as_text=True)
    assert "No course matches these filters." in page


def test_cards_show_languages_zone_and_hours(client, catalogue):
    page = client.get("/courses/").get_data(as_text=True)
    card = page[page.index('href="/courses/intro"'):page.index('href="/courses/zone-one"')]
    assert "English" in card and "Español" in card and "Dansk" in card
    assert "Introduction" in card and "About 2 hours" in card
    card = page[page.index('href="/courses/zone-one"'):page.index('href="/courses/zone-two"')]
    assert "Zone 1" in card and "Español" not in card


def test_enrolled_badge(client, login, catalogue):
    learner = login("learner")
    db.session.add(Enrolment(user_id=learner.id, course_id=catalogue["zone-one"].id))
    db.session.add(Enrolment(user_id=learner.id, course_id=catalogue["guide"].id, status="unenrolled"))
    db.session.commit()
    page = client.get("/courses/").get_data(as_text=True)
    cards = {slug: page[page.index(f'href="/courses/{slug}"'):] for slug in ("zone-one", "guide")}
    assert "Enrolled" in cards["zone-one"].split("</li>")[0]
    assert "Enrolled" not in cards["guide"].split("</li>")[0]


def test_unpublished_course_is_404_for_learners_and_visible_to_trainers(client, login, catalogue):
    assert client.get("/courses/hidden").status_code == 404
    assert client.get("/courses/hidden/lessons/first-steps").status_code == 404
    login("learner")
    assert client.get("/courses/hidden").status_code == 404
    assert "hidden" not in listed(client.get("/courses/"))


def test_trainer_sees_unpublished_courses_marked(client, login, catalogue):
    from hub.courses.models import Course

    name_trainer(db.session.scalar(db.select(Course).where(Course.slug == "hidden")), login("trainer"))
    assert "hidden" in listed(client.get("/courses/"))
    page = client.get("/courses/hidden").get_data(as_text=True)
    assert "Unpublished" in page


def test_translated_course_title_in_the_readers_language(client, app, tmp_path, login):
    import_folder(write_course(tmp_path, "bilingual", title="English title", files={
        "course.es.md": front({"title": "Título en español", "summary": "Resumen."}, "Descripción.\n")}))
    login("learner", language="es")
    page = client.get("/courses/").get_data(as_text=True)
    assert "Título en español" in page and 'lang="es"' in page
    assert "Título en español" in client.get("/courses/bilingual").get_data(as_text=True)


def test_a_large_catalogue_comes_in_pages_that_keep_the_filters(client, app):
    from tests.factories import make_course

    for n in range(30):
        make_course(f"course-{n:02d}", title=f"Course {n:02d}")
    first = client.get("/courses/")
    assert len(listed(first)) == 24 and "30 courses" in first.get_data(as_text=True)
    assert 'aria-label="Pages"' in first.get_data(as_text=True)
    assert listed(client.get("/courses/?page=2")) == [f"course-{n:02d}" for n in range(24, 30)]
    filtered = client.get("/courses/?lang=en&page=2").get_data(as_text=True)
    assert 'href="/courses/?lang=en"' in filtered  # the first page, same filter
    assert client.get("/courses/?page=3").status_code == 404
    assert len(listed(client.get("/"))) == 9  # the home page shows the first courses


def test_the_catalogue_runs_the_same_queries_for_30_courses_as_for_3(client, login):
    from tests.factories import make_course
    from tests.querycount import statements_for_get

    login("learner")
    for n in range(3):
        make_course(f"small-{n}", lessons=2)
    few = statements_for_get(client, "/courses/")
    for n in range(27):
        make_course(f"more-{n}", lessons=2)
    assert statements_for_get(client, "/courses/") == few
