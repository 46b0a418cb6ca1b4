"""Writing Moodle XML: the serialiser behind :func:`hub.quizzes.moodle_xml.dumps`. Pure.

Writes what Moodle's own exporter writes for the types the hub has: per-text formats,
embedded files (``<file encoding="base64">`` beside the text that names them with
``@@PLUGINFILE@@/``), combined feedback, hints, numerical units, and categories with
their description and ID number."""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

FORMATS_IN = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
FORMATS_OUT = {v: k for k, v in FORMATS_IN.items()}
TYPES_IN = {"multichoice": "multichoice", "truefalse": "truefalse", "shortanswer": "shortanswer",
            "numerical": "numerical", "matching": "match", "essay": "essay", "cloze": "multianswer",
            "description": "description"}
TYPES_OUT = {v: k for k, v in TYPES_IN.items()}
PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>()]+)")
_COMBINED = (("correctfeedback", "correct_feedback"), ("partiallycorrectfeedback", "partial_feedback"),
             ("incorrectfeedback", "incorrect_feedback"))


def _category_path(question) -> str | None:
    cat = question.category
    return cat if isinstance(cat, str) or cat is None else cat.path


def dumps(questions, categories: dict[str, dict] | None = None) -> str:
    """Questions (drafts) as a Moodle XML file. ``categories`` gives the description
    and ID number of categories by path; a category is written before its first
    question, after its ancestors that have a description or an ID number."""
    root = ET.Element("quiz")
    meta = categories or {}
    written: set[str] = set()
    category = None

    def write_category(path: str) -> None:
        element = ET.SubElement(root, "question", type="category")
        _add_text(element, "category", f"$course$/top/{path}")
        info = meta.get(path) or {}
        _add_text(element, "info", info.get("info", ""), info.get("info_format", "moodle"))
        ET.SubElement(element, "idnumber").text = info.get("idnumber") or ""
        written.add(path)

    for question in questions:
        cat = _category_path(question)
        if cat and cat != category:
            parts = cat.split("/")
            for depth in range(1, len(parts)):
                parent = "/".join(parts[:depth])
                if parent in meta and parent not in written:
                    write_category(parent)
            write_category(cat)
            category = cat
        root.append(_write(question))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _add_text(parent, tag: str, text: str, text_format: str | None = None, files: dict | None = None):
    element = ET.SubElement(parent, tag)
    if text_format is not None:
        element.set("format", FORMATS_OUT.get(text_format, "markdown"))
    ET.SubElement(element, "text").text = text or ""
    _attach(element, text, files)
    return element


def _attach(element, text: str, files: dict | None) -> None:
    """A ``<file>`` for each embedded file the text names (once per text, as Moodle)."""
    if not files or not text:
        return
    seen: set[str] = set()
    for match in PLUGINFILE.finditer(text):
        key = unquote(match.group(1))
        if key in seen or key not in files:
            continue
        seen.add(key)
        folder, _, name = key.rpartition("/")
        file = ET.SubElement(element, "file", name=name, path=f"/{folder}/" if folder else "/", encoding="base64")
        file.text = base64.b64encode(files[key]).decode("ascii")


def _percent(fraction: float) -> str:
    value = round(float(fraction) * 100, 5)
    return str(int(value)) if value == int(value) else f"{value:.5f}".rstrip("0")


def _number(value: float) -> str:
    return repr(float(value)).removesuffix(".0")


