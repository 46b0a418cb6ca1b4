"""Moodle's GIFT format: parser and serialiser. Pure: no Flask, no database.

Follows Moodle's reader (question/format/gift/format.php) rule for rule, so a file
that imports here imports in Moodle and the other way round:

- questions are separated by blank lines; lines are trimmed; ``//`` lines are comments
  (``[id:...]`` and ``[tag:...]`` in comments set the question's ID number and tags);
- ``$CATEGORY: path`` switches the category for the questions that follow;
- ``::title::`` names a question; ``[markdown]``, ``[html]``, ``[plain]``, ``[moodle]``
  set the text format; ``\\~ \\= \\# \\{ \\} \\:`` escape, ``\\n`` is a line break;
- the answer block ``{...}`` decides the type: none = description, ``{}`` = essay,
  ``{#...}`` numerical, ``~`` multiple choice, ``=a -> b`` matching, ``{T}``/``{FALSE}``
  true/false, otherwise short answer; ``#`` gives feedback, ``####`` general feedback,
  ``%50%`` weights; text after the block makes a missing-word question (``_____``).

Where Moodle would refuse a question (no answers, a blank line inside the answers,
weights that do not add up) this reader reports an error naming the line; where
Moodle would accept something surprising (a weight not in Moodle's list, ``{true}``
read as a short answer) it warns. Every question of the file is checked, so all
problems are reported at once.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .gift_writer import WRITABLE, can_write, dumps, number_text, write_question  # noqa: F401  (public names)
from .grading import is_moodle_fraction, nearest_moodle_fraction
from .parsed import TEXT_FORMATS, ParseResult, Problem, QuestionDraft, clean_category, default_name

# Escaped control characters become private-use characters while parsing.
_ESCAPES = {":": "\ue000", "#": "\ue001", "=": "\ue002", "{": "\ue003", "}": "\ue004", "~": "\ue005",
            "n": "\ue006", "\\": "\ue007"}
_UNESCAPE = {v: k for k, v in _ESCAPES.items()}
_UNESCAPE["\ue006"] = "\n"
_UNESCAPE_TABLE = str.maketrans(_UNESCAPE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_LOOKS_LIKE_WEIGHT = re.compile(r"^%[^%\s]*%")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_ID = re.compile(r"\[id:((?:\\.|[^\]\\])+)\]")
_TAG = re.compile(r"\[tag:((?:\\.|[^\]\\])+)\]")
BLANK = "_____"


class GiftError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _Span:
    """A piece of a question's text with the file line of each character."""

    __slots__ = ("text", "lines", "fallback")

    def __init__(self, text: str, lines: list[int], fallback: int):
        self.text, self.lines, self.fallback = text, lines, fallback

    def __getitem__(self, item: slice) -> "_Span":
        lines = self.lines[item]
        return _Span(self.text[item], lines, lines[0] if lines else self._line_near(item.start))

    def _line_near(self, index: int | None) -> int:
        if not self.lines:
            return self.fallback
        index = min(max(index or 0, 0), len(self.lines) - 1)
        return self.lines[index]

    def __add__(self, other: "_Span") -> "_Span":
        return _Span(self.text + other.text, self.lines + other.lines, self.fallback)

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def line(self) -> int:
        return self.lines[0] if self.lines else self.fallback

    def line_at(self, index: int) -> int:
        return self._line_near(index)

    def strip(self) -> "_Span":
        left = len(self.text) - len(self.text.lstrip())
        right = len(self.text.rstrip())
        if right <= left:
            return _Span("", [], self.line_at(left))
        return self[left:right]

    def find(self, sub: str, start: int = 0) -> int:
        return self.text.find(sub, start)

    def split_markers(self, markers: str) -> tuple["_Span", list[tuple[str, "_Span"]]]:
        """Split before each marker character: (text before the first, [(marker, rest)])."""
        cuts = [i for i, ch in enumerate(self.text) if ch in markers]
        head = self[:cuts[0]] if cuts else self
        pieces = []
        for n, cut in enumerate(cuts):
            end = cuts[n + 1] if n + 1 < len(cuts) else len(self.text)
            pieces.append((self.text[cut], self[cut + 1:end]))
        return head, pieces

    def split_once(self, sep: str) -> tuple["_Span", "_Span | None"]:
        at = self.text.find(sep)
        if at < 0:
            return self, None
        return self[:at], self[at + len(sep):]

    def plain(self) -> str:
        return unescape(self.text).strip()


