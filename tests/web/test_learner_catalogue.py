"""The learner's catalogue and course page: course images (shipped SVGs, trainers'
uploads), one clear status per card, headings in order, one enrolment message with
one date format, no "0 places left", and the new-course form's language."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from hub.courses import media
from hub.courses.content import ContentError
from hub.courses.content_export import export_course
from hub.courses.models import Course
from hub.database import utcnow
from hub.extensions import db
from tests import factories
from tests.course_helpers import PNG, import_folder, write_course
from tests.progress_factories import complete_all_lessons, complete_lesson, enrol, make_course

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">'
       b'<rect width="320" height="180" fill="#e6f1f8"/><circle cx="160" cy="90" r="40" fill="#0b5d6b"/></svg>')


def cards(page: str) -> dict[str, str]:
    """Each course card's HTML, by the course slug it links to."""
    found = {}
    for chunk in page.split('<li class="card course-card">')[1:]:
        card = chunk.split("</li>")[0]
        slug = re.search(r'href="/courses/([a-z0-9-]+)"', card)
        assert slug, card
        found[slug.group(1)] = card
    return found


def headings(page: str) -> list[int]:
    main = page.split("<main", 1)[1].split("</main>")[0]
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]


# --- course images -------------------------------------------------------------------------

def test_a_course_folders_image_shows_on_its_card_as_a_decorative_picture(app, client, tmp_path):
    import_folder(write_course(tmp_path, "pictured", meta={"image": "images/cover.svg"},
                               files={"images/cover.svg": SVG}))
    import_folder(write_course(tmp_path, "plain"))
    page = client.get("/courses/").get_data(as_text=True)
    found = cards(page)
    image = re.search(r'<img class="course-cover" src="([^"]+)" alt=""', found["pictured"])
    assert image and image.group(1).startswith("/courses/pictured/media/cover.svg?v=")
    assert "<img" not in found["plain"]
    response = client.get(image.group(1))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == SVG


@pytest.mark.parametrize("svg, problem", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x()"/></svg>', "event handlers"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     b'<a x:href="https://evil.example/">x</a></svg>', "link inside"),
    (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE"),
    (b"<html><body>no</body></html>", "root element"),
    (b"<svg", "not well-formed"),
])
def test_unsafe_svg_in_a_course_folder_is_refused_with_the_reason(app, tmp_path, svg, problem):
    folder = write_course(tmp_path, "unsafe", meta={"image": "images/cover.svg"}, files={"images/cover.svg": svg})
    with pytest.raises(ContentError, match=re.escape(problem)):
        import_folder(folder)


def test_an_image_field_must_name_a_file_in_the_images_folder(app, tmp_path):
    with pytest.raises(ContentError, match="not found in the images folder"):
        import_folder(write_course(tmp_path, "missing", meta={"image": "images/cover.png"}))
    with pytest.raises(ContentError, match="names a file in the images folder"):
        import_folder(write_course(tmp_path, "outside", meta={"image": "../secret.png"}))


def test_every_shipped_course_has_its_own_image():
    """Checked without a database: the importer reads the same folders (and
    test_shipped_courses_all_import_cleanly imports them)."""
    from pathlib import Path

    from hub.courses.content_parse import course_folders, parse_course_folder

    folders = course_folders(Path(__file__).resolve().parents[2] / "content")
    drawings = set()
    for folder in folders:
        parsed, problems = parse_course_folder(folder, extra_course_fields=("question_bank",))
        assert problems == [] and parsed is not None, problems
        assert parsed.image == "cover.svg", folder.name
        data = (folder / "images" / parsed.image).read_bytes()
        assert media.svg_problem(data) is None and len(data) < 4096
        drawings.add(data)
    assert len(drawings) == len(folders) >= 9  # one drawing per course, not one for all


@pytest.fixture
def demo(app, tmp_path):
    return import_folder(write_course(tmp_path, "demo"))


