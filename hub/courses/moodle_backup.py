"""Moodle course backups (``.mbz``) turned into a course folder of the hub's own
format (docs/authoring.md), which the ordinary content import then reads. Pure: no
Flask, no database.

A Moodle 4.x backup is a gzip tar (older ones a zip) holding ``moodle_backup.xml``
(what is inside, sections and activities in order), ``course/course.xml``,
``sections/section_N/section.xml``, ``activities/<module>_N/<module>.xml`` (+
``module.xml``, ``grades.xml``), ``questions.xml``, and ``files.xml`` naming each
file stored as ``files/<first two hex digits>/<contenthash>``. Pages and books become
lessons, quizzes become quizzes; everything else is listed in the report."""
from __future__ import annotations

import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import html2text
import yaml

from . import moodle_backup_questions as mq
from . import moodle_backup_quiz as mbq
from .media import EXTENSION_FOR, sniff_image
from .moodle_archive import MAX_BYTES, MAX_FILES, BackupError, inside, read_xml, unpack

__all__ = ["MAX_BYTES", "MAX_FILES", "BackupError", "BackupReport", "Skipped", "convert", "unpack"]

value = mq.value
IMAGE_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Skipped:
    """Something of the backup the hub does not import. ``reason`` is one of
    activity, question, slot, file, section_summary (the page and the CLI word them)."""

    reason: str
    title: str
    where: str = ""  # section or quiz
    detail: str = ""  # module or question type, file name


@dataclass
class BackupReport:
    slug: str = ""
    title: str = ""
    sections: list[str] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)
    quizzes: list[str] = field(default_factory=list)
    images: int = 0
    questions: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The skipped items in plain English (for the command line)."""
        words = {"activity": "{detail} activity “{title}” ({where}): not converted",
                 "question": "question “{title}” ({detail}): question type not supported",
                 "slot": "quiz “{where}”: the slot of “{title}” was left out (its question was not converted)",
                 "file": "file “{detail}” in “{title}”: only images are imported",
                 "section_summary": "summary of the section “{title}”: not imported"}
        return [words[item.reason].format(**vars(item)) for item in self.skipped]


# --- files -------------------------------------------------------------------------------------

class Files:
    """``files.xml``: the stored files by where they belong, copied into the course
    folder's ``images/`` when a text uses them."""

    def __init__(self, root: Path, element: ET.Element | None, images: Path, report: BackupReport):
        self.root, self.images, self.report = root, images, report
        self.by_place: dict[tuple[str, str, str, str], dict[str, str]] = {}
        self.copied: dict[str, str] = {}
        for item in element.iter("file") if element is not None else ():
            filename = value(item, "filename")
            if not filename or filename == ".":
                continue
            key = (value(item, "contextid"), value(item, "component"), value(item, "filearea"),
                   value(item, "itemid", "0"))
            self.by_place.setdefault(key, {})[value(item, "filepath", "/") + filename] = value(item, "contenthash")

    def place(self, component: str, area: str, item: str) -> tuple[str, str, str, str]:
        """Where a question's file is, whatever context its category has."""
        return next((key for key in self.by_place if key[1:] == (component, area, item)), ("", component, area, item))

    def image_name(self, place: tuple[str, str, str, str], link: str) -> str | None:
        """The file name in ``images/`` of the image ``link`` points at, or None."""
        path = "/" + unquote(link.split("?")[0]).lstrip("/")
        digest = self.by_place.get(place, {}).get(path)
        if not digest or not re.fullmatch(r"[0-9a-f]{40}", digest):
            return None
        if digest in self.copied:
            return self.copied[digest]
        stored = self.root / "files" / digest[:2] / digest
        if not stored.is_file() or stored.stat().st_size > IMAGE_MAX_BYTES:
            return None
        data = stored.read_bytes()
        kind = sniff_image(data[:16])
        if kind is None:
            return None
        name = hashlib.sha256(data).hexdigest()[:24] + EXTENSION_FOR[kind]
        self.images.mkdir(exist_ok=True)
        (self.images / name).write_bytes(data)
        self.copied[digest] = name
        self.report.images += 1
        return name

    def resolve(self, html: str, place: tuple[str, str, str, str], title: str, prefix: str) -> str:
        """``html`` with ``@@PLUGINFILE@@`` image links pointing at ``prefix + name``;
        other files are reported and their links emptied."""
        def replace(link: str) -> str:
            name = self.image_name(place, link)
            if name is None:
                self.report.skipped.append(Skipped("file", title, detail=unquote(link)))
                return ""
            return prefix + name
        html = mq.replace_pluginfiles(html, replace)
        # A link or image whose file was left out keeps its words only.
        html = re.sub(r"<img\b[^>]*\bsrc=\"\"[^>]*>", "", html)
        return re.sub(r"<a\b[^>]*\bhref=\"\"[^>]*>(.*?)</a>", r"\1", html, flags=re.DOTALL)


# --- converting ---------------------------------------------------------------------------------