def unescape(text: str) -> str:
    return text.translate(_UNESCAPE_TABLE)


def _escape_pass(text: str, lines: list[int]) -> tuple[str, list[int]]:
    out, out_lines = [], []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            out_lines.append(lines[i])
            i += 2
            continue
        out.append(ch)
        out_lines.append(lines[i])
        i += 1
    return "".join(out), out_lines


# --- reading ------------------------------------------------------------------------------

def parse(source: str, default_format: str = "markdown") -> ParseResult:
    """Read a GIFT file. ``default_format`` is the text format of questions without a
    ``[format]`` tag (Moodle's is ``moodle``; the hub writes Markdown)."""
    result = ParseResult()
    source = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    category: str | None = None
    names: dict[tuple[str | None, str], int] = {}
    for block in _blocks(source):
        comments = [text.strip() for _n, text in block if text.lstrip().startswith("//")]
        content = [(n, text) for n, text in block if not text.lstrip().startswith("//")]
        if not content:
            continue
        content[0] = (content[0][0], content[0][1].lstrip())
        joined, line_map = "", []
        for k, (n, text) in enumerate(content):
            if k:
                joined += "\n"
                line_map.append(n)
            joined += text
            line_map.extend([n] * len(text))
        escaped, line_map = _escape_pass(joined, line_map)
        span = _Span(escaped, line_map, content[0][0])
        if escaped.startswith("$CATEGORY:"):
            raw = span[len("$CATEGORY:"):]
            if "\n" in raw.text:
                result.errors.append(Problem(content[1][0], "a $CATEGORY: line must be followed by a blank "
                                                            "line before the next question"))
                continue
            category = clean_category(raw.plain())
            if category and category not in result.categories:
                result.categories.append(category)
            continue
        try:
            question = _read_question(span, default_format, result.warnings)
        except GiftError as error:
            result.errors.append(Problem(error.line, error.message, _start_of(span)))
            result.invalid += 1
            continue
        question.category = category
        question.line = content[0][0]
        _read_comments(question, comments)
        key = (category, question.name)
        if key in names:
            result.warnings.append(Problem(question.line, f"another question in this category has the title "
                                                          f"“{question.name}” (line {names[key]}); give each "
                                                          f"question its own ::title:: so re-imports find it",
                                           question.name))
        else:
            names[key] = question.line
        result.questions.append(question)
    return result


def _blocks(source: str):
    """Questions are separated by blank lines. Lines keep their leading spaces, as in
    Moodle (it joins a question's lines untrimmed): ``<pre>`` and Markdown need them."""
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(source.split("\n"), 1):
        line = raw.rstrip()
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _start_of(span: _Span) -> str:
    words = " ".join(unescape(span.text).split())
    return words[:60] + ("…" if len(words) > 60 else "")


def _read_comments(question: QuestionDraft, comments: list[str]) -> None:
    text = "\n".join(comments)
    match = _ID.search(text)
    if match:
        question.idnumber = match.group(1).replace("\\]", "]").strip()
    for tag in _TAG.findall(text):
        tag = tag.replace("\\]", "]").strip()
        if tag and tag not in question.tags:
            question.tags.append(tag)


def _format_and_text(span: _Span, default: str) -> tuple[str, str]:
    span = span.strip()
    if span.text.startswith("["):
        end = span.text.find("]")
        if end > 0 and span.text[1:end] in TEXT_FORMATS:
            return span.text[1:end], span[end + 1:].plain()
    return default, span.plain()


