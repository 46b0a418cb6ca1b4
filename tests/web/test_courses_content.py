"""Content import and export against the database: idempotent, keyed by slugs,
keeps learners' history, all-or-nothing per course, and round trips."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.courses import content, hooks
from hub.courses.content_export import export_course, export_to_path, export_zip
from hub.courses.models import Course, Enrolment, Lesson, LessonProgress
from hub.database import utcnow
from hub.extensions import db
from tests.course_helpers import PNG, front, import_folder, write_course

ROOT = Path(__file__).resolve().parents[2]


def lesson(course, slug) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == slug))


def test_import_creates_course_sections_lessons(app, tmp_path):
    folder = write_course(tmp_path, "demo", files={
        "01-first-steps.es.md": front({"title": "Primeros pasos", "minutes": 7}, "## Hola\n"),
        "course.es.md": front({"title": "Curso demo", "summary": "Resumen."}, "Descripción.\n"),
        "images/photo.png": PNG,
    }, lessons=[{"file": "01-first-steps.md", "slug": "first-steps", "title": "First steps", "section": "basics",
                 "minutes": 12, "body": "Intro\n\n![A photo](images/photo.png)\n\n<script>alert(1)</script>\n"}])
    report = content.import_path(folder)
    assert report.courses == ["demo"] and report.created == ["demo"] and report.lessons == 1
    course = db.session.scalar(select(Course).where(Course.slug == "demo"))
    assert course.title == "Demo course" and course.published and course.kind == "zone" and course.zone == 1
    assert [s.slug for s in course.sections] == ["basics", "practice"]
    first = lesson(course, "first-steps")
    assert first.section.slug == "basics" and first.minutes == 12 and first.source_file == "01-first-steps.md"
    assert 'src="/courses/demo/media/photo.png"' in first.body_html
    assert "<script" not in first.body_html  # sanitised once, on import
    assert first.translations[0].language == "es" and first.translations[0].minutes == 7
    assert course.translations[0].title == "Curso demo"
    stored = Path(app.config["UPLOAD_PATH"]) / "courses" / str(course.id) / "photo.png"
    assert stored.read_bytes() == PNG


def test_reimport_is_idempotent_and_keeps_progress(app, tmp_path, make_user):
    folder = write_course(tmp_path, "demo")
    course = import_folder(folder)
    learner = make_user()
    first, second = lesson(course, "first-steps"), lesson(course, "going-further")
    db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
    db.session.add(LessonProgress(user_id=learner.id, lesson_id=first.id, completed_at=utcnow()))
    db.session.add(LessonProgress(user_id=learner.id, lesson_id=second.id))
    db.session.commit()
    ids = {x.slug: x.id for x in course.lessons}

    # same files again: nothing new
    report = content.import_path(folder)
    assert report.created == [] and report.archived == 0
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == 3

    # a text change and a removed lesson
    text = (folder / "01-first-steps.md").read_text().replace("The first lesson", "The revised first lesson")
    (folder / "01-first-steps.md").write_text(text)
    (folder / "02-going-further.md").unlink()
    report = content.import_path(folder)
    assert report.archived == 1
    db.session.expire_all()
    course = db.session.scalar(select(Course).where(Course.slug == "demo"))
    assert {x.slug: x.id for x in course.lessons} == ids  # same rows, keyed by slug
    assert "revised first lesson" in lesson(course, "first-steps").body_html
    assert lesson(course, "going-further").archived_at is not None
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == learner.id)).all()
    assert len(rows) == 2 and any(r.completed_at for r in rows)

    # putting the lesson back restores it with its history
    write_course(tmp_path, "demo")
    content.import_path(folder)
    db.session.expire_all()
    assert lesson(course, "going-further").archived_at is None


def test_removed_section_is_archived_and_translation_dropped(app, tmp_path):
    folder = write_course(tmp_path, "demo", files={"01-first-steps.da.md": front({"title": "Første skridt"}, "x")})
    course = import_folder(folder)
    assert lesson(course, "first-steps").translations
    (folder / "01-first-steps.da.md").unlink()
    write_course(tmp_path, "demo", meta={"sections": [{"slug": "basics", "title": "Basics"}]},
                 lessons=[{"file": "01-first-steps.md", "slug": "first-steps", "title": "First steps",
                           "section": "basics"}])
    for name in ("02-going-further.md", "03-wrap-up.md"):
        (folder / name).unlink()
    content.import_path(folder)
    db.session.expire_all()
    sections = {s.slug: s for s in course.sections}
    assert sections["practice"].archived_at is not None and sections["basics"].archived_at is None
    assert lesson(course, "first-steps").translations == []


def snapshot(course: Course) -> dict:
    return {
        "course": {k: getattr(course, k) for k in (
            "slug", "title", "summary", "description_md", "kind", "zone", "language", "position", "estimated_hours",
            "published", "enrolment_mode", "enrolment_key", "enrol_opens", "enrol_closes", "capacity",
            "completion_rules", "certificate_mode", "prerequisite_slugs")},
        "sections": [(s.slug, s.title) for s in course.sections if s.archived_at is None],
        "lessons": sorted((x.slug, x.title, x.section.slug if x.section else None, x.minutes, x.published,
                           x.body_md.strip(), sorted((t.language, t.title, t.minutes, t.body_md.strip())
                                                     for t in x.translations))
                          for x in course.lessons if x.archived_at is None),
        "translations": sorted((t.language, t.title, t.summary, t.description_md.strip()) for t in course.translations),
    }


def rich_course(tmp_path) -> Path:
    return write_course(tmp_path / "src", "rich", title="Rich: a course", meta={
        "kind": "guideline", "zone": None, "order": 7, "estimated_hours": 2.5,
        "enrolment": {"mode": "key", "key": "s3cret", "opens": "2030-01-01", "closes": "2030-12-31", "capacity": 20},
        "completion": {"lessons": "none", "quizzes": ["final-quiz"], "forum_posts": 2, "certificate": "manual",
                       "prerequisites": ["introduction"]},
    }, lessons=[
        {"file": "01-one.md", "slug": "one", "title": "One: the start", "section": "basics", "minutes": 9,
         "body": "## Start\n\n![Map](images/map.png)\n\nText[^1]\n\n[^1]: Source.\n"},
        {"file": "02-two.md", "slug": "two", "title": "Two", "section": "practice", "published": False,
         "body": "!!! checklist \"Before you call\"\n    - item\n"},
        {"file": "00-three.md", "slug": "three", "title": "Three", "body": "No section.\n"},
    ], files={"images/map.png": PNG, "01-one.es.md": front({"title": "Uno", "minutes": 4}, "Hola.\n"),
              "01-one.da.md": front({"title": "En", "minutes": 5}, "Hej.\n"),
              "course.es.md": front({"title": "Rico", "summary": "Un curso."}, "Descripción.\n")})


def test_export_then_import_round_trip_folder(app, tmp_path):
    course = import_folder(rich_course(tmp_path))
    before = snapshot(course)
    out = export_course(course, tmp_path / "out" / "rich")
    assert (out / "images" / "map.png").read_bytes() == PNG
    assert sorted(p.name for p in out.glob("*.md")) == [
        "00-three.md", "01-one.da.md", "01-one.es.md", "01-one.md", "02-two.md", "course.es.md", "course.md"]
    db.session.delete(course)
    db.session.commit()
    again = import_folder(out)
    assert snapshot(again) == before
    # a second export of the re-imported course is byte-identical
    second = export_course(again, tmp_path / "out2" / "rich")
    for path in out.rglob("*"):
        if path.is_file():
            assert (second / path.relative_to(out)).read_bytes() == path.read_bytes(), path.name


def test_export_then_import_round_trip_zip(app, tmp_path):
    course = import_folder(rich_course(tmp_path))
    before = snapshot(course)
    data = export_zip(course)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "10-rich/course.md" in names and "10-rich/images/map.png" in names
    db.session.delete(course)
    db.session.commit()
    report = content.import_zip(io.BytesIO(data))
    db.session.commit()
    assert report.created == ["rich"]
    assert snapshot(db.session.scalar(select(Course).where(Course.slug == "rich"))) == before


def test_export_renumbers_files_after_reordering(app, tmp_path):
    course = import_folder(write_course(tmp_path, "demo"))
    from hub.courses import authoring
    authoring.move_lesson(lesson(course, "going-further"), -1)
    db.session.commit()
    out = export_course(course, tmp_path / "out")
    assert sorted(p.name for p in out.glob("0*.md")) == ["01-going-further.md", "02-first-steps.md", "03-wrap-up.md"]


def test_export_refuses_a_non_empty_folder_unless_replacing_a_course(app, tmp_path):
    course = import_folder(write_course(tmp_path, "demo"))
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(content.ContentError, match="not empty"):
        export_course(course, other)
    with pytest.raises(content.ContentError, match="only a course folder"):
        export_course(course, other, replace=True)
    assert (other / "notes.txt").read_text() == "mine"
    target = export_course(course, tmp_path / "copy")
    (target / "99-stale.md").write_text(front({"slug": "stale", "title": "Stale"}, "x"))
    export_course(course, target, replace=True)
    assert not (target / "99-stale.md").exists()
    zip_path = export_to_path(course, tmp_path / "demo.zip")
    with pytest.raises(content.ContentError, match="exists already"):
        export_to_path(course, zip_path)


def test_error_changes_nothing_of_that_course(app, tmp_path):
    folder = write_course(tmp_path, "demo")
    course = import_folder(folder)
    before = snapshot(course)
    # a valid text change plus a broken new file: neither lands
    (folder / "01-first-steps.md").write_text(front({"slug": "first-steps", "title": "Changed title",
                                                     "section": "basics"}, "Changed.\n"))
    (folder / "04-broken.md").write_text("---\nslug: broken\ntitle: Broken\nsection: nowhere\n---\nx\n")
    (folder / "03-wrap-up.md").unlink()
    with pytest.raises(content.ImportFailed) as caught:
        content.import_path(folder)
    error = caught.value
    assert "04-broken.md:4" in str(error) and "unknown section 'nowhere'" in str(error)
    assert error.report.failed == ["10-demo"]
    db.session.expire_all()
    assert snapshot(db.session.scalar(select(Course).where(Course.slug == "demo"))) == before
    assert lesson(course, "wrap-up").archived_at is None


def test_one_broken_course_does_not_block_the_others(app, tmp_path):
    write_course(tmp_path, "good", folder="01-good")
    write_course(tmp_path, "bad", folder="02-bad", meta={"colour": "red"})
    with pytest.raises(content.ImportFailed) as caught:
        content.import_path(tmp_path)
    assert caught.value.report.courses == ["good"] and caught.value.report.failed == ["02-bad"]
    assert "02-bad/course.md" in str(caught.value)
    slugs = db.session.scalars(select(Course.slug)).all()
    assert slugs == ["good"]


def test_duplicate_course_slug_across_folders(app, tmp_path):
    write_course(tmp_path, "same", folder="01-a")
    write_course(tmp_path, "same", folder="02-b")
    with pytest.raises(content.ImportFailed, match="duplicate course slug 'same'"):
        content.import_path(tmp_path)


class RecordingLoader:
    """A content loader like the quizzes feature registers."""

    course_fields = ("widgets",)

    def __init__(self, fail: bool = False):
        self.calls, self.fail = [], fail

    def load(self, course, folder, meta, errors):
        self.calls.append((course.slug, Path(folder).name, meta.get("widgets")))
        course.summary = "changed by the loader"
        if self.fail:
            errors.append(content.ContentError(Path(folder) / "widgets.txt", 3, "bad widget"))

    def export(self, course, folder):
        (Path(folder) / "widgets.txt").write_text("w1\n")
        return {"widgets": ["w1"]}


def test_content_loaders_are_called_and_exported(app, tmp_path, monkeypatch):
    loader = RecordingLoader()
    monkeypatch.setattr(hooks, "content_loaders", hooks.content_loaders + [loader])
    folder = write_course(tmp_path, "demo", meta={"widgets": ["a", "b"]})
    course = import_folder(folder)
    assert loader.calls == [("demo", "10-demo", ["a", "b"])]
    assert course.summary == "changed by the loader"
    out = export_course(course, tmp_path / "out")
    assert (out / "widgets.txt").read_text() == "w1\n"
    assert "widgets:\n- w1" in (out / "course.md").read_text()


def test_loader_errors_roll_the_course_back(app, tmp_path, monkeypatch):
    folder = write_course(tmp_path, "demo")
    course = import_folder(folder)
    monkeypatch.setattr(hooks, "content_loaders", hooks.content_loaders + [RecordingLoader(fail=True)])
    (folder / "01-first-steps.md").write_text(front({"slug": "first-steps", "title": "New title"}, "x"))
    with pytest.raises(content.ImportFailed, match="widgets.txt:3: bad widget"):
        content.import_path(folder)
    db.session.expire_all()
    assert course.summary == "Summary of Demo course."
    assert lesson(course, "first-steps").title == "First steps"


def test_unknown_field_without_a_loader_is_an_error(app, tmp_path):
    folder = write_course(tmp_path, "demo", meta={"widgets": ["a"]})
    with pytest.raises(content.ImportFailed, match="unknown field 'widgets'"):
        content.import_path(folder)
    assert content.site_is_empty()


def zip_of(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("name", ["../evil.md", "/abs/course.md", "a/../../evil.md", "C:/evil.md"])
def test_zip_with_unsafe_paths_is_refused(app, tmp_path, name):
    with pytest.raises(content.ContentError, match="unsafe path"):
        content.import_zip(zip_of({name: b"x"}))
    assert not (tmp_path / "evil.md").exists()


def test_zip_without_course_or_not_a_zip(app):
    with pytest.raises(content.ContentError, match="no course in the archive"):
        content.import_zip(zip_of({"readme.txt": b"hello"}))
    with pytest.raises(content.ContentError, match="not a valid .zip"):
        content.import_zip(io.BytesIO(b"PK not really"))


def test_cli_import_and_export(app, runner, tmp_path):
    folder = write_course(tmp_path / "src", "demo")
    result = runner.invoke(args=["content", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 course (1 new), 3 lessons" in result.output
    again = runner.invoke(args=["content", "import", str(folder)])
    assert "(0 new)" in again.output

    result = runner.invoke(args=["content", "export", "demo", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "course.md").is_file()
    result = runner.invoke(args=["content", "export", "demo", str(tmp_path / "demo.zip")])
    assert result.exit_code == 0 and zipfile.is_zipfile(tmp_path / "demo.zip")
    result = runner.invoke(args=["content", "import", str(tmp_path / "demo.zip")])
    assert result.exit_code == 0, result.output

    result = runner.invoke(args=["content", "export", "nope", str(tmp_path / "x")])
    assert result.exit_code != 0 and "No course with the slug 'nope'" in result.output
    result = runner.invoke(args=["content", "export", "demo", str(tmp_path / "out")])
    assert result.exit_code != 0 and "not empty" in result.output


def test_cli_import_reports_file_line_and_problem(app, runner, tmp_path):
    folder = write_course(tmp_path, "demo", files={"04-x.md": "---\nslug: x\ntitle: X\nlevel: 2\n---\nx\n"})
    result = runner.invoke(args=["content", "import", str(folder)])
    assert result.exit_code == 1
    assert "10-demo/04-x.md:4: unknown field 'level'" in result.output
    assert content.site_is_empty()


def test_shipped_courses_all_import_cleanly(app):
    """Every course folder in content/modules/ (as many as exist so far)."""
    from hub.courses.content_parse import course_folders

    folders = course_folders(ROOT / "content")
    assert folders, "no shipped courses found"
    report = content.import_path(ROOT / "content")  # raises with file:line on any problem
    db.session.commit()
    assert report.failed == [] and len(report.courses) == len(folders)
    assert len(set(report.courses)) == len(report.courses)
    client = app.test_client()
    for course in db.session.scalars(select(Course)):
        assert course.published, course.slug
        assert client.get(f"/courses/{course.slug}").status_code == 200
        for item in course.lessons:
            assert item.body_html and "<script" not in item.body_html
            for tr in item.translations:
                response = client.get(f"/courses/{course.slug}/lessons/{item.slug}?lang={tr.language}")
                assert response.status_code == 200 and f'lang="{tr.language}"'.encode() in response.data
    # and once more: idempotent
    again = content.import_path(ROOT / "content")
    assert again.created == [] and again.archived == 0


def test_section_titles_follow_the_course_translation(app, client, tmp_path, make_user):
    """course.<lang>.md may name the sections in its language; pages use them."""
    from tests.course_helpers import import_folder, write_course

    folder = write_course(tmp_path / "c", slug="translated-sections")
    (folder / "course.es.md").write_text(
        "---\ntitle: Curso\nsummary: Resumen\nsections:\n  basics: Lo básico\n---\nDescripción.\n", encoding="utf-8")
    import_folder(folder)
    english = client.get("/courses/translated-sections").get_data(as_text=True)
    spanish = client.get("/courses/translated-sections", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Lo básico" in spanish and "Lo básico" not in english


def test_section_titles_must_name_known_sections(app, tmp_path):
    from hub.courses.content import ContentError
    from tests.course_helpers import import_folder, write_course

    folder = write_course(tmp_path / "c", slug="bad-sections")
    (folder / "course.da.md").write_text(
        "---\ntitle: Kursus\nsections:\n  nowhere: Intetsteds\n---\n", encoding="utf-8")
    with pytest.raises(ContentError, match="no section 'nowhere' in course.md"):
        import_folder(folder)


def test_a_lessons_review_date_is_imported_shown_exported_and_edited(app, client, login, tmp_path):
    """Learners see when a lesson's facts were last checked, in the language they read."""
    from datetime import date

    lessons = [{"file": "01-status.md", "slug": "status", "title": "Status and work", "section": "basics",
                "reviewed": "2026-06-12", "body": "Six months.\n"}]
    folder = write_course(tmp_path / "src", "reviewed", lessons=lessons,
                          files={"01-status.es.md": front({"title": "Situación y trabajo", "reviewed": "2026-07-01"},
                                                          "Seis meses.\n")})
    course = import_folder(folder)
    lesson = course.lessons[0]
    assert lesson.reviewed_on == date(2026, 6, 12) and lesson.translations[0].reviewed_on == date(2026, 7, 1)
    page = client.get("/courses/reviewed/lessons/status").get_data(as_text=True)
    assert "Facts last checked on June 12, 2026" in page
    spanish = client.get("/courses/reviewed/lessons/status?lang=es").get_data(as_text=True)
    assert "Facts last checked on July 1, 2026" in spanish

    exported = export_to_path(course, tmp_path / "out")
    assert "reviewed: 2026-06-12" in next(exported.glob("01-status.md")).read_text(encoding="utf-8")
    assert "reviewed: 2026-07-01" in next(exported.glob("01-status.es.md")).read_text(encoding="utf-8")

    login("admin")
    form = client.get("/courses/reviewed/lessons/status/edit").get_data(as_text=True)
    assert 'value="2026-06-12"' in form
    client.post("/courses/reviewed/lessons/status/edit", data={"title": "Status and work", "section": "0",
                                                              "body_md": "Six months.", "published": "y",
                                                              "reviewed": "2026-12-03"})
    assert db.session.get(Lesson, lesson.id).reviewed_on == date(2026, 12, 3)