def markdown_of(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.unicode_snob = True
    converter.mark_code = False
    return converter.handle(html or "").strip() + "\n"


def slugify(text: str, fallback: str = "item") -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


class _Slugs:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, text: str, fallback: str) -> str:
        base = slugify(text, fallback)
        slug, number = base, 2
        while slug in self.used:
            slug, number = f"{base}-{number}", number + 1
        self.used.add(slug)
        return slug


@dataclass
class _Activity:
    module_id: str
    modname: str
    title: str
    directory: str
    section_id: str


def convert(root: Path, out_parent: Path, slug: str | None = None) -> tuple[Path, BackupReport]:
    """Write the course folder of the unpacked backup at ``root`` under ``out_parent``."""
    info = read_xml(root, "moodle_backup.xml")
    assert info is not None
    if info.tag != "moodle_backup" or info.find("information") is None:
        raise BackupError("moodle_backup.xml is not the description of a Moodle backup")
    kind = value(info, "information/details/detail/type", "course")
    if kind != "course" or info.find("information/contents/course") is None:
        raise BackupError(f"this is a backup of one {kind}, not of a course: back up the whole course in Moodle")
    course = read_xml(root, value(info, "information/contents/course/directory", "course") + "/course.xml")
    assert course is not None
    report = BackupReport(title=" ".join(value(course, "fullname").split()) or "Moodle course")
    report.slug = slug or slugify(value(course, "shortname") or report.title, "moodle-course")
    folder = out_parent / report.slug
    folder.mkdir(parents=True)
    files = Files(root, read_xml(root, "files.xml", required=False), folder / "images", report)
    bank = mq.read_bank(read_xml(root, "questions.xml", required=False))

    sections = _sections(root, info, report)
    activities = [_Activity(value(a, "moduleid"), value(a, "modulename"), value(a, "title"), value(a, "directory"),
                            value(a, "sectionid")) for a in info.iterfind("information/contents/activities/activity")]
    section_slugs, lesson_slugs, quiz_slugs = _Slugs(), _Slugs(), _Slugs()
    meta_sections: list[dict] = []
    quizzes: list[dict] = []
    used_questions: set[str] = set()
    number = 0
    for section in sections:
        section_slug = section_slugs(section["title"], "section")
        meta_sections.append({"slug": section_slug, "title": section["title"]})
        report.sections.append(section["title"])
        order = {module: i for i, module in enumerate(section["sequence"])}
        here = sorted((a for a in activities if a.section_id == section["id"]),
                      key=lambda a: order.get(a.module_id, len(order)))
        for activity in here:
            base = inside(root, activity.directory)
            module = read_xml(base, "module.xml", required=False)
            visible = value(module, "visible", "1") != "0"
            data = read_xml(base, f"{activity.modname}.xml") if activity.modname in ("page", "book", "quiz") else None
            if activity.modname in ("page", "book") and data is not None:
                number += 1
                title, body = _lesson(data, activity.modname, files)
                lesson: dict = {"slug": lesson_slugs(title, "lesson"), "title": title, "section": section_slug}
                if not visible:
                    lesson["published"] = False
                (folder / f"{number:03d}-{lesson['slug']}.md").write_text(_front(lesson, body), encoding="utf-8")
                report.lessons.append(title)
            elif activity.modname == "quiz" and data is not None:
                quiz = _quiz(data, base, bank, files, report, quiz_slugs)
                if quiz is None:
                    continue
                item, questions = quiz
                item.update({"section": section_slug, "published": visible, "position": len(quizzes)})
                used_questions.update(q.id for q in questions)
                (folder / item["file"]).write_text(
                    mq.write_file(questions, bank, _question_files(files, report.slug)), encoding="utf-8")
                quizzes.append(item)
                report.quizzes.append(item["title"])
            else:
                report.skipped.append(Skipped("activity", activity.title, section["title"], activity.modname))

    meta: dict = {"slug": report.slug, "title": report.title[:200],
                  "summary": mq.plain_text(value(course, "summary"))[:1000],
                  "language": _language(value(course, "lang")), "published": False, "sections": meta_sections}
    if quizzes:
        meta["quizzes"] = quizzes
    rest = [q for q in bank.entries.values() if q.id not in used_questions]
    used_paths = {q.category for q in bank.entries.values()}
    empty = sorted({p for cid, p in bank.categories.items() if cid not in bank.tops
                    and not any(u == p or u.startswith(p + "/") for u in used_paths)})
    if rest or empty:
        (folder / "questions.xml").write_text(
            mq.write_file(rest, bank, _question_files(files, report.slug), empty), encoding="utf-8")
        meta["question_bank"] = "questions.xml"
    report.questions = len(bank.entries)
    for name, qtype in bank.unsupported.values():
        report.skipped.append(Skipped("question", name, detail=qtype))
    summary = files.resolve(value(course, "summary"), (course.get("contextid", ""), "course", "summary", "0"),
                            report.title, "images/")
    (folder / "course.md").write_text(_front(meta, markdown_of(summary) if summary.strip() else ""), encoding="utf-8")
    return folder, report


