"""Moodle's embedded answers (Cloze, qtype_multianswer) syntax. Pure.

A Cloze question is a text with answer fields inside, each written
``{mark:TYPE:alternatives}``, e.g. ``{1:MULTICHOICE:=Paris#Yes~Lyon#No}``,
``{2:SHORTANSWER:=Oslo~%50%Olso}``, ``{1:NUMERICAL:=3.14:0.01}``. An alternative is an
optional weight (``=`` for 100 %, ``%50%``), the answer, and ``#feedback``;
``\\}``, ``\\#``, ``\\~``, ``\\/``, ``\\"`` and ``\\\\`` escape.

The stored text keeps this source; :func:`parse` turns it into the answer data of each
field and a template with ``{#1}``, ``{#2}``... where the fields go (Moodle's placeholders)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_TYPES: dict[str, tuple[str, dict[str, object]]] = {
    "SHORTANSWER": ("shortanswer", {}), "SA": ("shortanswer", {}), "MW": ("shortanswer", {}),
    "SHORTANSWER_C": ("shortanswer", {"case_sensitive": True}), "SAC": ("shortanswer", {"case_sensitive": True}),
    "MWC": ("shortanswer", {"case_sensitive": True}),
    "NUMERICAL": ("numerical", {}), "NM": ("numerical", {}),
    "MULTICHOICE": ("multichoice", {"display": "dropdown"}), "MC": ("multichoice", {"display": "dropdown"}),
    "MULTICHOICE_V": ("multichoice", {"display": "vertical"}), "MCV": ("multichoice", {"display": "vertical"}),
    "MULTICHOICE_H": ("multichoice", {"display": "horizontal"}), "MCH": ("multichoice", {"display": "horizontal"}),
    "MULTICHOICE_S": ("multichoice", {"display": "dropdown", "shuffle": True}),
    "MCS": ("multichoice", {"display": "dropdown", "shuffle": True}),
    "MULTICHOICE_VS": ("multichoice", {"display": "vertical", "shuffle": True}),
    "MCVS": ("multichoice", {"display": "vertical", "shuffle": True}),
    "MULTICHOICE_HS": ("multichoice", {"display": "horizontal", "shuffle": True}),
    "MCHS": ("multichoice", {"display": "horizontal", "shuffle": True}),
    "MULTIRESPONSE": ("multiresponse", {"display": "vertical"}), "MR": ("multiresponse", {"display": "vertical"}),
    "MULTIRESPONSE_H": ("multiresponse", {"display": "horizontal"}),
    "MRH": ("multiresponse", {"display": "horizontal"}),
    "MULTIRESPONSE_S": ("multiresponse", {"display": "vertical", "shuffle": True}),
    "MRS": ("multiresponse", {"display": "vertical", "shuffle": True}),
    "MULTIRESPONSE_HS": ("multiresponse", {"display": "horizontal", "shuffle": True}),
    "MRHS": ("multiresponse", {"display": "horizontal", "shuffle": True}),
}
_START = re.compile(r"\{(\d*):([A-Z_]+):")
_LOOSE_START = re.compile(r"\{(\d*):([A-Za-z_]+):")
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d*)?)%")
_ESCAPABLE = '}#~/"\\'
PLACEHOLDER = re.compile(r"\{#(\d+)\}")


class ClozeError(ValueError):
    pass


def _unescape(text: str) -> str:
    return re.sub(r"\\([}#~/\"\\])", r"\1", text).strip()


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            current += text[i:i + 2]
            i += 2
            continue
        if ch == sep:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return parts


def _find_close(text: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            i += 2
            continue
        if text[i] == "}":
            return i
        if text[i] == "\n" and text[i + 1:i + 2] == "\n":
            return -1
        i += 1
    return -1


def parse(text: str) -> tuple[str, list[dict], list[str]]:
    """(template with ``{#n}``, one answer-data dict per field, problems)."""
    parts: list[dict] = []
    errors: list[str] = []
    out, pos = [], 0
    for match in _LOOSE_START.finditer(text or ""):
        if match.start() < pos:
            continue
        number = len(parts) + 1
        type_name = match.group(2)
        close = _find_close(text, match.end())
        if close < 0:
            errors.append(f"embedded answer {number} ({match.group(0)}…) is not closed with }}")
            break
        if type_name not in _TYPES:
            hint = " (types are written in capitals)" if type_name.upper() in _TYPES else ""
            errors.append(f"embedded answer {number}: unknown type {type_name}{hint}; use SHORTANSWER, "
                          f"NUMERICAL, MULTICHOICE, MULTIRESPONSE or a variant such as MULTICHOICE_V")
            pos = close + 1
            continue
        try:
            part = _part(type_name, match.group(1), text[match.end():close])
        except ClozeError as error:
            errors.append(f"embedded answer {number}: {error}")
            pos = close + 1
            continue
        out.append(text[pos:match.start()])
        out.append("{#%d}" % number)
        parts.append(part)
        pos = close + 1
    out.append((text or "")[pos:])
    if not parts and not errors:
        errors.append("a Cloze question needs at least one embedded answer such as {1:SHORTANSWER:=answer}")
    return "".join(out), parts, errors


def _part(type_name: str, mark: str, body: str) -> dict:
    kind, options = _TYPES[type_name]
    answers = []
    for raw in _split_unescaped(body, "~"):
        raw = raw.strip()
        if not raw:
            continue
        fraction = 0.0
        if raw.startswith("="):
            fraction, raw = 1.0, raw[1:]
        else:
            weight = _WEIGHT.match(raw)
            if weight:
                fraction = float(Decimal(weight.group(1).replace(",", ".")) / 100)
                raw = raw[weight.end():]
        pieces = _split_unescaped(raw, "#")
        answer_text = _unescape(pieces[0])
        feedback = _unescape("#".join(pieces[1:])) if len(pieces) > 1 else ""
        if not answer_text:
            raise ClozeError("an alternative has no answer text")
        item: dict = {"fraction": fraction, "feedback": feedback}
        if kind == "numerical":
            item.update(_numeric(answer_text))
        else:
            item["text"] = answer_text
        answers.append(item)
    if not answers:
        raise ClozeError("no answers given")
    if kind == "multiresponse":
        if not any(a["fraction"] > 0 for a in answers):
            raise ClozeError("mark at least one right answer with = or a positive weight")
    elif max(a["fraction"] for a in answers) < 1 - 1e-6:
        raise ClozeError("one answer must be worth 100% (mark it with =)")
    if kind in ("multichoice", "multiresponse") and len(answers) < 2:
        raise ClozeError("a choice needs at least two answers")
    part = {"kind": kind, "mark": int(mark) if mark else 1, "answers": answers}
    part.update(options)
    if kind == "shortanswer":
        part.setdefault("case_sensitive", False)
    if kind in ("multichoice", "multiresponse"):
        part.setdefault("shuffle", False)
    return part


def _numeric(text: str) -> dict:
    if text == "*":
        return {"value": None, "tolerance": 0.0}
    value_text, _, tolerance_text = text.partition(":")
    try:
        value = Decimal(value_text.strip())
        tolerance = Decimal(tolerance_text.strip()) if tolerance_text.strip() else Decimal(0)
    except InvalidOperation:
        raise ClozeError(f"“{text}” is not a number (write 3.14 or 3.14:0.01)") from None
    if not value.is_finite() or not tolerance.is_finite():
        raise ClozeError(f"“{text}” is not a number")
    return {"value": float(value), "tolerance": float(abs(tolerance))}
