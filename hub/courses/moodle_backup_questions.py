"""The question bank of a Moodle backup (``questions.xml``) written as a Moodle XML
question file, so the hub's one Moodle XML reader does the conversion. Pure: no
Flask, no database.

Moodle 4.x nests each question as ``question_categories/question_category/
question_bank_entries/question_bank_entry/question_version/question_versions/
questions/question`` (backup/moodle2/backup_stepslib.php, backup_questions_structure_step);
a quiz slot points at a bank entry, whose newest version is the question used."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable

NULL = "$@NULL@$"
# Moodle's text formats (FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN) as Moodle XML names them.
FORMATS = {"0": "moodle_auto_format", "1": "html", "2": "plain_text", "4": "markdown"}
SUPPORTED = {"multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "multianswer", "description"}
XML_TYPES = {"match": "matching", "multianswer": "cloze"}


def value(element, path: str, default: str = "") -> str:
    """Text of ``path`` under ``element``; Moodle writes NULL as ``$@NULL@$``."""
    if element is None:
        return default
    found = element.find(path)
    if found is None or found.text is None or found.text == NULL:
        return default
    return found.text


def decimal(element, path: str, default: float = 0.0) -> float:
    """A number of the backup; ``default`` when it is missing or not a finite number."""
    try:
        number = float(value(element, path) or default)
    except ValueError:
        return default
    return number if math.isfinite(number) else default


def integer(element, path: str, default: int = 0) -> int:
    number = decimal(element, path, default)
    return int(number) if abs(number) < 2**53 else default


@dataclass
class BankQuestion:
    id: str
    entry_id: str
    category_id: str
    category: str  # the hub path, "Parent/Child"
    name: str  # unique in its category
    qtype: str
    element: ET.Element
    idnumber: str | None = None


@dataclass
class Bank:
    categories: dict[str, str] = field(default_factory=dict)  # Moodle category id → hub path
    parents: dict[str, str] = field(default_factory=dict)  # category id → parent id
    questions: dict[str, BankQuestion] = field(default_factory=dict)  # question id → question
    entries: dict[str, BankQuestion] = field(default_factory=dict)  # bank entry id → newest version
    subquestions: dict[str, ET.Element] = field(default_factory=dict)  # Cloze parts, by question id
    tops: set[str] = field(default_factory=set)  # each context's hidden "top" category
    unsupported: dict[str, tuple[str, str]] = field(default_factory=dict)  # entry id → (name, qtype)

    def in_categories(self, category_ids: set[str]) -> list[BankQuestion]:
        return [q for q in self.entries.values() if q.category_id in category_ids]

    def with_subcategories(self, category_id: str) -> set[str]:
        found = {category_id}
        changed = True
        while changed:
            more = {child for child, parent in self.parents.items() if parent in found and child not in found}
            found |= more
            changed = bool(more)
        return found


def read_bank(root: ET.Element | None) -> Bank:
    """Categories and the newest version of every question of ``questions.xml``."""
    bank = Bank()
    if root is None:
        return bank
    elements = {c.get("id", ""): c for c in root.iter("question_category")}
    names = {cid: " ".join(value(c, "name").replace("/", "-").split()) for cid, c in elements.items()}
    for cid, element in elements.items():
        bank.parents[cid] = value(element, "parent", "0")

    def path(cid: str, depth: int = 0) -> str:
        parent = bank.parents.get(cid, "0")
        name = names.get(cid, "") or "Default"
        if depth > 20:
            return name
        if parent in elements:
            above = path(parent, depth + 1)
            return f"{above}/{name}" if above else name
        return "" if name.lower() == "top" else name  # each context's own "top" is not shown in Moodle either

    for item in root.iter("question"):
        if not _top_level(item):
            bank.subquestions[item.get("id", "")] = item
    taken: set[tuple[str, str]] = set()
    for cid, element in elements.items():
        bank.categories[cid] = path(cid) or "Default"
        if not path(cid):
            bank.tops.add(cid)
        for entry in element.iter("question_bank_entry"):
            versions = sorted(entry.iter("question_versions"), key=lambda v: integer(v, "version"))
            newest = versions[-1] if versions else None
            question = next((item for item in newest.iter("question") if _top_level(item)), None) \
                if newest is not None else None
            if question is None:
                continue
            qtype = value(question, "qtype")
            name = " ".join(value(question, "name").split()) or f"Question {question.get('id')}"
            if qtype not in SUPPORTED:
                bank.unsupported[entry.get("id", "")] = (name, qtype)
                continue
            unique, number = name[:240], 2
            while (bank.categories[cid], unique) in taken:
                unique, number = f"{name[:240]} ({number})", number + 1
            taken.add((bank.categories[cid], unique))
            found = BankQuestion(id=question.get("id", ""), entry_id=entry.get("id", ""), category_id=cid,
                                 category=bank.categories[cid], name=unique, qtype=qtype, element=question,
                                 idnumber=value(entry, "idnumber") or None)
            bank.entries[found.entry_id] = found
            bank.questions[found.id] = found
    return bank


def plain_text(html: str) -> str:
    """The words of an HTML text, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", html or "").split())