def test_a_review_date_that_is_not_a_date_is_a_content_error(app, tmp_path):
    lessons = [{"file": "01-a.md", "slug": "a", "title": "A", "reviewed": "last spring", "body": "x\n"}]
    folder = write_course(tmp_path, "bad-review", lessons=lessons)
    with pytest.raises(content.ContentError) as error:
        content.import_path(folder)
    assert "'reviewed' must be a date like 2025-09-01" in str(error.value)


def test_every_shipped_lesson_says_when_it_was_last_reviewed():
    root = Path(__file__).resolve().parents[2] / "content" / "modules"
    lessons = [p for p in root.glob("*/*.md") if not p.name.startswith("course.")]
    missing = [str(p.relative_to(root)) for p in lessons if "\nreviewed: 20" not in p.read_text(encoding="utf-8")]
    assert lessons and not missing


def test_a_course_is_named_in_the_readers_language_wherever_it_appears(app, client, login):
    """Breadcrumbs, the enrolment message and the dashboard use the translated title."""
    from hub.courses.models import CourseTranslation

    folder = write_course(app.config["INSTANCE_PATH"] + "/src", "named", title="Working with employers")
    course = import_folder(folder)
    db.session.add(CourseTranslation(course=course, language="es", title="Trabajar con empresas"))
    db.session.commit()
    login(language="es")
    client.post("/language", data={"lang": "es"})
    enrolled = client.post("/courses/named/enrol", follow_redirects=True).get_data(as_text=True)
    assert "Te has inscrito en «Trabajar con empresas»" in enrolled
    lesson = client.get("/courses/named/lessons/first-steps").get_data(as_text=True)
    assert '<a href="/courses/named">Trabajar con empresas</a>' in lesson
    assert "Trabajar con empresas" in client.get("/dashboard").get_data(as_text=True)
    assert "Working with employers" not in client.get("/dashboard").get_data(as_text=True)


def test_a_translation_without_minutes_takes_the_originals(app, tmp_path):
    """The original's time counts the exercises; a word count of the translation would
    show 7 minutes for a 30-minute lesson."""
    folder = write_course(tmp_path, "timed", files={"01-first-steps.es.md": front({"title": "Primeros pasos"}, "Hola.\n")},
                          lessons=[{"file": "01-first-steps.md", "slug": "first-steps", "title": "First steps",
                                    "minutes": 30, "body": "Short text.\n"}])
    course = import_folder(folder)
    assert course.lessons[0].translations[0].minutes == 30