def _front(meta: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body


def _language(lang: str) -> str:
    code = (lang or "").split("_")[0].lower()
    return code if re.fullmatch(r"[a-z]{2}", code) else "en"


def _sections(root: Path, info: ET.Element, report: BackupReport) -> list[dict]:
    sections = []
    for item in info.iterfind("information/contents/sections/section"):
        element = read_xml(root, value(item, "directory") + "/section.xml")
        assert element is not None
        number = mq.integer(element, "number")
        title = " ".join(value(element, "name").split()) or value(item, "title")
        if not title or title == str(number):
            title = "General" if number == 0 else f"Topic {number}"
        if mq.plain_text(value(element, "summary")):
            report.skipped.append(Skipped("section_summary", title))
        sections.append({"id": value(item, "sectionid") or element.get("id", ""), "number": number,
                         "title": title[:200], "sequence": [s for s in value(element, "sequence").split(",") if s]})
    return sorted(sections, key=lambda s: s["number"])


def _lesson(data: ET.Element, modname: str, files: Files) -> tuple[str, str]:
    context = data.get("contextid", "")
    element = data.find(modname)
    title = " ".join(value(element, "name").split()) or modname.title()
    if modname == "page":
        html = files.resolve(value(element, "content"), (context, "mod_page", "content", "0"), title, "images/")
        return title[:200], markdown_of(html)
    parts = []
    chapters = sorted(element.iterfind("chapters/chapter") if element is not None else [],
                      key=lambda c: mq.integer(c, "pagenum"))
    for chapter in chapters:
        if value(chapter, "hidden", "0") == "1":
            continue
        level = "###" if value(chapter, "subchapter", "0") == "1" else "##"
        html = files.resolve(value(chapter, "content"), (context, "mod_book", "chapter", chapter.get("id", "")),
                             title, "images/")
        parts.append(f"{level} {' '.join(value(chapter, 'title').split())}\n\n{markdown_of(html)}")
    return title[:200], "\n".join(parts) or "\n"


def _question_files(files: Files, slug: str):
    """Question texts link images at the course's media address: quiz pages do not
    resolve ``images/`` links the way lessons do."""
    components = {"subquestion": "qtype_match", "graderinfo": "qtype_essay"}

    def rewrite(html: str, area: str, item: str) -> str:
        if "@@PLUGINFILE@@" not in (html or ""):
            return html
        place = files.place(components.get(area, "question"), area, item)
        return files.resolve(html, place, "question", f"/courses/{slug}/media/")
    return rewrite


def _quiz(data: ET.Element, base: Path, bank: mq.Bank, files: Files, report: BackupReport, slugs: _Slugs):
    """(course.md entry, questions of its file), or None when nothing of it converts."""
    quiz = data.find("quiz")
    assert quiz is not None
    title = " ".join(value(quiz, "name").split()) or "Quiz"
    slug = slugs(title, "quiz")
    entries: list[dict] = []
    questions: list[mq.BankQuestion] = []
    drawn: dict[tuple[str, bool], int] = {}
    for instance in sorted(quiz.iterfind("question_instances/question_instance"),
                           key=lambda i: mq.integer(i, "slot")):
        mark = mbq.mark_number(mq.decimal(instance, "maxmark", 1.0))
        reference = instance.find("question_reference")
        set_reference = instance.find("question_set_reference")
        if reference is not None:
            entry_id = value(reference, "questionbankentryid")
            question = bank.entries.get(entry_id)
            if question is None:
                name = bank.unsupported.get(entry_id, (f"#{entry_id}", ""))[0]
                report.skipped.append(Skipped("slot", name, title))
                continue
            if question not in questions:
                questions.append(question)
            entries.append({"question": question.name, "category": question.category, "mark": mark})
        elif set_reference is not None:
            category_id, subcategories = mbq.random_filter(value(set_reference, "filtercondition"))
            if category_id not in bank.categories:
                report.skipped.append(Skipped("slot", "random question", title))
                continue
            ids = bank.with_subcategories(category_id) if subcategories else {category_id}
            pool = [q for q in bank.in_categories(ids) if q.qtype != "description"]
            key = (category_id, subcategories)
            if drawn.get(key, 0) >= len(pool):
                report.skipped.append(Skipped("slot", f"random: {bank.categories[category_id]}", title))
                continue
            drawn[key] = drawn.get(key, 0) + 1
            questions.extend(q for q in bank.in_categories(ids) if q not in questions)
            entry = {"random": bank.categories[category_id], "count": 1, "mark": mark}
            if subcategories:
                entry["subcategories"] = True
            previous = entries[-1] if entries else None
            if previous and {**previous, "count": 1} == entry:
                previous["count"] += 1
            else:
                entries.append(entry)
    if not questions:
        report.skipped.append(Skipped("activity", title, "", "quiz"))
        return None
    intro = files.resolve(value(quiz, "intro"), (data.get("contextid", ""), "mod_quiz", "intro", "0"), title,
                          "images/")
    settings = mbq.quiz_settings(quiz, base, markdown_of(intro) if mq.plain_text(intro) else "")
    item = {"slug": slug, "title": title[:200], "file": f"quiz-{slug}.xml", **settings, "slots": entries}
    return item, questions