def _read_question(span: _Span, default_format: str, warnings: list[Problem]) -> QuestionDraft:
    name = None
    if span.text.startswith("::"):
        end = span.find("::", 2)
        if end < 0:
            warnings.append(Problem(span.line, "the title is not closed with ::; Moodle reads the rest as "
                                               "question text"))
            span = span[2:].strip()
        else:
            name = " ".join(unescape(span.text[2:end]).split())
            span = span[end + 2:].strip()
    opens = [i for i, ch in enumerate(span.text) if ch == "{"]
    closes = [i for i, ch in enumerate(span.text) if ch == "}"]
    if opens or closes:
        _check_braces(span, opens, closes)
        start, finish = opens[0], closes[0]
        answer = span[start + 1:finish].strip()
        before, after = span[:start], span[finish + 1:]
        if after.strip():
            text_span = before + _Span(BLANK, [span.line_at(start)] * len(BLANK), span.line) + after
        else:
            text_span = before
    else:
        answer, text_span = None, span
    general = None
    if answer is not None:
        at = answer.text.rfind("####")
        if at >= 0:
            general = answer[at + 4:]
            answer = answer[:at].strip()
    text_format, text = _format_and_text(text_span, default_format)
    feedback_format, feedback = _format_and_text(general, text_format) if general is not None else (text_format, "")
    question = QuestionDraft(qtype="", name=name or default_name(text), text=text, text_format=text_format,
                             general_feedback=feedback, named=name is not None)
    fmt = text_format
    if answer is None:
        question.qtype, question.default_mark = "description", 0.0
    elif not answer.text:
        question.qtype = "essay"
        question.data = {"response_format": "editor", "lines": 15, "required": True, "grader_info": "",
                         "template": ""}
    elif answer.text.startswith("#"):
        question.qtype, question.data = "numerical", _numerical(answer[1:], fmt, warnings, question.name)
    elif "~" in answer.text:
        question.qtype, question.data = "multichoice", _multichoice(answer, fmt, warnings, question.name)
    elif "=" in answer.text and "->" in answer.text:
        question.qtype, question.data = "match", _match(answer, fmt, warnings, question.name)
    else:
        check = answer.text
        if answer.text.find("#") > 0:
            check = answer.text[:answer.text.find("#")].strip()
        if check in _TF:
            question.qtype, question.data = "truefalse", _truefalse(answer, fmt)
        else:
            if check.upper() in _TF:
                warnings.append(Problem(answer.line, f"{{{check}}} is read as a short answer “{check}”; write "
                                                     f"{{TRUE}}, {{T}}, {{FALSE}} or {{F}} in capitals for a "
                                                     f"true/false question", question.name))
            question.qtype, question.data = "shortanswer", _shortanswer(answer, fmt, warnings, question.name)
    if feedback_format != text_format:
        question.data["general_feedback_format"] = feedback_format
    return question


def _check_braces(span: _Span, opens: list[int], closes: list[int]) -> None:
    if not opens:
        raise GiftError(span.line_at(closes[0]), "found } without an opening {; a literal brace is written \\}")
    if not closes:
        raise GiftError(span.line_at(opens[0]), "the answers start with { but are not closed with } (a blank "
                                                "line inside the answers ends the question)")
    if closes[0] < opens[0]:
        raise GiftError(span.line_at(closes[0]), "found } before the {; a literal brace is written \\}")
    if len(opens) > 1:
        raise GiftError(span.line_at(opens[1]), "a question has one {...} answer block; write a literal brace "
                                                "as \\{ or \\}")
    if len(closes) > 1:
        raise GiftError(span.line_at(closes[1]), "a question has one {...} answer block; write a literal brace "
                                                 "as \\{ or \\}")


