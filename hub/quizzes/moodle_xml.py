"""Moodle XML question files: reader (through defusedxml, so entity bombs and external
entities are refused) and writer. Pure: no Flask, no database.

Reads and writes the common types: multichoice, truefalse, shortanswer, numerical,
matching, essay, cloze, description, and ``category`` switches (with their description
and ID number). Other Moodle types (calculated, drag and drop...) are reported as
errors naming the question. Embedded files come back in each draft's ``files``, the
texts still naming them ``@@PLUGINFILE@@/name``: where they are stored is the bank's
business. Each text's own format is settled into one per question (see rich_text)."""
from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET

import defusedxml
from defusedxml.ElementTree import fromstring

from . import cloze
from .grading import is_moodle_fraction
from .moodle_xml_writer import FORMATS_IN, TYPES_IN, dumps  # noqa: F401  (public names)
from .parsed import ParseResult, Problem, QuestionDraft, clean_category, default_name
from .rich_text import to_html


class _QuestionError(ValueError):
    pass


class _Rich:
    """A text read with its own format, settled into the question's format at the end."""

    __slots__ = ("text_format", "text")

    def __init__(self, text_format: str, text: str):
        self.text_format, self.text = text_format, text


class _Question:
    """What reading one question gathers besides its draft: files and warnings."""

    def __init__(self, warnings: list[Problem], position: int, name: str):
        self.warnings, self.position, self.name = warnings, position, name
        self.files: dict[str, bytes] = {}

    def warn(self, message: str) -> None:
        self.warnings.append(Problem(self.position, message, self.name, "question"))

    def rich(self, element, default_format: str) -> _Rich:
        """A formatted text (``<questiontext format="html"><text>..</text><file ..>``)."""
        if element is None:
            return _Rich(default_format, "")
        self.take_files(element)
        return _Rich(FORMATS_IN.get(element.get("format", ""), default_format), _text(element))

    def take_files(self, element) -> None:
        for item in element.findall("file"):
            name = (item.get("name") or "").strip()
            key = ((item.get("path") or "/").strip("/") + "/" + name).lstrip("/")
            if not name:
                continue
            try:
                data = base64.b64decode("".join((item.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                self.warn(f"the embedded file “{name}” is not valid base64 and was left out")
                continue
            if key in self.files and self.files[key] != data:
                self.warn(f"two embedded files are called “{name}”; the first one is kept")
                continue
            self.files[key] = data


def _text(element, path: str = "text", default: str = "") -> str:
    if element is None:
        return default
    found = element.find(path) if path else element
    if found is None or found.text is None:
        return default
    return found.text.strip()


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
            if category:
                _read_category(element, category, result)
            continue
        if qtype not in TYPES_IN:
            result.errors.append(Problem(position, f"question type “{qtype}” is not supported (supported: "
                                                   f"{', '.join(sorted(TYPES_IN))})", name, "question"))
            result.invalid += 1
            continue
        try:
            draft = _read(element, TYPES_IN[qtype], result.warnings, position)
        except _QuestionError as error:
            result.errors.append(Problem(position, str(error), name, "question"))
            result.invalid += 1
            continue
        draft.category, draft.line = category, position
        result.questions.append(draft)
    if not result.questions and not result.errors:
        result.warnings.append(Problem(0, "the file contains no questions", unit="question"))
    return result


def _read_category(element, path: str, result: ParseResult) -> None:
    info = element.find("info")
    meta = {"info": _text(info), "info_format": FORMATS_IN.get(info.get("format", "") if info is not None else "",
                                                                 "moodle"),
            "idnumber": _text(element, "idnumber") or None}
    if meta["info"] or meta["idnumber"]:
        result.category_meta[path] = meta


def _fraction(answer, ctx: _Question) -> float:
    """Moodle refuses a question whose grades are not in its list (qformat_default's
    "invalidgrade"): 33 is neither a third (33.33333) nor any other allowed grade."""
    raw = answer.get("fraction", "0")
    fraction = _number(raw, "the weight") / 100
    if abs(fraction) > 1 + 1e-9:
        raise _QuestionError(f"the weight {raw}% is outside -100% to 100%")
    if not is_moodle_fraction(fraction):
        raise _QuestionError(f"the weight {raw}% is not one of the grades Moodle allows (100, 90, 83.33333, 80, "
                             f"75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, "
                             f"11.11111, 10, 5, 0 and the same below zero)")
    return fraction


def _answers(element, text_format: str, ctx: _Question, numeric: bool = False) -> list[dict]:
    answers: list[dict] = []
    for answer in element.findall("answer"):
        fraction = _fraction(answer, ctx)
        text = _text(answer)
        ctx.take_files(answer)
        feedback = ctx.rich(answer.find("feedback"), text_format)
        if numeric:
            value = None if text in ("*", "") else _number(text, "the answer")
            tolerance = abs(_number(_text(answer, "tolerance", "0") or "0", "the tolerance"))
            answers.append({"value": value, "tolerance": tolerance, "fraction": fraction, "feedback": feedback})
            continue
        if text == "":
            continue
        rich = _Rich(FORMATS_IN.get(answer.get("format", ""), text_format), text)
        answers.append({"text": rich, "fraction": fraction, "feedback": feedback})
    return answers


def _combined_feedback(element, draft: QuestionDraft, ctx: _Question) -> None:
    """Moodle's feedback for any correct, partially correct or incorrect response."""
    for tag, key in (("correctfeedback", "correct_feedback"), ("partiallycorrectfeedback", "partial_feedback"),
                     ("incorrectfeedback", "incorrect_feedback")):
        rich = ctx.rich(element.find(tag), draft.text_format)
        if rich.text:
            draft.data[key] = rich
    if element.find("shownumcorrect") is not None:
        draft.data["show_num_correct"] = True


def _hints(element, draft: QuestionDraft, ctx: _Question) -> None:
    hints = []
    for hint in element.findall("hint"):
        rich = ctx.rich(hint, draft.text_format)
        if not rich.text:
            continue
        item: dict = {"text": rich}
        if hint.find("shownumcorrect") is not None:
            item["show_num_correct"] = True
        if hint.find("clearwrong") is not None:
            item["clear_wrong"] = True
        hints.append(item)
    if hints:
        draft.data["hints"] = hints


def _units(element, draft: QuestionDraft, ctx: _Question) -> None:
    """Moodle's units: a response "150 cm" is 150 / 100 in the first unit (multiplier 1)."""
    units: list[dict] = []
    for unit in element.findall("units/unit"):
        name = _text(unit, "unit_name")
        multiplier = _number(_text(unit, "multiplier", "1") or "1", "the unit multiplier")
        if not name:
            continue
        if multiplier == 0:
            raise _QuestionError(f"the unit “{name}” has the multiplier 0")
        if any(u["name"] == name for u in units):
            raise _QuestionError(f"the unit “{name}” is given twice")
        units.append({"name": name, "multiplier": multiplier})
    if not units:
        return
    grading_type = int(_number(_text(element, "unitgradingtype", "0") or "0", "the unit grading"))
    penalty = _number(_text(element, "unitpenalty", "0.1") or "0.1", "the unit penalty")
    show = int(_number(_text(element, "showunits", "0") or "0", "the unit display"))
    draft.data.update({"units": units, "unit_grading": grading_type if grading_type in (0, 1, 2) else 0,
                       "unit_penalty": min(max(penalty, 0.0), 1.0), "show_units": show if show in (0, 1, 2, 3) else 0,
                       "units_left": _bool(element, "unitsleft", False)})


def _settle(draft: QuestionDraft) -> None:
    """Give every text the question's one format: the shared one, else HTML."""
    found: list[tuple[object, object]] = []  # (container, key) of each _Rich

    def walk(container, keys):
        for key in keys:
            value = container[key]
            if isinstance(value, _Rich):
                found.append((container, key))
            elif isinstance(value, dict):
                walk(value, list(value))
            elif isinstance(value, list):
                walk(value, range(len(value)))

    holder: dict = {"text": _Rich(draft.text_format, draft.text), "general_feedback": draft.general_feedback,
                    "data": draft.data}
    walk(holder, list(holder))
    formats = {c[k].text_format for c, k in found if c[k].text}  # type: ignore[index]
    formats.add(draft.text_format)
    if draft.qtype == "multianswer" and len(formats) > 1:
        # the Cloze markers live in the question text: it keeps its format
        general = holder["general_feedback"]
        assert isinstance(general, _Rich)
        if general.text and general.text_format != draft.text_format:
            draft.data["general_feedback_format"] = general.text_format
        draft.general_feedback = general.text
        return
    target = formats.pop() if len(formats) == 1 else "html"
    for container, key in found:
        rich = container[key]  # type: ignore[index]
        container[key] = rich.text if rich.text_format == target else to_html(rich.text, rich.text_format)  # type: ignore[index]
    draft.text, draft.text_format = holder["text"], target
    draft.general_feedback = holder["general_feedback"]


def _read(element, qtype: str, warnings: list[Problem], position: int) -> QuestionDraft:
    name = _text(element.find("name"))
    ctx = _Question(warnings, position, name)
    question_text = ctx.rich(element.find("questiontext"), "html")
    text_format, text = question_text.text_format, question_text.text
    name = name or default_name(text)
    ctx.name = " ".join(name.split())
    draft = QuestionDraft(qtype=qtype, name=ctx.name, text=text, text_format=text_format,
                          idnumber=_text(element, "idnumber") or None,
                          tags=[t for t in (_text(tag) for tag in element.findall("tags/tag")) if t])
    draft.general_feedback = ctx.rich(element.find("generalfeedback"), text_format)  # type: ignore[assignment]
    mark = _text(element, "defaultgrade", "")
    if mark:
        draft.default_mark = _number(mark, "the default mark")
    if qtype == "multichoice":
        answers = _answers(element, text_format, ctx)
        single = _bool(element, "single", True)
        if len(answers) < 2:
            raise _QuestionError("a multiple-choice question needs at least two answers")
        if single and abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
            raise _QuestionError("one answer must be worth 100%")
        positive = round(sum(a["fraction"] for a in answers if a["fraction"] > 0), 2)
        if not single and positive < 1:
            raise _QuestionError("in a multiple-response question the positive weights must add up to 100%")
        if not single and positive > 1:
            ctx.warn(f"the right answers add up to {positive * 100:g}%; a response earns at most 100%")
        draft.data.update({"single": single, "shuffle": _bool(element, "shuffleanswers", True),
                           "numbering": _text(element, "answernumbering", "abc") or "abc", "answers": answers})
        _combined_feedback(element, draft, ctx)
    elif qtype == "truefalse":
        by_value = {(_text(a) or "").lower(): a for a in element.findall("answer")}
        if "true" not in by_value or "false" not in by_value:
            raise _QuestionError("a true/false question needs a “true” and a “false” answer")
        draft.data.update({
            "correct": _number(by_value["true"].get("fraction", "0"), "the weight") >= 100,
            "feedback_true": ctx.rich(by_value["true"].find("feedback"), text_format),
            "feedback_false": ctx.rich(by_value["false"].find("feedback"), text_format)})
    elif qtype == "shortanswer":
        answers = _answers(element, text_format, ctx)
        for item in answers:
            item["text"] = item["text"].text
        if not answers:
            raise _QuestionError("a short-answer question needs at least one answer")
        if abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
            raise _QuestionError("one answer must be worth 100%")
        draft.data.update({"case_sensitive": _bool(element, "usecase", False), "answers": answers})
    elif qtype == "numerical":
        answers = _answers(element, text_format, ctx, numeric=True)
        if not any(a["value"] is not None for a in answers):
            raise _QuestionError("a numerical question needs at least one number")
        if abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
            raise _QuestionError("one answer must be worth 100%")
        draft.data["answers"] = answers
        _units(element, draft, ctx)
    elif qtype == "match":
        pairs: list[dict] = []
        for sub in element.findall("subquestion"):
            rich = ctx.rich(sub, text_format)
            answer = _text(sub, "answer/text")
            if not rich.text and not answer:
                continue
            if not answer:
                raise _QuestionError(f"the matching item “{rich.text}” has no answer")
            pairs.append({"question": rich, "answer": answer})
        if sum(1 for p in pairs if p["question"].text) < 2:
            raise _QuestionError("a matching question needs at least two pairs")
        draft.data.update({"shuffle": _bool(element, "shuffleanswers", True), "pairs": pairs})
        _combined_feedback(element, draft, ctx)
    elif qtype == "essay":
        draft.data.update({
            "response_format": _text(element, "responseformat", "editor") or "editor",
            "lines": int(_number(_text(element, "responsefieldlines", "15") or "15", "the number of lines")),
            "required": _bool(element, "responserequired", True),
            "grader_info": ctx.rich(element.find("graderinfo"), text_format),
            "template": ctx.rich(element.find("responsetemplate"), text_format)})
    elif qtype == "multianswer":
        _template, parts, errors = cloze.parse(text)
        if errors:
            raise _QuestionError("; ".join(errors))
        draft.default_mark = float(sum(p["mark"] for p in parts))
    elif qtype == "description":
        draft.default_mark = 0.0
    if qtype not in ("description", "essay", "multianswer"):
        _hints(element, draft, ctx)
    _settle(draft)
    draft.files = ctx.files
    return draft
