"""Writing Moodle GIFT: the serialiser behind :func:`hub.quizzes.gift.dumps`. Pure.

Follows Moodle's exporter (escape ``\\ ~ = # { }``, ``:`` in titles, weights as
``%50%``, true/false feedback wrong-then-right), with one readability gain: question
text keeps real line breaks where GIFT can carry them, so files stay easy to edit."""
from __future__ import annotations

from decimal import Decimal

WRITABLE = ("multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "description")


def can_write(question) -> bool:
    return question.qtype in WRITABLE


def _escape(text: str, colon: bool = False) -> str:
    text = (text or "").replace("\\", "\\\\")
    for ch in "~=#{}":
        text = text.replace(ch, "\\" + ch)
    if colon:
        text = text.replace(":", "\\:")
    return text.replace("\r", "").replace("\n", "\\n")


def _escape_block(text: str) -> str:
    """Question text keeps its line breaks where GIFT can carry them (a trimmed,
    non-empty line that is not a comment); elsewhere it writes ``\\n``."""
    pieces = [_escape(line) for line in (text or "").replace("\r", "").split("\n")]
    out = pieces[0]
    for piece in pieces[1:]:
        clean = piece and piece == piece.strip() and not piece.startswith("//")
        previous_clean = out and out == out.rstrip()
        out += ("\n" if clean and previous_clean else "\\n") + piece
    return out


def number_text(value: float | Decimal) -> str:
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _weight_text(fraction: float) -> str:
    return f"%{number_text(round(fraction * 100, 5))}%"


def _fmt(text_format: str, default: str, text: str) -> str:
    if text_format != default or (text or "").startswith("["):
        return f"[{text_format}]"
    return ""


def dumps(questions, default_format: str = "markdown", comment: str | None = None) -> str:
    """Write questions (drafts or objects with the same attributes) as GIFT. Questions
    GIFT cannot carry (Cloze) are left out with a comment saying so."""
    out: list[str] = []
    if comment:
        out.extend(f"// {line}".rstrip() for line in comment.splitlines())
        out.append("")
    category = None
    for question in questions:
        cat = getattr(question, "category", None)
        if cat is not None and not isinstance(cat, str):
            cat = cat.path
        if cat and cat != category:
            out.extend([f"$CATEGORY: {cat}", ""])
            category = cat
        out.append(write_question(question, default_format))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def write_question(question, default_format: str = "markdown", with_name: bool = True,
                   with_meta: bool = True) -> str:
    """One question as GIFT; the editor's box leaves out the title and the comment line
    with ID number and tags (it has fields for them)."""
    qtype, data = question.qtype, question.data or {}
    name = question.name
    if not can_write(question):
        return f"// “{name}” is a {qtype} question, which GIFT cannot carry; export to Moodle XML to keep it."
    text_format = getattr(question, "text_format", default_format) or default_format
    text = getattr(question, "text", None)
    if text is None:
        text = question.text_md
    general = getattr(question, "general_feedback", None)
    if general is None:
        general = question.general_feedback_md
    lines = []
    meta = []
    if getattr(question, "idnumber", None):
        meta.append(f"[id:{question.idnumber.replace(']', chr(92) + ']')}]")
    tags = getattr(question, "tags", None) or []
    for tag in tags:
        tag = tag if isinstance(tag, str) else tag.name
        meta.append(f"[tag:{tag.replace(']', chr(92) + ']')}]")
    if meta and with_meta:
        lines.append("// " + " ".join(meta))
    title = f"::{_escape(name, colon=True)}::" if with_name else ""
    head = f"{title}{_fmt(text_format, default_format, text)}{_escape_block(text)}"
    general_format = data.get("general_feedback_format", text_format)
    tail = ""
    if general:
        tail = "####" + ("" if general_format == text_format else f"[{general_format}]") + _escape(general)

    def fb(item: dict) -> str:
        return "#" + _escape(item["feedback"]) if item.get("feedback") else ""

    def answer_text(item: dict, key: str = "text") -> str:
        prefix = f"[{item['format']}]" if item.get("format", text_format) != text_format else ""
        return prefix + _escape(item[key])

    if qtype == "description":
        lines.append(head)
    elif qtype == "essay":
        lines.append(head + "{" + tail + "}")
    elif qtype == "truefalse":
        correct = bool(data.get("correct"))
        right = data.get("feedback_true" if correct else "feedback_false") or ""
        wrong = data.get("feedback_false" if correct else "feedback_true") or ""
        body = "TRUE" if correct else "FALSE"
        if wrong:
            body += "#" + _escape(wrong)
        elif right:
            body += "#"
        if right:
            body += "#" + _escape(right)
        lines.append(head + "{" + body + tail + "}")
    else:
        lines.append(head + "{")
        if qtype == "multichoice":
            single = data.get("single", True)
            for item in data["answers"]:
                fraction = float(item.get("fraction", 0))
                marker = "=" if single and abs(fraction - 1) < 1e-9 else (
                    "~" if abs(fraction) < 1e-9 else "~" + _weight_text(fraction))
                lines.append(f"\t{marker}{answer_text(item)}{fb(item)}")
        elif qtype == "shortanswer":
            for item in data["answers"]:
                fraction = float(item.get("fraction", 1))
                marker = "=" if abs(fraction - 1) < 1e-9 else "=" + _weight_text(fraction)
                lines.append(f"\t{marker}{_escape(item['text'])}{fb(item)}")
        elif qtype == "numerical":
            lines[-1] = head + "{#"
            # the catch-all "~" must come last: GIFT reads everything after it as its feedback
            for item in sorted(data["answers"], key=lambda a: a.get("value") is None):
                if item.get("value") is None:
                    lines.append(f"\t~{fb(item) or '#'}")
                    continue
                fraction = float(item.get("fraction", 1))
                marker = "=" if abs(fraction - 1) < 1e-9 else "=" + _weight_text(fraction)
                value = number_text(item["value"])
                tolerance = float(item.get("tolerance") or 0)
                lines.append(f"\t{marker}{value}" + (f":{number_text(tolerance)}" if tolerance else "") + fb(item))
        elif qtype == "match":
            for pair in data["pairs"]:
                lines.append(f"\t={answer_text(pair, 'question')} -> {_escape(pair['answer'])}")
        if tail:
            lines.append("\t" + tail)
        lines.append("}")
    return "\n".join(lines)