def _weight(piece: _Span, default: float, warnings: list[Problem], name: str) -> tuple[float, _Span]:
    match = _WEIGHT.match(piece.text)
    if not match:
        if _LOOKS_LIKE_WEIGHT.match(piece.text):
            warnings.append(Problem(piece.line, f"“{piece.text.split('%')[1]}” is not a weight; write it like "
                                                f"%50% or %-25% (it is read as part of the answer)", name))
        return default, piece
    percent = Decimal(match.group(1))
    if abs(percent) > 100:
        raise GiftError(piece.line, f"the weight {match.group(0)} is outside -100% to 100%")
    fraction = float(percent / 100)
    if not is_moodle_fraction(fraction):
        nearest = nearest_moodle_fraction(fraction) * 100
        warnings.append(Problem(piece.line, f"Moodle accepts only its fixed list of weights; "
                                            f"{match.group(0)} is not in it and a Moodle import would refuse it "
                                            f"(nearest: {number_text(round(nearest, 5))}%)", name))
    return fraction, piece[match.end():]


def _text_and_feedback(piece: _Span, fmt: str) -> dict:
    text, feedback = piece.split_once("#")
    answer_format, answer_text = _format_and_text(text, fmt)
    item = {"text": answer_text}
    if answer_format != fmt:
        item["format"] = answer_format
    item["feedback"] = _format_and_text(feedback, fmt)[1] if feedback is not None else ""
    return item


def _multichoice(answer: _Span, fmt: str, warnings: list[Problem], name: str) -> dict:
    head, pieces = answer.split_markers("~=")
    if head.strip():
        warnings.append(Problem(head.line, f"“{head.plain()}” before the first ~ or = is read as a wrong answer",
                                name))
        pieces.insert(0, ("~", head))
    answers = []
    for marker, piece in pieces:
        piece = piece.strip()
        if marker == "=":
            if _WEIGHT.match(piece.text):
                raise GiftError(piece.line, "in a multiple-choice question = always means 100%; write a weighted "
                                            "answer as ~%50%answer")
            fraction = 1.0
        else:
            fraction, piece = _weight(piece, 0.0, warnings, name)
        item = _text_and_feedback(piece, fmt)
        if not item["text"]:
            warnings.append(Problem(piece.line, "an empty answer is left out (as Moodle does)", name))
            continue
        item["fraction"] = fraction
        answers.append(item)
    if len(answers) < 2:
        raise GiftError(answer.line, "a multiple-choice question needs at least two answers")
    single = "=" in answer.text
    if single:
        best = max(a["fraction"] for a in answers)
        if abs(best - 1) > 1e-6:
            raise GiftError(answer.line, "one answer must be worth 100% (mark it with =)")
    else:
        total = sum(a["fraction"] for a in answers if a["fraction"] > 0)
        if round(total, 2) != 1:
            raise GiftError(answer.line, f"the positive weights add up to {number_text(round(total * 100, 5))}%; in a "
                                         f"multiple-response question (no =) they must add up to 100%")
    return {"single": single, "shuffle": True, "numbering": "abc", "answers": answers}


def _equals_pieces(answer: _Span) -> list[_Span]:
    """The ``=``-separated items of an answer block; text before the first ``=``
    counts as an item too, as Moodle reads it."""
    head, pieces = answer.split_markers("=")
    if head.strip():
        pieces.insert(0, ("=", head))
    return [piece.strip() for _marker, piece in pieces]


def _weighted_answers(answer: _Span, fmt: str, warnings: list[Problem], name: str):
    """Each ``=`` answer with its weight (default 100%) and feedback split off:
    yields (piece, fraction, {"text", "feedback"})."""
    for piece in _equals_pieces(answer):
        fraction, piece = _weight(piece, 1.0, warnings, name)
        item = _text_and_feedback(piece, fmt)
        item.pop("format", None)
        yield piece, fraction, item