def test_a_trainer_uploads_replaces_and_removes_the_course_image(app, client, login, demo, tmp_path):
    trainer = login("trainer")
    factories.name_trainer(demo, trainer)
    page = client.get("/courses/demo/settings").get_data(as_text=True)
    assert 'id="course-image"' in page and "This course has no image yet." in page
    response = client.post("/courses/demo/cover", data={"cover": (io.BytesIO(PNG), "team.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/demo/settings#course-image")
    upload = app.config["UPLOAD_PATH"]
    assert media.cover_name(upload, demo.id) == "cover.png"
    card = cards(client.get("/courses/").get_data(as_text=True))["demo"]
    assert re.search(r'<img class="course-cover" src="/courses/demo/media/cover\.png\?v=\d+" alt=""', card)

    # Exported with the course (a file and an image: line), and imported back.
    folder = export_course(db.session.get(Course, demo.id), tmp_path / "out")
    assert "image: images/cover.png" in (folder / "course.md").read_text(encoding="utf-8")
    assert (folder / "images" / "cover.png").read_bytes() == PNG

    response = client.post("/courses/demo/cover/delete")
    assert response.status_code == 302 and media.cover_name(upload, demo.id) is None
    assert "<img" not in cards(client.get("/courses/").get_data(as_text=True))["demo"]


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Only PNG, JPEG, GIF and WebP images can be uploaded."),
    (b"not an image at all", "Only PNG, JPEG, GIF and WebP images can be uploaded."),
])
def test_a_course_image_upload_is_checked_like_lesson_images(app, client, login, demo, data, message):
    factories.name_trainer(demo, login("trainer"))
    response = client.post("/courses/demo/cover", data={"cover": (io.BytesIO(data), "cover.svg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert media.cover_name(app.config["UPLOAD_PATH"], demo.id) is None


def test_learners_cannot_change_the_course_image(app, client, login, demo):
    login("learner")
    response = client.post("/courses/demo/cover", data={"cover": (io.BytesIO(PNG), "x.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.post("/courses/demo/cover/delete").status_code == 403


# --- status, duration, languages and headings on the cards --------------------------------------

def test_each_card_says_enrolled_in_progress_or_completed_once(app, client, make_user, auth):
    learner = make_user()
    waiting, going, done, other = (make_course(slug, lessons=2, hours=2.5) for slug in ("waiting", "going", "done",
                                                                                       "other"))
    for course in (waiting, going, done):
        enrol(learner, course)
    complete_lesson(learner, going.lessons[0])
    complete_all_lessons(learner, done)
    auth.login(learner)
    found = cards(client.get("/courses/").get_data(as_text=True))

    def badges(card: str) -> list[str]:
        return re.findall(r'<span class="badge[^"]*">([^<]+)</span>', card)

    assert badges(found["waiting"]).count("Enrolled") == 1
    assert "Not started yet" in found["waiting"] and "In progress" not in found["waiting"]
    assert badges(found["going"]).count("In progress") == 1 and "Enrolled" not in badges(found["going"])
    assert 'value="50"' in found["going"] and "50% done" in found["going"]
    assert badges(found["done"]).count("Completed") == 1 and "Enrolled" not in badges(found["done"])
    assert "Completed on" in found["done"] and "<progress" not in found["done"]
    assert "In progress" not in badges(found["done"])
    assert not {"Enrolled", "In progress", "Completed"} & set(badges(found["other"]))
    for card in found.values():
        assert "About 2.5 hours" in card


def test_cards_list_the_course_languages(app, client, tmp_path):
    folder = write_course(tmp_path, "bilingual")
    (folder / "course.es.md").write_text("---\ntitle: Curso\nsummary: Resumen\n---\nTexto.\n", encoding="utf-8")
    for stem in ("01-first-steps", "02-going-further", "03-wrap-up"):  # a language counts once its lessons are in it
        (folder / f"{stem}.es.md").write_text("---\ntitle: Lección\n---\nTexto.\n", encoding="utf-8")
    import_folder(folder)
    card = cards(client.get("/courses/").get_data(as_text=True))["bilingual"]
    assert "Languages:" in card and "English" in card and "Español" in card


def test_catalogue_headings_do_not_skip_a_level(app, client, make_user, auth):
    make_course("one")
    make_course("two")
    auth.login(make_user())
    levels = headings(client.get("/courses/").get_data(as_text=True))
    assert levels[0] == 1 and levels.count(2) == 2 and 3 not in levels
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))
    home = headings(client.get("/").get_data(as_text=True))
    assert all(later - earlier <= 1 for earlier, later in zip(home, home[1:], strict=False))


# --- the course page: one enrolment message ----------------------------------------------------

def test_a_closed_enrolment_is_said_once_with_the_hubs_date_format(app, client, make_user, auth):
    course = make_course("closed")
    course.enrol_closes = date(2025, 6, 30)
    db.session.commit()
    auth.login(make_user())
    page = client.get("/courses/closed").get_data(as_text=True)
    assert page.count("Enrolment closed on Jun 30, 2025.") == 1
    assert "Enrolment closes on" not in page and "June 30" not in page
    auth.logout()
    assert "Enrolment closes on" not in client.get("/courses/closed").get_data(as_text=True)


def test_an_open_window_says_when_it_closes(app, client, make_user, auth):
    from hub.templating import format_day

    course = make_course("open")
    course.enrol_closes = utcnow().date() + timedelta(days=10)
    db.session.commit()
    page = client.get("/courses/open").get_data(as_text=True)
    with app.test_request_context():
        day = format_day(course.enrol_closes)
    assert page.count(f"Enrolment closes on {day}.") == 1


def test_a_full_course_says_full_without_a_zero_count(app, client, make_user, auth):
    course = make_course("full")
    course.capacity = 1
    db.session.commit()
    enrol(make_user(), course)
    auth.login(make_user())
    page = client.get("/courses/full").get_data(as_text=True)
    assert "This course is full" in page and "0 places left" not in page
    auth.logout()
    visitor = client.get("/courses/full").get_data(as_text=True)
    assert "This course is full." in visitor and "0 places left" not in visitor
    spanish = client.get("/courses/full", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Quedan 0" not in spanish and "0 plazas" not in spanish


def test_places_left_are_counted_while_there_are_some(app, client, make_user):
    course = make_course("roomy")
    course.capacity = 3
    db.session.commit()
    enrol(make_user(), course)
    assert "2 places left" in client.get("/courses/roomy").get_data(as_text=True)


# --- the new-course form ------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["es", "da", "en"])
def test_the_new_course_form_starts_in_the_trainers_language(app, client, login, language):
    login("trainer", language=language)
    page = client.get("/courses/new").get_data(as_text=True)
    select_html = page.split('name="language"', 1)[1].split("</select>")[0]
    selected = re.findall(r'<option selected value="([a-z]+)"', select_html)
    assert selected == [language]

