"""Moodle XML question files: reader (through defusedxml, so entity bombs and external
entities are refused) and writer. Pure: no Flask, no database.

Reads and writes the common types: multichoice, truefalse, shortanswer, numerical,
matching, essay, cloze, description, and ``category`` switches. Other Moodle types
(calculated, drag and drop...) are reported as errors naming the question."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml
from defusedxml.ElementTree import fromstring

from . import cloze
from .grading import is_moodle_fraction
from .parsed import ParseResult, Problem, QuestionDraft, clean_category, default_name

_FORMATS_IN = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
_FORMATS_OUT = {v: k for k, v in _FORMATS_IN.items()}
_TYPES_IN = {"multichoice": "multichoice", "truefalse": "truefalse", "shortanswer": "shortanswer",
             "numerical": "numerical", "matching": "match", "essay": "essay", "cloze": "multianswer",
             "description": "description"}
_TYPES_OUT = {v: k for k, v in _TYPES_IN.items()}


class _QuestionError(ValueError):
    pass


def _text(element, path: str = "text", default: str = "") -> str:
    if element is None:
        return default
    found = element.find(path) if path else element
    if found is None or found.text is None:
        return default
    return found.text.strip()


def _formatted(element, default_format: str) -> tuple[str, str]:
    if element is None:
        return default_format, ""
    text_format = _FORMATS_IN.get(element.get("format", ""), default_format)
    return text_format, _text(element)


def _bool(element, path: str, default: bool) -> bool:
    value = _text(element, path, "")
    if value == "":
        return default
    return value.lower() in ("1", "true", "yes")


def _number(value: str, what: str) -> float:
    try:
        return float(value.replace(",", "."))
    except (ValueError, AttributeError):
        raise _QuestionError(f"{what} “{value}” is not a number") from None


def parse(content: str) -> ParseResult:
    result = ParseResult()
    try:
        root = fromstring(content)
    except ET.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        result.errors.append(Problem(0, f"the file is not valid XML (line {line}, column {column}): "
                                        f"{str(error).split(':')[0]}"))
        return result
    except defusedxml.DefusedXmlException:
        result.errors.append(Problem(0, "the file uses XML entities or a DTD, which are refused for safety"))
        return result
    if root.tag != "quiz":
        result.errors.append(Problem(0, f"a Moodle XML file starts with <quiz>, not <{root.tag}>"))
        return result
    category: str | None = None
    for position, element in enumerate(root.findall("question"), 1):
        qtype = element.get("type", "")
        name = _text(element.find("name"))
        if qtype == "category":
            category = clean_category(_text(element.find("category")))
            if category and category not in result.categories:
                result.categories.append(category)
            continue
        if qtype not in _TYPES_IN:
            result.errors.append(Problem(position, f"question type “{qtype}” is not supported (supported: "
                                                   f"{', '.join(sorted(_TYPES_IN))})", name, "question"))
            result.invalid += 1
            continue
        try:
            draft = _read(element, _TYPES_IN[qtype], result.warnings, position)
        except _QuestionError as error:
            result.errors.append(Problem(position, str(error), name, "question"))
            result.invalid += 1
            continue
        draft.category, draft.line = category, position
        result.questions.append(draft)
    if not result.questions and not result.errors:
        result.warnings.append(Problem(0, "the file contains no questions", unit="question"))
    return result


def _answers(element, text_format: str, warnings: list[Problem], position: int, name: str,
             numeric: bool = False) -> list[dict]:
    answers: list[dict] = []
    for answer in element.findall("answer"):
        fraction = _number(answer.get("fraction", "0"), "the weight") / 100
        if abs(fraction) > 1 + 1e-9:
            raise _QuestionError(f"the weight {answer.get('fraction')}% is outside -100% to 100%")
        if not is_moodle_fraction(fraction):
            warnings.append(Problem(position, f"the weight {answer.get('fraction')}% is not one Moodle's forms "
                                              f"accept", name, "question"))
        answer_format = _FORMATS_IN.get(answer.get("format", ""), text_format)
        text = _text(answer)
        feedback = _formatted(answer.find("feedback"), text_format)[1]
        if answer.find("file") is not None or answer.find("feedback/file") is not None:
            warnings.append(Problem(position, "embedded files are not imported", name, "question"))
        if numeric:
            value = None if text in ("*", "") else _number(text, "the answer")
            tolerance = abs(_number(_text(answer, "tolerance", "0") or "0", "the tolerance"))
            answers.append({"value": value, "tolerance": tolerance, "fraction": fraction, "feedback": feedback})
            continue
        if text == "":
            continue
        item = {"text": text, "fraction": fraction, "feedback": feedback}
        if answer_format != text_format:
            item["format"] = answer_format
        answers.append(item)
    return answers


def _read(element, qtype: str, warnings: list[Problem], position: int) -> QuestionDraft:
    text_format, text = _formatted(element.find("questiontext"), "html")
    name = _text(element.find("name")) or default_name(text)
    general_format, general = _formatted(element.find("generalfeedback"), text_format)
    if element.find("questiontext/file") is not None:
        warnings.append(Problem(position, "embedded files are not imported", name, "question"))
    draft = QuestionDraft(qtype=qtype, name=" ".join(name.split()), text=text, text_format=text_format,
                          general_feedback=general, idnumber=_text(element, "idnumber") or None,
                          tags=[t for t in (_text(tag) for tag in element.findall("tags/tag")) if t])
    mark = _text(element, "defaultgrade", "")
    if mark:
        draft.default_mark = _number(mark, "the default mark")
    if general and general_format != text_format:
        draft.data["general_feedback_format"] = general_format
    if qtype == "multichoice":
        answers = _answers(element, text_format, warnings, position, name)
        single = _bool(element, "single", True)
        if len(answers) < 2:
            raise _QuestionError("a multiple-choice question needs at least two answers")
        if single and abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
            raise _QuestionError("one answer must be worth 100%")
        if not single and round(sum(a["fraction"] for a in answers if a["fraction"] > 0), 2) != 1:
            raise _QuestionError("in a multiple-response question the positive weights must add up to 100%")
        draft.data.update({"single": single, "shuffle": _bool(element, "shuffleanswers", True),
                           "numbering": _text(element, "answernumbering", "abc") or "abc", "answers": answers})
    elif qtype == "truefalse":
        by_value = {(_text(a) or "").lower(): a for a in element.findall("answer")}
        if "true" not in by_value or "false" not in by_value:
            raise _QuestionError("a true/false question needs a “true” and a “false” answer")
        draft.data.update({
            "correct": _number(by_value["true"].get("fraction", "0"), "the weight") >= 100,
            "feedback_true": _formatted(by_value["true"].find("feedback"), text_format)[1],
            "feedback_false": _formatted(by_value["false"].find("feedback"), text_format)[1]})
    elif qtype == "shortanswer":
        answers = _answers(element, text_format, warnings, position, name)
        for item in answers:
            item.pop("format", None)
        if not answers:
            raise _QuestionError("a short-answer question needs at least one answer")
        if abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
            raise _QuestionError("one answer must be worth 100%")
        draft.data.update({"case_sensitive": _bool(element, "usecase", False), "answers": answers})
    elif qtype == "numerical":
        answers = _answers(element, text_format, warnings, position, name, numeric=True)
        if not any(a["value"] is not None for a in answers):
            raise _QuestionError("a numerical question needs at least one number")
        if abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
            raise _QuestionError("one answer must be worth 100%")
        if element.find("units/unit") is not None:
            warnings.append(Problem(position, "units are not imported; learners answer with the number only",
                                    name, "question"))
        draft.data["answers"] = answers
    elif qtype == "match":
        pairs = []
        for sub in element.findall("subquestion"):
            sub_format, sub_text = _formatted(sub, text_format)
            answer = _text(sub, "answer/text")
            if not sub_text and not answer:
                continue
            if not answer:
                raise _QuestionError(f"the matching item “{sub_text}” has no answer")
            pair = {"question": sub_text, "answer": answer}
            if sub_format != text_format:
                pair["format"] = sub_format
            pairs.append(pair)
        if sum(1 for p in pairs if p["question"]) < 2:
            raise _QuestionError("a matching question needs at least two pairs")
        draft.data.update({"shuffle": _bool(element, "shuffleanswers", True), "pairs": pairs})
    elif qtype == "essay":
        draft.data.update({
            "response_format": _text(element, "responseformat", "editor") or "editor",
            "lines": int(_number(_text(element, "responsefieldlines", "15") or "15", "the number of lines")),
            "required": _bool(element, "responserequired", True),
            "grader_info": _formatted(element.find("graderinfo"), text_format)[1],
            "template": _formatted(element.find("responsetemplate"), text_format)[1]})
    elif qtype == "multianswer":
        _template, parts, errors = cloze.parse(text)
        if errors:
            raise _QuestionError("; ".join(errors))
        draft.default_mark = float(sum(p["mark"] for p in parts))
    elif qtype == "description":
        draft.default_mark = 0.0
    return draft


# --- writing ------------------------------------------------------------------------------

def _add_text(parent, tag: str, text: str, text_format: str | None = None):
    element = ET.SubElement(parent, tag)
    if text_format is not None:
        element.set("format", _FORMATS_OUT.get(text_format, "markdown"))
    ET.SubElement(element, "text").text = text or ""
    return element


def _percent(fraction: float) -> str:
    value = round(float(fraction) * 100, 5)
    return str(int(value)) if value == int(value) else f"{value:.5f}".rstrip("0")


def _answer(parent, item: dict, text_format: str, text: str, extra: dict | None = None) -> None:
    answer = ET.SubElement(parent, "answer", fraction=_percent(item.get("fraction", 0)),
                           format=_FORMATS_OUT.get(item.get("format", text_format), "markdown"))
    ET.SubElement(answer, "text").text = text
    for key, value in (extra or {}).items():
        ET.SubElement(answer, key).text = value
    _add_text(answer, "feedback", item.get("feedback", ""), text_format)


def dumps(questions) -> str:
    root = ET.Element("quiz")
    category = None
    for question in questions:
        cat = question.category if isinstance(question.category, str) or question.category is None \
            else question.category.path
        if cat and cat != category:
            element = ET.SubElement(root, "question", type="category")
            _add_text(element, "category", f"$course$/top/{cat}")
            category = cat
        root.append(_write(question))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _write(question: QuestionDraft):
    qtype, data, fmt = question.qtype, question.data or {}, question.text_format
    element = ET.Element("question", type=_TYPES_OUT[qtype])
    _add_text(element, "name", question.name)
    _add_text(element, "questiontext", question.text, fmt)
    _add_text(element, "generalfeedback", question.general_feedback, data.get("general_feedback_format", fmt))
    ET.SubElement(element, "defaultgrade").text = f"{float(question.default_mark):.7f}"
    ET.SubElement(element, "penalty").text = "0.3333333"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = question.idnumber or ""
    if qtype == "multichoice":
        ET.SubElement(element, "single").text = "true" if data.get("single", True) else "false"
        ET.SubElement(element, "shuffleanswers").text = "true" if data.get("shuffle", True) else "false"
        ET.SubElement(element, "answernumbering").text = data.get("numbering", "abc")
        for item in data.get("answers", []):
            _answer(element, item, fmt, item["text"])
    elif qtype == "truefalse":
        correct = bool(data.get("correct"))
        for value in (True, False):
            item = {"fraction": 1.0 if value == correct else 0.0, "format": "moodle",
                    "feedback": data.get("feedback_true" if value else "feedback_false", "")}
            _answer(element, item, fmt, "true" if value else "false")
    elif qtype == "shortanswer":
        ET.SubElement(element, "usecase").text = "1" if data.get("case_sensitive") else "0"
        for item in data.get("answers", []):
            _answer(element, {**item, "format": "moodle"}, fmt, item["text"])
    elif qtype == "numerical":
        for item in data.get("answers", []):
            value_text = "*" if item.get("value") is None else repr(float(item["value"])).removesuffix(".0")
            _answer(element, {**item, "format": "moodle"}, fmt, value_text,
                    {"tolerance": repr(float(item.get("tolerance") or 0)).removesuffix(".0")})
    elif qtype == "match":
        ET.SubElement(element, "shuffleanswers").text = "true" if data.get("shuffle", True) else "false"
        for pair in data.get("pairs", []):
            sub = _add_text(element, "subquestion", pair.get("question", ""), pair.get("format", fmt))
            answer = ET.SubElement(sub, "answer")
            ET.SubElement(answer, "text").text = pair.get("answer", "")
    elif qtype == "essay":
        ET.SubElement(element, "responseformat").text = data.get("response_format", "editor")
        ET.SubElement(element, "responserequired").text = "1" if data.get("required", True) else "0"
        ET.SubElement(element, "responsefieldlines").text = str(data.get("lines", 15))
        ET.SubElement(element, "attachments").text = "0"
        ET.SubElement(element, "attachmentsrequired").text = "0"
        _add_text(element, "graderinfo", data.get("grader_info", ""), fmt)
        _add_text(element, "responsetemplate", data.get("template", ""), fmt)
    if question.tags:
        tags = ET.SubElement(element, "tags")
        for tag in question.tags:
            _add_text(tags, "tag", tag)
    return element