def _match(answer: _Span, fmt: str, warnings: list[Problem], name: str) -> dict:
    pairs = []
    for piece in _equals_pieces(answer):
        left, right = piece.split_once("->")
        if right is None:
            raise GiftError(piece.line, f"matching pairs are written =question -> answer; “{piece.plain()}” has "
                                        f"no ->")
        if "#" in piece.text or _WEIGHT.match(piece.text):
            warnings.append(Problem(piece.line, "matching questions have no weights or per-answer feedback; the "
                                                "% or # is read as text", name))
        left_format, question_text = _format_and_text(left, fmt)
        right_text = right.plain()
        if not right_text:
            raise GiftError(piece.line, "a matching pair needs an answer after ->")
        pair = {"question": question_text, "answer": right_text}
        if left_format != fmt:
            pair["format"] = left_format
        pairs.append(pair)
    if sum(1 for p in pairs if p["question"]) < 2:
        raise GiftError(answer.line, "a matching question needs at least two pairs")
    return {"shuffle": True, "pairs": pairs}


def _truefalse(answer: _Span, fmt: str) -> dict:
    bits = answer.text.split("#", 2)
    correct = _TF[bits[0].strip()]
    offset = len(bits[0]) + 1
    wrong = right = ""
    if len(bits) > 1:
        wrong = _format_and_text(answer[offset:offset + len(bits[1])], fmt)[1]
        offset += len(bits[1]) + 1
    if len(bits) > 2:
        right = _format_and_text(answer[offset:], fmt)[1]
    return {"correct": correct, "feedback_true": right if correct else wrong,
            "feedback_false": wrong if correct else right}


def _shortanswer(answer: _Span, fmt: str, warnings: list[Problem], name: str) -> dict:
    answers = []
    for piece, fraction, item in _weighted_answers(answer, fmt, warnings, name):
        if not item["text"]:
            warnings.append(Problem(piece.line, "an empty answer is left out (as Moodle does)", name))
            continue
        item["fraction"] = fraction
        answers.append(item)
    if not answers:
        raise GiftError(answer.line, "a short-answer question needs at least one answer")
    if abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
        raise GiftError(answer.line, "one answer must be worth 100% so full marks are possible")
    return {"case_sensitive": False, "answers": answers}


def _decimal(text: str, line: int, whole: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise GiftError(line, f"“{whole}” is not a number; numerical answers are written 3.14, 3.14:0.01 "
                              f"(answer:tolerance) or 1..5 (a range)") from None
    if not value.is_finite():
        raise GiftError(line, f"“{whole}” is not a number")
    return value


def _numerical(answer: _Span, fmt: str, warnings: list[Problem], name: str) -> dict:
    wrong_feedback = None
    at = answer.find("~")
    if at >= 0:
        wrong_feedback = answer[at + 1:]
        answer = answer[:at]
    answers = []
    for piece, fraction, item in _weighted_answers(answer, fmt, warnings, name):
        raw = item.pop("text")
        if not raw:
            continue
        if raw == "*":
            value, tolerance = None, Decimal(0)
        elif raw.find("..") > 0:
            low, high = raw.split("..", 1)
            low, high = _decimal(low, piece.line, raw), _decimal(high, piece.line, raw)
            if low > high:
                raise GiftError(piece.line, f"the range {raw} starts above its end")
            value, tolerance = (low + high) / 2, (high - low) / 2
        elif raw.find(":") > 0:
            value_text, tolerance_text = raw.split(":", 1)
            value = _decimal(value_text, piece.line, raw)
            tolerance = abs(_decimal(tolerance_text, piece.line, raw))
        else:
            value, tolerance = _decimal(raw, piece.line, raw), Decimal(0)
        answers.append({"value": None if value is None else float(value), "tolerance": float(tolerance),
                        "fraction": fraction, "feedback": item["feedback"]})
    if not answers:
        raise GiftError(answer.line, "a numerical question needs at least one number after #")
    if abs(max(a["fraction"] for a in answers) - 1) > 1e-6:
        raise GiftError(answer.line, "one numerical answer must be worth 100% so full marks are possible")
    if wrong_feedback is not None:
        _text, feedback = wrong_feedback.split_once("#")
        answers.append({"value": None, "tolerance": 0.0, "fraction": 0.0,
                        "feedback": _format_and_text(feedback, fmt)[1] if feedback is not None else ""})
    return {"answers": answers}

