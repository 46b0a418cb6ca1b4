"""Parsed questions: what the GIFT and Moodle XML readers produce and the writers consume:
questions as plain data, plus the problems found. Pure: no Flask, no database."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

TEXT_FORMATS = ("markdown", "html", "plain", "moodle")
# Keys of the per-type counts in import reports (multichoice split by single/multiple).
TYPE_KEYS = ("multichoice", "multiresponse", "truefalse", "shortanswer", "numerical", "match",
             "essay", "multianswer", "description")


@dataclass
class QuestionDraft:
    qtype: str
    name: str
    text: str
    text_format: str = "markdown"
    general_feedback: str = ""
    data: dict = field(default_factory=dict)
    category: str | None = None  # "Parent/Child"; None = the importer's default category
    idnumber: str | None = None
    tags: list[str] = field(default_factory=list)
    default_mark: float = 1.0
    line: int = 0  # GIFT: first line of the question; XML: position in the file (1-based)
    named: bool = True  # the file gave a title (GIFT ::title::)
    # Moodle XML's embedded files, by the name its texts use after ``@@PLUGINFILE@@/``
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def type_key(self) -> str:
        return type_key(self.qtype, self.data)


def type_key(qtype: str, data: dict) -> str:
    if qtype == "multichoice" and not data.get("single", True):
        return "multiresponse"
    return qtype


@dataclass
class Problem:
    line: int  # GIFT: line number; XML: the question's position in the file (0 = the whole file)
    message: str
    question: str = ""  # title or start of the question concerned
    unit: str = "line"  # "line" (GIFT) or "question" (Moodle XML)

    def __str__(self) -> str:
        if not self.line:
            return self.message
        where = f"{self.unit} {self.line}"
        if self.unit == "question" and self.question:
            where += f" (“{self.question}”)"
        return f"{where}: {self.message}"


@dataclass
class ParseResult:
    questions: list[QuestionDraft] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # in the order the file names them
    # Moodle XML: {"Parent/Child": {"info": ..., "info_format": ..., "idnumber": ...}}
    category_meta: dict[str, dict] = field(default_factory=dict)
    invalid: int = 0  # questions left out because of errors

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        counter = Counter(q.type_key for q in self.questions)
        return {key: counter[key] for key in TYPE_KEYS if counter[key]}


def plain_words(text: str) -> str:
    """Text without HTML tags and Markdown emphasis, whitespace collapsed."""
    text = re.sub(r"<[^>]*>", " ", text or "")
    text = re.sub(r"[*_`]{1,3}(?=\S)|(?<=\S)[*_`]{1,3}", "", text)
    return re.sub(r"\s+", " ", text).strip()


def default_name(text: str, fallback: str = "Question") -> str:
    """Moodle's create_default_question_name: the question text shortened to 80 characters."""
    words = plain_words((text or "").replace("_____", "…"))
    if not words:
        return fallback
    if len(words) <= 80:
        return words
    cut = words[:77]
    if " " in cut[40:]:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,.;:") + "..."


def clean_category(path: str) -> str:
    """Moodle's category paths ("$course$/top/Week 1/Ethics") as our "Week 1/Ethics"."""
    path = (path or "").strip()
    path = re.sub(r"^\$(course|system|module|coursecategory|cat\d*)\$/?", "", path)
    parts = [p.strip() for p in path.split("/") if p.strip()]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return "/".join(parts)
