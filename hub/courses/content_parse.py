"""Read and validate a course folder (docs/authoring.md) without touching the
database. Every problem is collected with its file and line, so a trainer sees all
of them at once and the importer writes nothing while any remain. No Flask import."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from .front_matter import (
    LANGUAGE,
    SLUG,
    ContentError,
    ContentProblems,
    Fields,
    FrontMatter,
    Problems,
    read_front_matter,
)
from .media import IMAGE_EXTENSIONS, MEDIA_NAME, sniff_image, svg_problem

__all__ = ["ContentError", "ContentProblems", "ParsedCourse", "parse_course_folder", "course_folders",
           "reading_minutes"]
TRANSLATION_FILE = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")
IMAGE_REF = re.compile(r"\(\s*<?\.?/?images/([^)\s>]+)")
NOT_LESSONS = {"course.md", "quiz.md", "readme.md"}

KINDS = ("introduction", "zone", "guideline")
ENROLMENT_MODES = ("open", "key", "closed")
CERTIFICATE_MODES = ("auto", "manual", "none")

COURSE_FIELDS = ("slug", "title", "summary", "kind", "zone", "language", "order", "estimated_hours", "published",
                 "image", "enrolment", "completion", "sections", "quizzes")
IMAGE_FIELD = re.compile(r"^\.?/?images/(?P<name>[^/\\]+)$")
ENROLMENT_FIELDS = ("mode", "key", "opens", "closes", "capacity")
COMPLETION_FIELDS = ("lessons", "quizzes", "forum_posts", "certificate", "prerequisites")
SECTION_FIELDS = ("slug", "title")
LESSON_FIELDS = ("slug", "title", "section", "minutes", "published", "reviewed")
LESSON_TRANSLATION_FIELDS = ("slug", "title", "minutes", "reviewed")
COURSE_TRANSLATION_FIELDS = ("title", "summary", "sections", "quizzes")
WORDS_PER_MINUTE = 200


@dataclass
class ParsedSection:
    slug: str
    title: str


@dataclass
class ParsedTranslation:
    language: str
    title: str
    minutes: int
    body: str
    file: str
    reviewed: date | None = None


@dataclass
class ParsedLesson:
    slug: str
    title: str
    section: str | None
    minutes: int
    published: bool
    body: str
    file: str
    translations: dict[str, ParsedTranslation] = field(default_factory=dict)
    reviewed: date | None = None  # when its facts were last checked (shown on the lesson page)


@dataclass
class ParsedCourseTranslation:
    language: str
    title: str
    summary: str
    body: str
    sections: dict[str, str] = field(default_factory=dict)
    quizzes: dict[str, str] = field(default_factory=dict)  # quiz slug → translated title


@dataclass
class ParsedCourse:
    folder: Path
    meta: dict
    slug: str = ""
    title: str = ""
    summary: str = ""
    body: str = ""
    kind: str = "zone"
    zone: int | None = None
    language: str = "en"
    order: int = 0
    estimated_hours: float = 0
    published: bool = True
    enrolment: dict = field(default_factory=dict)
    completion: dict = field(default_factory=dict)
    certificate: str = "auto"
    prerequisites: list[str] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    lessons: list[ParsedLesson] = field(default_factory=list)
    translations: dict[str, ParsedCourseTranslation] = field(default_factory=dict)
    images: list[Path] = field(default_factory=list)
    image: str = ""  # the course image (catalogue cards): a file name in images/


def reading_minutes(text: str) -> int:
    words = len(re.findall(r"\w+", text or ""))
    return max(1, -(-words // WORDS_PER_MINUTE))


# -- the course folder ------------------------------------------------------------

def parse_course_folder(folder: Path, *, root: Path | None = None, extra_course_fields: Iterable[str] = (),
                        image_max_bytes: int = 5 * 1024 * 1024) -> tuple[ParsedCourse | None, list[ContentError]]:
    """Read ``folder`` into a :class:`ParsedCourse`; the list holds every problem."""
    problems = Problems(root or folder.parent)
    course_file = folder / "course.md"
    if not course_file.is_file():
        problems.add(folder, None, "no course.md in this folder")
        return None, problems.errors
    fm = read_front_matter(course_file, problems)
    if fm is None:
        return None, problems.errors
    course = ParsedCourse(folder=folder, meta=fm.meta, body=fm.body)
    _parse_course_meta(course, fm, course_file, problems, extra_course_fields)
    _parse_lessons(course, folder, problems)
    _parse_course_translations(course, folder, problems)
    _parse_images(course, folder, problems, image_max_bytes)
    return course, problems.errors


def _parse_course_meta(course: ParsedCourse, fm: FrontMatter, path: Path, problems: Problems,
                       extra_fields: Iterable[str]) -> None:
    f = Fields(fm, path, problems, fm.meta)
    f.unknown(list(COURSE_FIELDS) + [x for x in extra_fields if x not in COURSE_FIELDS])
    course.slug = f.slug()
    course.title = f.text("title", required=True)
    course.summary = f.text("summary", max_length=1000)
    course.kind = f.choice("kind", KINDS, "zone")
    course.zone = f.integer("zone", None, minimum=0, maximum=99)
    course.language = f.text("language", default="en", max_length=8)
    if not LANGUAGE.match(course.language):
        f.fail("language", f"'language' must be a two-letter code like en, es or da (got '{course.language}')")
        course.language = "en"
    course.order = f.integer("order", 0, minimum=0) or 0
    course.estimated_hours = f.number("estimated_hours", 0)
    course.published = f.boolean("published", True)
    image = f.text("image", max_length=200)
    if image:
        match = IMAGE_FIELD.match(image)
        if match is None or not MEDIA_NAME.match(match["name"]):
            f.fail("image", "'image' names a file in the images folder, like 'images/cover.svg'")
        elif not (path.parent / "images" / match["name"]).is_file():
            f.fail("image", f"image '{image}' not found in the images folder")
        else:
            course.image = match["name"]

    enrolment = Fields(fm, path, problems, f.mapping_of("enrolment"), "enrolment.")
    enrolment.unknown(ENROLMENT_FIELDS)
    mode = enrolment.choice("mode", ENROLMENT_MODES, "open")
    key = enrolment.text("key", max_length=100) or None
    if mode == "key" and not key:
        f.fail("enrolment.mode", "enrolment mode 'key' needs an enrolment key ('key: ...')")
    opens, closes = enrolment.day("opens"), enrolment.day("closes")
    if opens and closes and closes < opens:
        f.fail("enrolment.closes", "'enrolment.closes' is before 'enrolment.opens'")
    capacity = enrolment.integer("capacity", None, minimum=1)
    course.enrolment = {"mode": mode, "key": key, "opens": opens, "closes": closes, "capacity": capacity}

    completion = Fields(fm, path, problems, f.mapping_of("completion"), "completion.")
    completion.unknown(COMPLETION_FIELDS)
    course.completion = {"lessons": completion.choice("lessons", ("all", "none"), "all"),
                         "quizzes": completion.slug_list("quizzes"),
                         "forum_posts": completion.integer("forum_posts", 0) or 0}
    course.certificate = completion.choice("certificate", CERTIFICATE_MODES, "auto")
    course.prerequisites = completion.slug_list("prerequisites")
    if course.slug and course.slug in course.prerequisites:
        f.fail("completion.prerequisites", "a course cannot be its own prerequisite")

    sections = fm.meta.get("sections") or []
    if not isinstance(sections, list):
        f.fail("sections", "'sections' must be a list of '- slug: ...' / 'title: ...' entries")
        sections = []
    seen: set[str] = set()
    for index, item in enumerate(sections):
        line = fm.line(f"sections.{index}")
        if not isinstance(item, dict):
            problems.add(path, line, f"section {index + 1} must have 'slug' and 'title'")
            continue
        unknown = [k for k in item if k not in SECTION_FIELDS]
        for key in unknown:
            problems.add(path, line, f"unknown field '{key}' in section {index + 1} (allowed: slug, title)")
        slug, title = str(item.get("slug") or "").strip(), str(item.get("title") or "").strip()
        if not slug or not SLUG.match(slug):
            problems.add(path, line, f"section {index + 1} needs a 'slug' of lower-case letters, digits and hyphens")
            continue
        if not title:
            problems.add(path, line, f"missing required field 'title' in section '{slug}'")
        if slug in seen:
            problems.add(path, line, f"duplicate section slug '{slug}'")
            continue
        seen.add(slug)
        course.sections.append(ParsedSection(slug=slug, title=title[:200]))


def _parse_lessons(course: ParsedCourse, folder: Path, problems: Problems) -> None:
    section_slugs = {s.slug for s in course.sections}
    by_slug: dict[str, ParsedLesson] = {}
    by_stem: dict[str, ParsedLesson] = {}
    files = sorted(p for p in folder.glob("*.md") if p.is_file())
    for file in files:
        if file.name.lower() in NOT_LESSONS or file.name.startswith("course.") or TRANSLATION_FILE.match(file.name):
            continue
        fm = read_front_matter(file, problems)
        if fm is None:
            continue
        f = Fields(fm, file, problems, fm.meta)
        f.unknown(LESSON_FIELDS)
        slug, title = f.slug(), f.text("title", required=True)
        section = f.text("section", max_length=80) or None
        if section and section not in section_slugs:
            known = ", ".join(sorted(section_slugs)) or "none declared in course.md"
            f.fail("section", f"unknown section '{section}' (sections: {known})")
            section = None
        minutes = f.integer("minutes", None, minimum=1, maximum=600) or reading_minutes(fm.body)
        lesson = ParsedLesson(slug=slug, title=title, section=section, minutes=minutes,
                              published=f.boolean("published", True), body=fm.body, file=file.name,
                              reviewed=f.day("reviewed"))
        _check_image_refs(fm, file, folder, problems)
        if slug and slug in by_slug:
            f.fail("slug", f"duplicate lesson slug '{slug}' (also used in {by_slug[slug].file})")
            continue
        if slug:
            by_slug[slug] = lesson
        by_stem[file.stem] = lesson
        course.lessons.append(lesson)
    for file in files:
        match = TRANSLATION_FILE.match(file.name)
        if not match or file.name.startswith("course."):
            continue
        if match["stem"] not in by_stem:
            problems.add(file, None, f"translation of a lesson that does not exist: no {match['stem']}.md")
            continue
        lesson = by_stem[match["stem"]]
        fm = read_front_matter(file, problems)
        if fm is None:
            continue
        f = Fields(fm, file, problems, fm.meta)
        f.unknown(LESSON_TRANSLATION_FIELDS)
        slug = f.slug(required=False)
        if slug and slug != lesson.slug:
            f.fail("slug", f"a translation keeps its lesson's slug '{lesson.slug}' (got '{slug}')")
        lang = match["lang"]
        if lang == course.language:
            problems.add(file, None, f"'{lang}' is the course language: edit {lesson.file} instead")
            continue
        title = f.text("title", required=True)
        # Without its own figure a translation takes the original's: that time counts the
        # exercises too, which a word count cannot see.
        minutes = f.integer("minutes", None, minimum=1, maximum=600) or lesson.minutes
        _check_image_refs(fm, file, folder, problems)
        lesson.translations[lang] = ParsedTranslation(language=lang, title=title, minutes=minutes, body=fm.body,
                                                      file=file.name, reviewed=f.day("reviewed"))


def _parse_course_translations(course: ParsedCourse, folder: Path, problems: Problems) -> None:
    for file in sorted(folder.glob("course.*.md")):
        match = TRANSLATION_FILE.match(file.name)
        if not match or match["stem"] != "course":
            problems.add(file, None, "course translations are named course.<language>.md, like course.es.md")
            continue
        fm = read_front_matter(file, problems)
        if fm is None:
            continue
        f = Fields(fm, file, problems, fm.meta)
        f.unknown(COURSE_TRANSLATION_FIELDS)
        course.translations[match["lang"]] = ParsedCourseTranslation(
            language=match["lang"], title=f.text("title", required=True), summary=f.text("summary", max_length=1000),
            body=fm.body, sections=_section_titles(f, fm.meta.get("sections"), course),
            quizzes=_quiz_titles(f, fm.meta.get("quizzes"), course))


def _section_titles(f: Fields, raw, course: ParsedCourse) -> dict[str, str]:
    """``sections: {slug: title}`` in a course translation names sections of course.md."""
    return _titles_by_slug(f, "sections", "section", raw, {section.slug for section in course.sections},
                           "like  foundations: Fundamentos")


def _quiz_titles(f: Fields, raw, course: ParsedCourse) -> dict[str, str]:
    """``quizzes: {slug: title}`` in a course translation names quizzes of course.md."""
    quizzes = course.meta.get("quizzes")
    known = {str(item.get("slug")) for item in (quizzes if isinstance(quizzes, list) else [])
             if isinstance(item, dict)}
    return _titles_by_slug(f, "quizzes", "quiz", raw, known, "like  introduction-quiz: Comprueba lo aprendido")


def _titles_by_slug(f: Fields, key: str, noun: str, raw, known: set[str], example: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        f.fail(key, f"must map {noun} slugs to translated titles, {example}")
        return {}
    titles: dict[str, str] = {}
    for slug, title in raw.items():
        if slug not in known:
            f.fail(key, f"no {noun} '{slug}' in course.md")
        elif not isinstance(title, str) or not title.strip() or len(title) > 200:
            f.fail(key, f"the title of '{slug}' must be text of 1 to 200 characters")
        else:
            titles[slug] = title.strip()
    return titles


def _check_image_refs(fm: FrontMatter, file: Path, folder: Path, problems: Problems) -> None:
    for offset, line in enumerate(fm.body.splitlines()):
        for name in IMAGE_REF.findall(line):
            if not (folder / "images" / name).is_file():
                problems.add(file, fm.body_line + offset, f"image 'images/{name}' not found in the images folder")


def _parse_images(course: ParsedCourse, folder: Path, problems: Problems, max_bytes: int) -> None:
    images = folder / "images"
    if not images.is_dir():
        return
    for path in sorted(images.iterdir()):
        if path.is_dir() or path.is_symlink():
            problems.add(path, None, "only image files belong in images/ (no folders or links)")
            continue
        if not MEDIA_NAME.match(path.name):
            problems.add(path, None, "image names use letters, digits, '-' and '_' and end in "
                                     ".png, .jpg, .jpeg, .gif, .webp or .svg")
            continue
        size = path.stat().st_size
        if size > max_bytes:
            problems.add(path, None, f"image is larger than {max_bytes // 1024} KB")
            continue
        if path.suffix.lower() == ".svg":
            problem = svg_problem(path.read_bytes())
            if problem:
                problems.add(path, None, problem)
                continue
            course.images.append(path)
            continue
        with path.open("rb") as fh:
            kind = sniff_image(fh.read(16))
        if kind != IMAGE_EXTENSIONS[path.suffix.lower()]:
            problems.add(path, None,
                         f"the file is not a {path.suffix[1:].upper()} image (content: {kind or 'unknown'})")
            continue
        course.images.append(path)


def course_folders(root: Path) -> list[Path]:
    """Course folders under ``root``: itself, its ``modules/`` or its sub-folders."""
    if (root / "course.md").is_file():
        return [root]
    for base in (root / "modules", root):
        found = sorted(p for p in base.glob("*") if p.is_dir() and (p / "course.md").is_file())
        if found:
            return found
    return []

