"""Reading course folders: every malformed file gives an error naming the file, the
line and the problem, and all problems of a folder are reported together."""
from __future__ import annotations

import pytest

from hub.courses.content_parse import course_folders, parse_course_folder, reading_minutes
from hub.courses.media import sniff_image
from tests.course_helpers import PNG, front, write_course


def parse(folder):
    return parse_course_folder(folder, root=folder.parent)


def only_error(folder):
    course, errors = parse(folder)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_valid_folder(tmp_path):
    folder = write_course(tmp_path, "demo", files={
        "01-first-steps.es.md": front({"title": "Primeros pasos"}, "## Hola\n"),
        "course.da.md": front({"title": "Demokursus", "summary": "Kort."}, "Beskrivelse.\n"),
        "images/photo.png": PNG,
    })
    course, errors = parse(folder)
    assert errors == []
    assert course.slug == "demo" and course.title == "Demo course" and course.zone == 1
    assert [s.slug for s in course.sections] == ["basics", "practice"]
    assert [lesson.slug for lesson in course.lessons] == ["first-steps", "going-further", "wrap-up"]
    assert course.lessons[0].section == "basics" and course.lessons[2].section == "practice"
    assert course.lessons[0].translations["es"].title == "Primeros pasos"
    assert course.translations["da"].title == "Demokursus"
    assert [p.name for p in course.images] == ["photo.png"]
    assert course.enrolment["mode"] == "open" and course.completion["lessons"] == "all"


def test_missing_front_matter(tmp_path):
    folder = write_course(tmp_path, files={"04-loose.md": "# No front matter here\n"})
    error = only_error(folder)
    assert error.path == "10-demo/04-loose.md" and error.line == 1
    assert "missing front matter" in error.problem
    assert str(error).startswith("10-demo/04-loose.md:1: ")


def test_front_matter_not_closed(tmp_path):
    folder = write_course(tmp_path, files={"04-open.md": "---\nslug: open\ntitle: Open\n\nBody\n"})
    error = only_error(folder)
    assert error.path.endswith("04-open.md") and "not closed" in error.problem


def test_invalid_yaml_names_the_line(tmp_path):
    folder = write_course(tmp_path, files={"04-bad.md": "---\nslug: bad\ntitle: [unclosed\nsection: basics\n---\nx\n"})
    error = only_error(folder)
    assert error.path.endswith("04-bad.md")
    assert "not valid YAML" in error.problem
    assert error.line in (3, 4, 5)


def test_tab_indentation_is_reported(tmp_path):
    folder = write_course(tmp_path, files={"04-tab.md": "---\nslug: tab\ntitle: Tab\n\tsection: basics\n---\nx\n"})
    error = only_error(folder)
    assert "not valid YAML" in error.problem and error.line == 4


def test_front_matter_must_be_a_mapping(tmp_path):
    folder = write_course(tmp_path, files={"04-list.md": "---\n- a\n- b\n---\nx\n"})
    assert "field: value" in only_error(folder).problem


def test_missing_title(tmp_path):
    folder = write_course(tmp_path, lessons=[{"file": "01-a.md", "slug": "a", "section": "basics"}])
    error = only_error(folder)
    assert error.path.endswith("01-a.md") and error.line == 1
    assert error.problem == "missing required field 'title'"


def test_empty_title_names_its_line(tmp_path):
    folder = write_course(tmp_path, files={"04-empty.md": "---\nslug: empty\ntitle: ''\n---\nx\n"})
    error = only_error(folder)
    assert error.line == 3 and "missing required field 'title'" in error.problem


def test_missing_course_title(tmp_path):
    folder = write_course(tmp_path, meta={"title": None})
    error = only_error(folder)
    assert error.path.endswith("course.md") and "'title'" in error.problem


def test_unknown_field_names_line_and_suggests(tmp_path):
    folder = write_course(tmp_path, files={
        "04-typo.md": "---\nslug: typo\ntitle: Typo\nsectoin: basics\n---\nx\n"})
    error = only_error(folder)
    assert error.path.endswith("04-typo.md") and error.line == 4
    assert "unknown field 'sectoin'" in error.problem and "did you mean 'section'" in error.problem


