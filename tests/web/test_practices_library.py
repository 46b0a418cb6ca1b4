"""Toolbox, resource overview and glossary: import (errors by file and line) and pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from hub.courses.front_matter import ContentError
from hub.extensions import db
from hub.practices import library

SHIPPED = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def shipped_library(app):
    counts = library.import_library(SHIPPED)
    db.session.commit()
    return counts


def test_shipped_content_imports_completely(shipped_library):
    assert shipped_library["toolbox"] >= 8 and shipped_library["resources"] >= 15
    assert shipped_library["glossary"] >= 40
    again = library.import_library(SHIPPED)  # re-import updates, creates nothing
    assert again == {"toolbox": 0, "resources": 0, "glossary": 0}


def test_every_shipped_glossary_term_has_spanish_and_danish(shipped_library):
    for _letter, terms in library.glossary_by_letter():
        for term in terms:
            assert term.variants.get("es") and term.variants.get("da"), term.slug


def test_toolbox_is_organised_by_the_four_questions(client, shipped_library):
    page = client.get("/practices/toolbox/").get_data(as_text=True)
    for question in ("How do I get started?", "Which way to go?", "What do I need to make it successful?",
                     "How do I know I am on the right track?"):
        assert question in page
    first = library.toolbox_by_question()[0][2][0]
    response = client.get(f"/practices/toolbox/{first.slug}")
    assert response.status_code == 200 and first.title in response.get_data(as_text=True)
    assert 'rel="next"' in response.get_data(as_text=True)
    assert client.get("/practices/toolbox/no-such-page").status_code == 404


def test_resources_filter_by_type_language_country_and_topic(client, shipped_library):
    everything = client.get("/practices/resources/").get_data(as_text=True)
    tools = client.get("/practices/resources/?type=tool").get_data(as_text=True)
    assert everything.count('<li>\n    <h2>') > tools.count('<li>\n    <h2>') > 0
    assert "Organisations and contacts" in everything
    topic = library.resource_choices()["topic"][0]
    filtered = library.resources_filtered(topic=topic)
    page = client.get(f"/practices/resources/?topic={topic}").get_data(as_text=True)
    assert all(r.title.split(":")[0] in page for r in filtered)
    assert client.get("/practices/resources/?type=bogus&language=xx&country=zz").status_code == 200


def test_glossary_is_a_to_z_with_the_readers_language(client, shipped_library):
    page = client.get("/practices/glossary/").get_data(as_text=True)
    assert 'href="#letter-A"' in page and 'id="asylum-seeker"' in page
    spanish = client.get("/practices/glossary/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "(solicitante de asilo" in spanish


def test_header_and_subnav_reach_every_part(client, shipped_library):
    page = client.get("/practices/").get_data(as_text=True)
    for href in ('href="/practices/toolbox/"', 'href="/practices/resources/"', 'href="/practices/glossary/"'):
        assert href in page


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_broken_entries_are_named_by_file_and_line_and_the_rest_imports(app, tmp_path):
    write(tmp_path / "toolbox" / "01-ok.md", "---\nslug: ok\ntitle: Fine\nquestion: which-way\n---\nText.\n")
    write(tmp_path / "toolbox" / "02-bad.md", "---\nslug: bad\ntitle: Bad\nquestion: someday\n---\nText.\n")
    write(tmp_path / "glossary" / "glossary.yaml",
          "terms:\n  - slug: good\n    term: Good\n    definition: Fine.\n"
          "  - slug: broken\n    term: Broken\n    see_also: [nowhere]\n")
    write(tmp_path / "resources" / "resources.yaml",
          "resources:\n  - slug: r1\n    title: T\n    type: podcast\n    summary: S\n")
    with pytest.raises(ContentError) as raised:
        library.import_library(tmp_path)
    message = str(raised.value)
    assert "02-bad.md:4: 'question' must be one of" in message
    assert "glossary.yaml:5: missing required field 'definition'" in message
    assert "glossary.yaml:5: 'see_also' names terms that do not exist: nowhere" in message
    assert "resources.yaml:2: 'type' must be one of" in message
    db.session.commit()
    assert [p.slug for _k, _l, pages in library.toolbox_by_question() for p in pages] == ["ok"]
    assert [t.slug for _l, terms in library.glossary_by_letter() for t in terms] == ["good"]


def test_invalid_yaml_is_a_clear_error(app, tmp_path):
    write(tmp_path / "glossary" / "glossary.yaml", "terms:\n  - slug: x\n    term: [unclosed\n")
    with pytest.raises(ContentError, match="glossary.yaml:.*not valid YAML"):
        library.import_library(tmp_path)


def test_lessons_practices_and_toolbox_link_the_glossary_once_rendered(app, shipped_library, tmp_path):
    """Terms are linked when the text is rendered and stored, in the text's language."""
    from hub.courses import content as courses_content
    from hub.courses.models import Lesson
    from hub.practices import content as practices_content
    from hub.practices import services
    from tests.course_helpers import front, write_course
    from tests.web.test_practices import write

    folder = write_course(tmp_path, slug="linked", lessons=[
        {"file": "01-one.md", "slug": "one", "title": "One", "section": "basics",
         "body": "Every asylum seeker may see a job coach.\n"}],
        files={"01-one.es.md": front({"title": "Uno"}, "Cada solicitante de asilo puede ver a alguien.\n")})
    courses_content.import_path(folder)
    db.session.commit()
    lesson = db.session.query(Lesson).filter_by(slug="one").one()
    assert '<a class="term" href="/practices/glossary/#asylum-seeker">asylum seeker</a>' in lesson.body_html
    spanish = lesson.translations[0].body_html
    assert 'href="/practices/glossary/#asylum-seeker">solicitante de asilo</a>' in spanish

    write(tmp_path / "p", "linked-practice", body="## Description\n\nMentors support each asylum seeker.\n")
    practices_content.import_practices(tmp_path / "p")
    assert 'class="term"' in services.get_by_slug("linked-practice").description_html
    pages = [p for _k, _l, ps in library.toolbox_by_question() for p in ps]
    assert any('class="term"' in p.body_html for p in pages)