def _write(question):
    qtype, data, fmt = question.qtype, question.data or {}, question.text_format
    files = getattr(question, "files", None) or {}
    element = ET.Element("question", type=TYPES_OUT[qtype])

    def answer(item: dict, text: str, answer_format: str, extra: dict | None = None) -> None:
        node = ET.SubElement(element, "answer", fraction=_percent(item.get("fraction", 0)),
                             format=FORMATS_OUT.get(answer_format, "markdown"))
        ET.SubElement(node, "text").text = text
        _attach(node, text, files)
        for key, value in (extra or {}).items():
            ET.SubElement(node, key).text = value
        _add_text(node, "feedback", item.get("feedback", ""), fmt, files)

    _add_text(element, "name", question.name)
    _add_text(element, "questiontext", question.text, fmt, files)
    _add_text(element, "generalfeedback", question.general_feedback, data.get("general_feedback_format", fmt), files)
    ET.SubElement(element, "defaultgrade").text = f"{float(question.default_mark):.7f}"
    ET.SubElement(element, "penalty").text = "0.3333333"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = question.idnumber or ""
    if qtype == "multichoice":
        ET.SubElement(element, "single").text = "true" if data.get("single", True) else "false"
        ET.SubElement(element, "shuffleanswers").text = "true" if data.get("shuffle", True) else "false"
        ET.SubElement(element, "answernumbering").text = data.get("numbering", "abc")
        _combined(element, data, fmt, files)
        for item in data.get("answers", []):
            answer(item, item["text"], item.get("format", fmt))
    elif qtype == "truefalse":
        correct = bool(data.get("correct"))
        for value in (True, False):
            item = {"fraction": 1.0 if value == correct else 0.0,
                    "feedback": data.get("feedback_true" if value else "feedback_false", "")}
            answer(item, "true" if value else "false", "moodle")
    elif qtype == "shortanswer":
        ET.SubElement(element, "usecase").text = "1" if data.get("case_sensitive") else "0"
        for item in data.get("answers", []):
            answer(item, item["text"], "moodle")
    elif qtype == "numerical":
        for item in data.get("answers", []):
            value_text = "*" if item.get("value") is None else _number(item["value"])
            answer(item, value_text, "moodle", {"tolerance": _number(item.get("tolerance") or 0)})
        _units(element, data)
    elif qtype == "match":
        ET.SubElement(element, "shuffleanswers").text = "true" if data.get("shuffle", True) else "false"
        _combined(element, data, fmt, files)
        for pair in data.get("pairs", []):
            sub = _add_text(element, "subquestion", pair.get("question", ""), pair.get("format", fmt), files)
            node = ET.SubElement(sub, "answer")
            ET.SubElement(node, "text").text = pair.get("answer", "")
    elif qtype == "essay":
        ET.SubElement(element, "responseformat").text = data.get("response_format", "editor")
        ET.SubElement(element, "responserequired").text = "1" if data.get("required", True) else "0"
        ET.SubElement(element, "responsefieldlines").text = str(data.get("lines", 15))
        ET.SubElement(element, "attachments").text = "0"
        ET.SubElement(element, "attachmentsrequired").text = "0"
        _add_text(element, "graderinfo", data.get("grader_info", ""), fmt, files)
        _add_text(element, "responsetemplate", data.get("template", ""), fmt, files)
    for hint in data.get("hints", []):
        node = _add_text(element, "hint", hint.get("text", ""), fmt, files)
        if hint.get("show_num_correct"):
            ET.SubElement(node, "shownumcorrect")
        if hint.get("clear_wrong"):
            ET.SubElement(node, "clearwrong")
    if question.tags:
        tags = ET.SubElement(element, "tags")
        for tag in question.tags:
            _add_text(tags, "tag", tag if isinstance(tag, str) else tag.name)
    return element


def _combined(element, data: dict, fmt: str, files: dict) -> None:
    for tag, key in _COMBINED:
        _add_text(element, tag, data.get(key, ""), fmt, files)
    if data.get("show_num_correct"):
        ET.SubElement(element, "shownumcorrect")


def _units(element, data: dict) -> None:
    units = data.get("units") or []
    if not units:
        return
    node = ET.SubElement(element, "units")
    for unit in units:
        item = ET.SubElement(node, "unit")
        ET.SubElement(item, "multiplier").text = _number(unit.get("multiplier", 1))
        ET.SubElement(item, "unit_name").text = unit["name"]
    ET.SubElement(element, "unitgradingtype").text = str(int(data.get("unit_grading", 0)))
    ET.SubElement(element, "unitpenalty").text = f"{float(data.get('unit_penalty', 0.1)):.7f}"
    ET.SubElement(element, "showunits").text = str(int(data.get("show_units", 0)))
    ET.SubElement(element, "unitsleft").text = "1" if data.get("units_left") else "0"