def test_unknown_nested_field_in_course(tmp_path):
    folder = write_course(tmp_path, meta={"enrolment": {"capacityy": 3}})
    error = only_error(folder)
    assert error.path.endswith("course.md")
    assert "unknown field 'enrolment.capacityy'" in error.problem
    lines = (folder / "course.md").read_text().splitlines()
    assert "capacityy" in lines[error.line - 1]


def test_unknown_course_field(tmp_path):
    folder = write_course(tmp_path, meta={"colour": "blue"})
    error = only_error(folder)
    lines = (folder / "course.md").read_text().splitlines()
    assert "unknown field 'colour'" in error.problem and lines[error.line - 1].startswith("colour:")


def test_loader_fields_are_known(tmp_path):
    folder = write_course(tmp_path, meta={"badges": ["x"]})
    course, errors = parse_course_folder(folder, extra_course_fields=["badges"])
    assert errors == []


def test_duplicate_lesson_slug(tmp_path):
    folder = write_course(tmp_path, files={"04-again.md": front({"slug": "first-steps", "title": "Again"}, "x")})
    error = only_error(folder)
    assert error.path.endswith("04-again.md") and error.line == 2
    assert "duplicate lesson slug 'first-steps'" in error.problem and "01-first-steps.md" in error.problem


def test_duplicate_field(tmp_path):
    folder = write_course(tmp_path, files={"04-twice.md": "---\nslug: twice\ntitle: A\ntitle: B\n---\nx\n"})
    error = only_error(folder)
    assert error.line == 4 and "field 'title' appears twice" in error.problem


def test_unknown_section(tmp_path):
    folder = write_course(tmp_path, files={"04-lost.md": front({"slug": "lost", "title": "Lost",
                                                                "section": "nowhere"}, "x")})
    error = only_error(folder)
    assert error.line == 4 and "unknown section 'nowhere'" in error.problem and "basics" in error.problem


def test_duplicate_section_slug(tmp_path):
    folder = write_course(tmp_path, meta={"sections": [{"slug": "basics", "title": "A"},
                                                       {"slug": "basics", "title": "B"}]})
    course, errors = parse(folder)
    assert any("duplicate section slug 'basics'" in e.problem for e in errors)


def test_bad_slug(tmp_path):
    folder = write_course(tmp_path, files={"04-caps.md": front({"slug": "Not OK", "title": "Caps"}, "x")})
    assert "lower-case letters" in only_error(folder).problem


@pytest.mark.parametrize("meta, expected", [
    ({"kind": "workshop"}, "'kind' must be one of introduction, zone, guideline"),
    ({"zone": "three"}, "'zone' must be a whole number"),
    ({"published": "yes please"}, "'published' must be true or false"),
    ({"estimated_hours": -1}, "'estimated_hours' must be a positive number"),
    ({"language": "english"}, "two-letter code"),
    ({"enrolment": {"mode": "secret"}}, "'enrolment.mode' must be one of open, key, closed"),
    ({"enrolment": {"mode": "key"}}, "needs an enrolment key"),
    ({"enrolment": {"opens": "next week"}}, "'enrolment.opens' must be a date"),
    ({"enrolment": {"opens": "2030-02-01", "closes": "2030-01-01"}}, "before 'enrolment.opens'"),
    ({"enrolment": {"capacity": 0}}, "'enrolment.capacity' must be at least 1"),
    ({"completion": {"lessons": "some"}}, "'completion.lessons' must be one of all, none"),
    ({"completion": {"certificate": "maybe"}}, "'completion.certificate' must be one of auto, manual, none"),
    ({"completion": {"quizzes": "quiz-one"}}, "'completion.quizzes' must be a list of slugs"),
    ({"completion": {"prerequisites": ["demo"]}}, "cannot be its own prerequisite"),
    ({"sections": "basics"}, "'sections' must be a list"),
    ({"enrolment": "open"}, "'enrolment' must be a group"),
])
def test_bad_course_values(tmp_path, meta, expected):
    folder = write_course(tmp_path, meta=meta,
                          lessons=[{"file": "01-a.md", "slug": "a", "title": "A"}])
    error = only_error(folder)
    assert error.path.endswith("course.md") and error.line and error.line > 1
    assert expected in error.problem


def test_bad_lesson_minutes(tmp_path):
    folder = write_course(tmp_path, files={"04-m.md": front({"slug": "m", "title": "M", "minutes": "ten"}, "x")})
    assert "'minutes' must be a whole number" in only_error(folder).problem


