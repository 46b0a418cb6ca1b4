"""How far each course is translated, and whether each translation keeps its
original's shape. A translated lesson must have the same headings, lists, tables and
boxes as the lesson it translates: a missing checklist item or table row is a missing
fact. Pure functions over the content folders (no database): ``hub content
translations`` prints the report, and a test holds the shipped content to it."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

TRANSLATION = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")


def _body(text: str) -> str:
    if text.startswith("---\n") and "\n---\n" in text[4:]:
        return text[text.index("\n---\n", 4) + 5:]
    return text


def skeleton(markdown: str) -> list[str]:
    """The shape of a Markdown text: headings by level, list items by depth, table rows
    by cells, boxes by kind, quotes and code fences, in order; the words left out."""
    shape, fenced = [], False
    for line in _body(markdown).splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
            shape.append("code")
            continue
        if fenced:
            continue
        if heading := re.match(r"^(#{1,6})\s", line):
            shape.append(f"h{len(heading.group(1))}")
        elif box := re.match(r"^\s*!!!\s+(\w+)", line):
            shape.append(f"box {box.group(1)}")
        elif re.match(r"^\s*([-*+]|\d+[.)])\s+", line):
            shape.append(f"item {(len(line) - len(line.lstrip())) // 2}")
        elif stripped.startswith("|") and stripped.endswith("|"):
            shape.append("rule" if re.fullmatch(r"\|[\s:|-]+\|", stripped) else
                         f"row {stripped.count('|') - 1 - stripped.count(chr(92) + '|')}")
        elif stripped.startswith(">"):
            shape.append("quote")
    return shape


def shape_difference(original: str, translation: str) -> str:
    """Empty when both have the same shape; else the first differences, diff-style."""
    a, b = skeleton(original), skeleton(translation)
    if a == b:
        return ""
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            where = f"after element {i1} ({a[i1 - 1]})" if i1 else "at the start"
            changes.append(f"{where} the original has [{', '.join(a[i1:i2]) or 'nothing'}], "
                           f"the translation [{', '.join(b[j1:j2]) or 'nothing'}]")
    return "; ".join(changes[:3])


def words(markdown: str) -> int:
    return len(re.findall(r"\w+", _body(markdown)))


@dataclass
class CourseLanguage:
    course: str
    language: str
    lessons: int = 0  # translated
    words: int = 0
    course_page: bool = False
    quiz: bool = False


@dataclass
class Report:
    rows: list[CourseLanguage] = field(default_factory=list)
    lessons_per_course: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "path: what differs"


def check(root: Path) -> Report:
    """Every course folder under ``root`` (folders holding course.md)."""
    report = Report()
    for folder in sorted(p.parent for p in Path(root).glob("*/course.md")):
        name = folder.name
        originals = {p.stem: p for p in folder.glob("*.md") if not TRANSLATION.match(p.name)
                     and p.name != "course.md" and p.name.lower() != "readme.md"}
        report.lessons_per_course[name] = len(originals)
        rows: dict[str, CourseLanguage] = {}
        for path in sorted(folder.glob("*.*.md")):
            match = TRANSLATION.match(path.name)
            if not match:
                continue
            row = rows.setdefault(match["lang"], CourseLanguage(name, match["lang"]))
            text = path.read_text(encoding="utf-8")
            original = folder / f"{match['stem']}.md"
            if match["stem"] == "course":
                row.course_page = True
            elif match["stem"] in originals:
                row.lessons += 1
                row.words += words(text)
            if original.is_file() and (difference := shape_difference(original.read_text(encoding="utf-8"), text)):
                report.problems.append(f"{name}/{path.name}: shape differs from {original.name}: {difference}")
        for path in folder.glob("*.??.gift"):
            lang = path.name.split(".")[-2]
            rows.setdefault(lang, CourseLanguage(name, lang)).quiz = True
        report.rows.extend(rows[lang] for lang in sorted(rows))
    return report