def _top_level(question: ET.Element) -> bool:
    """Cloze parts are questions of their own with the Cloze question as parent."""
    return value(question, "parent", "0") in ("", "0")


# --- Moodle XML ---------------------------------------------------------------------------------

Rewrite = Callable[[str, str, str], str]  # (html, file area, item id) → html with file links resolved


def _text(parent, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if fmt is not None:
        element.set("format", FORMATS.get(fmt, "html"))
    ET.SubElement(element, "text").text = text
    return element


def _answers(parent, question: ET.Element, rewrite: Rewrite, tolerances: dict[str, str] | None = None) -> None:
    for answer in question.iter("answer"):
        if answer.find("answertext") is None:
            continue
        item = ET.SubElement(parent, "answer", fraction=_percent(value(answer, "fraction", "0")),
                             format=FORMATS.get(value(answer, "answerformat", "0"), "html"))
        ET.SubElement(item, "text").text = rewrite(value(answer, "answertext"), "answer", answer.get("id", ""))
        if tolerances is not None:
            ET.SubElement(item, "tolerance").text = tolerances.get(answer.get("id", ""), "0")
        _text(item, "feedback", rewrite(value(answer, "feedback"), "answerfeedback", answer.get("id", "")),
              value(answer, "feedbackformat", "1"))


def _percent(fraction: str) -> str:
    try:
        number = round(float(fraction) * 100, 5)
    except ValueError:
        number = 0.0
    if not math.isfinite(number):
        number = 0.0
    return str(int(number)) if number == int(number) else f"{number:.5f}".rstrip("0")


def _cloze_text(question: BankQuestion, bank: Bank) -> str:
    """Moodle keeps each Cloze part as a subquestion whose text is the part's own
    ``{1:SHORTANSWER:...}`` code, and the main text as ``{#1}``, ``{#2}``..."""
    text = value(question.element, "questiontext")
    sequence = value(question.element, ".//multianswer/sequence").split(",")
    for number, sub_id in enumerate(sequence, 1):
        sub = bank.subquestions.get(sub_id.strip())
        code = value(sub, "questiontext") if sub is not None else ""
        text = text.replace(f"{{#{number}}}", code)
    return text


def question_xml(question: BankQuestion, bank: Bank, rewrite: Rewrite) -> ET.Element:
    el, qtype = question.element, question.qtype
    out = ET.Element("question", type=XML_TYPES.get(qtype, qtype))
    _text(out, "name", question.name)
    text = _cloze_text(question, bank) if qtype == "multianswer" else value(el, "questiontext")
    _text(out, "questiontext", rewrite(text, "questiontext", question.id), value(el, "questiontextformat", "1"))
    _text(out, "generalfeedback", rewrite(value(el, "generalfeedback"), "generalfeedback", question.id),
          value(el, "generalfeedbackformat", "1"))
    ET.SubElement(out, "defaultgrade").text = value(el, "defaultmark", "1")
    ET.SubElement(out, "idnumber").text = question.idnumber or ""
    if qtype == "multichoice":
        options = el.find(".//multichoice")
        ET.SubElement(out, "single").text = "true" if value(options, "single", "1") == "1" else "false"
        ET.SubElement(out, "shuffleanswers").text = "true" if value(options, "shuffleanswers", "1") == "1" else "false"
        ET.SubElement(out, "answernumbering").text = value(options, "answernumbering", "abc")
        _answers(out, el, rewrite)
    elif qtype == "truefalse":
        options = el.find(".//truefalse")
        true_id = value(options, "trueanswer")
        for answer in el.iter("answer"):
            if answer.find("answertext") is None:
                continue
            is_true = answer.get("id") == true_id
            item = ET.SubElement(out, "answer", fraction=_percent(value(answer, "fraction", "0")),
                                 format="moodle_auto_format")
            ET.SubElement(item, "text").text = "true" if is_true else "false"
            _text(item, "feedback", rewrite(value(answer, "feedback"), "answerfeedback", answer.get("id", "")),
                  value(answer, "feedbackformat", "1"))
    elif qtype == "shortanswer":
        ET.SubElement(out, "usecase").text = value(el.find(".//shortanswer"), "usecase", "0")
        _answers(out, el, rewrite)
    elif qtype == "numerical":
        tolerances = {value(r, "answer"): value(r, "tolerance", "0") for r in el.iter("numerical_record")}
        _answers(out, el, rewrite, tolerances)
        for unit in el.iter("numerical_unit"):
            units = out.find("units")
            if units is None:
                units = ET.SubElement(out, "units")
            item = ET.SubElement(units, "unit")
            ET.SubElement(item, "multiplier").text = value(unit, "multiplier", "1")
            ET.SubElement(item, "unit_name").text = value(unit, "unit")
    elif qtype == "match":
        options = el.find(".//matchoptions")
        ET.SubElement(out, "shuffleanswers").text = "true" if value(options, "shuffleanswers", "1") == "1" else "false"
        for match in el.iter("match"):
            sub = _text(out, "subquestion", rewrite(value(match, "questiontext"), "subquestion", match.get("id", "")),
                        value(match, "questiontextformat", "1"))
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = value(match, "answertext")
    elif qtype == "essay":
        options = el.find(".//essay")
        ET.SubElement(out, "responseformat").text = value(options, "responseformat", "editor")
        ET.SubElement(out, "responserequired").text = value(options, "responserequired", "1")
        ET.SubElement(out, "responsefieldlines").text = value(options, "responsefieldlines", "15")
        _text(out, "graderinfo", rewrite(value(options, "graderinfo"), "graderinfo", question.id),
              value(options, "graderinfoformat", "1"))
        _text(out, "responsetemplate", value(options, "responsetemplate"),
              value(options, "responsetemplateformat", "1"))
    tags = [value(t, "rawname") or value(t, "name") for t in el.findall("tags/tag")]
    if any(tags):
        holder = ET.SubElement(out, "tags")
        for tag in filter(None, tags):
            _text(holder, "tag", tag)
    return out


def write_file(questions: list[BankQuestion], bank: Bank, rewrite: Rewrite, empty_categories=()) -> str:
    """A Moodle XML file of ``questions`` (grouped by category) and empty categories."""
    root = ET.Element("quiz")
    current = None
    for question in sorted(questions, key=lambda q: q.category):
        if question.category != current:
            _text(ET.SubElement(root, "question", type="category"), "category", f"$course$/top/{question.category}")
            current = question.category
        root.append(question_xml(question, bank, rewrite))
    for path in empty_categories:
        _text(ET.SubElement(root, "question", type="category"), "category", f"$course$/top/{path}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>)]+)")


def pluginfile_names(html: str) -> list[str]:
    return _PLUGINFILE.findall(html or "")


def replace_pluginfiles(html: str, replace: Callable[[str], str]) -> str:
    return _PLUGINFILE.sub(lambda m: replace(m.group(1)), html or "")