def test_translation_without_lesson(tmp_path):
    folder = write_course(tmp_path, files={"09-ghost.es.md": front({"title": "Fantasma"}, "x")})
    error = only_error(folder)
    assert error.path.endswith("09-ghost.es.md") and "no 09-ghost.md" in error.problem


def test_translation_with_other_slug(tmp_path):
    folder = write_course(tmp_path, files={"01-first-steps.es.md": front({"slug": "otro", "title": "Otro"}, "x")})
    assert "keeps its lesson's slug" in only_error(folder).problem


def test_translation_into_course_language(tmp_path):
    folder = write_course(tmp_path, files={"01-first-steps.en.md": front({"title": "Again"}, "x")})
    assert "is the course language" in only_error(folder).problem


def test_missing_image_names_the_body_line(tmp_path):
    folder = write_course(tmp_path, lessons=[{"file": "01-a.md", "slug": "a", "title": "A",
                                              "body": "\n\nIntro\n\n![Photo](images/missing.png)\n"}])
    error = only_error(folder)
    lines = (folder / "01-a.md").read_text().splitlines()
    assert "images/missing.png" in lines[error.line - 1]
    assert "not found" in error.problem


def test_image_must_be_what_its_name_says(tmp_path):
    folder = write_course(tmp_path, files={"images/fake.png": b"<svg onload=alert(1)>",
                                           "images/real.jpg": PNG})
    course, errors = parse(folder)
    problems = sorted(e.problem for e in errors)
    assert len(errors) == 2
    assert "not a JPG image (content: png)" in problems[0]
    assert "not a PNG image (content: unknown)" in problems[1]


def test_images_only(tmp_path):
    folder = write_course(tmp_path, files={"images/script.svg": "<svg/>", "images/sub/x.png": PNG})
    course, errors = parse(folder)
    assert len(errors) == 2 and any("no folders" in e.problem for e in errors)


def test_image_size_cap(tmp_path):
    folder = write_course(tmp_path, files={"images/big.png": PNG + b"\0" * 2000})
    course, errors = parse_course_folder(folder, image_max_bytes=1000)
    assert len(errors) == 1 and "larger than" in errors[0].problem


def test_all_problems_of_a_folder_are_collected(tmp_path):
    folder = write_course(tmp_path, meta={"colour": "blue"}, files={
        "04-typo.md": "---\nslug: typo\ntitle: Typo\nsectoin: basics\n---\nx\n",
        "05-notitle.md": front({"slug": "no-title"}, "x"),
        "06-first.md": front({"slug": "first-steps", "title": "Dup"}, "x"),
    })
    course, errors = parse(folder)
    assert len(errors) == 4
    assert {e.path.rsplit("/", 1)[-1] for e in errors} == {"course.md", "04-typo.md", "05-notitle.md", "06-first.md"}


def test_no_course_md(tmp_path):
    (tmp_path / "empty").mkdir()
    course, errors = parse(tmp_path / "empty")
    assert course is None and "no course.md" in errors[0].problem


def test_not_utf8(tmp_path):
    folder = write_course(tmp_path, files={"04-latin.md": "---\nslug: l\ntitle: Café\n---\n".encode("latin-1")})
    assert "not UTF-8" in only_error(folder).problem


def test_course_folders(tmp_path):
    write_course(tmp_path / "modules", "b", folder="02-b")
    write_course(tmp_path / "modules", "a", folder="01-a")
    assert [p.name for p in course_folders(tmp_path)] == ["01-a", "02-b"]
    assert [p.name for p in course_folders(tmp_path / "modules")] == ["01-a", "02-b"]
    assert course_folders(tmp_path / "modules" / "01-a") == [tmp_path / "modules" / "01-a"]


def test_reading_minutes():
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 200) == 1
    assert reading_minutes("word " * 201) == 2
    assert reading_minutes("word " * 1000) == 5


@pytest.mark.parametrize("head, kind", [
    (PNG[:16], "png"), (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"), (b"GIF89a\x01\x00", "gif"),
    (b"GIF87a\x01\x00", "gif"), (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
    (b"<svg xmlns", None), (b"<html><script>", None), (b"%PDF-1.4", None), (b"RIFF\x10\x00\x00\x00WAVE", None),
    (b"", None),
])
def test_sniff_image(head, kind):
    assert sniff_image(head) == kind
