"""Between pages and attempts: reading form fields into answers, and building what a
page shows for each question.

Form values name positions in the order the learner saw (``0``, ``1``...), never the
written order, so a page's HTML says nothing about which answer is right. What a review
adds (right/wrong marks, feedback, the right answer) is put in only when the review
options allow it; the attempt page gets none of it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from ..forms import without_nul
from . import grading, rich_text, translations
from .cloze import PLACEHOLDER
from .models import Response

MAX_TEXT = 1000
MAX_ESSAY = 50_000


def field_name(response: Response) -> str:
    return f"q{response.position}"


def answer_state(response: Response) -> str:
    """``answered`` (every blank filled), ``partly`` or ``todo``: the state the attempt
    page writes under each question, also sent back after an autosave."""
    data = (response.snapshot or {}).get("data", {})
    if grading.is_complete(response.qtype, data, response.answer):
        return "answered"
    return "todo" if grading.is_blank(response.qtype, response.answer) else "partly"


# --- reading answers ------------------------------------------------------------------------

def _index(value, order: list) -> int | None:
    if value is None or not str(value).isdigit():
        return None
    position = int(value)
    return order[position] if position < len(order) else None


def read_answer(response: Response, form) -> dict | None:
    """The answer to ``response`` in ``form`` (a MultiDict); None when left blank.
    NUL characters are dropped (no answer means one; PostgreSQL cannot store it)."""
    form = MultiDict([(key, without_nul(value)) for key, value in form.items(multi=True)])
    name = field_name(response)
    data = response.snapshot.get("data", {})
    qtype, order = response.qtype, response.order or {}
    answer: dict | None = None
    if qtype == "multichoice":
        answers_order = order.get("answers", [])
        if data.get("single", True):
            choice = _index(form.get(name), answers_order)
            answer = None if choice is None else {"choice": choice}
        else:
            chosen = sorted({c for c in (_index(v, answers_order) for v in form.getlist(name)) if c is not None})
            answer = {"choices": chosen} if chosen else None
    elif qtype == "truefalse":
        value = form.get(name)
        answer = {"value": value == "true"} if value in ("true", "false") else None
    elif qtype in ("shortanswer", "numerical"):
        answer = {"text": (form.get(name) or "").strip()[:MAX_TEXT]}
    elif qtype == "essay":
        answer = {"text": (form.get(name) or "").replace("\r\n", "\n")[:MAX_ESSAY]}
    elif qtype == "match":
        choices = order.get("choices", [])
        matched: dict[str, object] = {}
        for stem in order.get("stems", []):
            index = _index(form.get(f"{name}_s{stem}"), list(range(len(choices))))
            if index is not None:
                matched[str(stem)] = choices[index]
        answer = {"choices": matched}
    elif qtype == "multianswer":
        parts: dict[str, dict] = {}
        for index, part in enumerate(data.get("parts", [])):
            key = f"{name}_p{index}"
            part_order = (order.get("parts") or {}).get(str(index), [])
            if part["kind"] == "multichoice":
                choice = _index(form.get(key), part_order)
                if choice is not None:
                    parts[str(index)] = {"choice": choice}
            elif part["kind"] == "multiresponse":
                chosen = sorted({c for c in (_index(v, part_order) for v in form.getlist(key)) if c is not None})
                if chosen:
                    parts[str(index)] = {"choices": chosen}
            else:
                text = (form.get(key) or "").strip()[:MAX_TEXT]
                if text:
                    parts[str(index)] = {"text": text}
        answer = {"parts": parts}
    if answer is None or grading.is_blank(qtype, answer):
        return None
    return answer


# --- what a page shows ------------------------------------------------------------------------

@dataclass
class Option:
    value: str
    html: Markup
    checked: bool = False
    right: bool | None = None  # review with "correctness": this option is right
    feedback: Markup | None = None


@dataclass
class Stem:
    field: str
    html: Markup
    options: list[tuple[str, str, bool]]  # (value, text, selected)
    right: bool | None = None
    right_answer: str | None = None


@dataclass
class QuestionView:
    number: int | None  # None for a description ("Information")
    position: int
    qtype: str
    type_key: str
    field: str
    text_html: Markup
    max_mark: float
    answered: bool
    complete: bool
    single: bool = True
    # dataclasses.field: the ``field`` attribute above shadows the bare name for type checkers
    options: list[Option] = dataclasses.field(default_factory=list)
    stems: list[Stem] = dataclasses.field(default_factory=list)
    text_value: str = ""
    units: list[str] = dataclasses.field(default_factory=list)  # numerical: the units a response may name
    lines: int = 15
    cloze_html: Markup | None = None
    # review only, each present only when the review options allow it
    review: bool = False
    state: str | None = None  # correct | partial | incorrect | gaveup | needsgrading
    mark: float | None = None
    feedback: Markup | None = None  # specific feedback (answer feedback)
    general_feedback: Markup | None = None
    combined_feedback: Markup | None = None  # for the whole response: correct, partially correct, incorrect
    num_correct: int | None = None  # "You have correctly selected 2." (Moodle's shownumcorrect)
    hints: list[Markup] = dataclasses.field(default_factory=list)
    right_answer: Markup | None = None
    comment: Markup | None = None


def _html(value: str | None) -> Markup:
    return Markup(value or "")  # stored HTML was sanitised when the question was saved


def question_views_numbered(responses: list[Response], numbers: dict[int, int | None],
                            options: dict | None = None) -> list[QuestionView]:
    """Views for ``responses`` (one page, or the whole attempt), numbered as in the whole
    attempt; ``options`` are review options (None: the attempt page, which shows no
    right/wrong, feedback or right answers)."""
    return [question_view(r, numbers.get(r.position), options) for r in responses]


def question_view(response: Response, number: int | None, options: dict | None = None,
                  disabled: bool = False) -> QuestionView:
    snapshot = response.snapshot or {}
    data = snapshot.get("data", {})
    # The reader's language when the question has it; grading keeps to ``data``.
    translated = (snapshot.get("translations") or {}).get(str(get_locale() or ""))
    shown = translations.localized(response.qtype, data, translated and translated.get("data"))
    order = response.order or {}
    answer = response.answer or {}
    review = options is not None
    opts = options or {}
    show_right = bool(review and opts.get("correctness"))
    show_feedback = bool(review and opts.get("feedback"))
    show_answers = bool(review and opts.get("correct_answers"))
    view = QuestionView(
        number=number, position=response.position, qtype=response.qtype,
        type_key=("multiresponse" if response.qtype == "multichoice" and not data.get("single", True)
                  else response.qtype),
        field=field_name(response), text_html=_html((translated or snapshot).get("text_html")),
        max_mark=response.max_mark,
        answered=not grading.is_blank(response.qtype, response.answer),
        complete=grading.is_complete(response.qtype, data, response.answer), review=review)
    outcome = None
    if review and response.qtype != "description":
        outcome = grading.grade(response.qtype, data, response.answer)
        if opts.get("score"):
            view.mark = response.mark
        if show_right or opts.get("score"):
            view.state = response.state
        if show_feedback:
            view.general_feedback = _html((translated or snapshot).get("general_feedback_html")) or None
        if response.comment_html and (show_feedback or opts.get("score")):
            view.comment = _html(response.comment_html)
    qtype = response.qtype
    if qtype == "multichoice":
        view.single = data.get("single", True)
        answers = shown.get("answers", [])
        chosen = {answer.get("choice")} if view.single else set(answer.get("choices") or [])
        for position, index in enumerate(order.get("answers", range(len(answers)))):
            item = answers[index]
            option = Option(str(position), _html(item.get("text_html") or escape(item.get("text", ""))),
                            checked=index in chosen)
            fraction = float(item.get("fraction", 0))
            if show_answers and fraction > 0:
                option.right = True  # the right answers, chosen or not
            if show_right and option.checked:
                option.right = fraction > 0  # the learner's own choices, right or wrong
            if show_feedback and option.checked and item.get("feedback_html"):
                option.feedback = _html(item["feedback_html"])
            view.options.append(option)
        if show_answers:
            right = [answers[i] for i in grading.right_answers("multichoice", data)]  # same positions
            label = _("The correct answer is: ") if len(right) == 1 else _("The correct answers are: ")
            view.right_answer = escape(label) + Markup(", ").join(_html(a.get("text_html")) for a in right)
    elif qtype == "truefalse":
        value = answer.get("value")
        correct = bool(data.get("correct"))
        for option_value, label, truth in (("true", _("True"), True), ("false", _("False"), False)):
            option = Option(option_value, escape(label), checked=value is truth)
            if show_answers and truth == correct:
                option.right = True
            if show_right and option.checked:
                option.right = truth == correct
            if show_feedback and option.checked:
                option.feedback = _html(shown.get("feedback_true_html" if truth else "feedback_false_html")) or None
            view.options.append(option)
        if show_answers:
            view.right_answer = escape(_("The correct answer is “%(answer)s”.",
                                         answer=_("True") if correct else _("False")))
    elif qtype in ("shortanswer", "numerical", "essay"):
        view.text_value = answer.get("text", "")
        view.lines = int(data.get("lines", 15) or 15)
        if qtype == "numerical" and data.get("show_units", 0) != 3:  # 3: Moodle's "units not shown"
            view.units = [unit["name"] for unit in data.get("units") or []]
        if review and outcome is not None and outcome.matched and show_feedback:
            item = shown.get("answers", [])[outcome.matched[0]]
            view.feedback = _html(item.get("feedback_html")) or None
        if show_answers and qtype != "essay":
            right = grading.right_answers(qtype, data)
            in_language = grading.right_answers(qtype, {"answers": shown.get("answers_shown", [])})
            if in_language:
                right, data = in_language, {"answers": shown["answers_shown"]}
            if right:
                item = data["answers"][right[0]]
                text = item.get("text") if qtype == "shortanswer" else _number_text(item, snapshot.get("data"))
                view.right_answer = escape(_("The correct answer is: %(answer)s", answer=text))
        if show_answers and qtype == "essay" and shown.get("grader_info_html"):
            view.right_answer = _html(shown["grader_info_html"])
    elif qtype == "match":
        pairs = shown.get("pairs", [])
        choices = order.get("choices", [])  # the original's words: what an answer stores
        label = {pair["answer"]: pair.get("answer_shown", pair["answer"]) for pair in pairs}
        matched = answer.get("choices") or {}
        for stem in order.get("stems", []):
            picked = matched.get(str(stem))
            stem_view = Stem(field=f"{view.field}_s{stem}", html=_html(pairs[stem].get("question_html")),
                             options=[(str(i), label.get(text, text), text == picked)
                                      for i, text in enumerate(choices)])
            if show_right and picked:
                stem_view.right = picked == pairs[stem]["answer"]
            if show_answers:
                stem_view.right_answer = pairs[stem].get("answer_shown", pairs[stem]["answer"])
                if picked:
                    stem_view.right = picked == pairs[stem]["answer"]
            view.stems.append(stem_view)
    elif qtype == "multianswer":
        view.cloze_html = _cloze_html(response, data, order, answer, outcome, show_right, show_feedback,
                                      show_answers, disabled or review)
    if show_feedback and outcome is not None:
        _response_feedback(view, qtype, snapshot.get("data", {}), answer, outcome.state)
    return view


_COMBINED_KEY = {"correct": "correct_feedback", "partial": "partial_feedback", "incorrect": "incorrect_feedback"}


def _response_feedback(view: QuestionView, qtype: str, data: dict, answer: dict, state: str) -> None:
    """Moodle's combined feedback (by the state of the whole response), the number of
    right parts when the question asks for it, and the question's hints."""
    if qtype in rich_text.COMBINED_TYPES:
        key = _COMBINED_KEY.get(state)
        view.combined_feedback = _html(data.get(f"{key}_html")) or None if key else None
        if data.get("show_num_correct") and state == "partial":
            if qtype == "match":
                pairs = data.get("pairs", [])
                matched = answer.get("choices") or {}
                view.num_correct = sum(1 for stem, picked in matched.items()
                                       if stem.isdigit() and int(stem) < len(pairs)
                                       and picked == pairs[int(stem)]["answer"])
            elif not data.get("single", True):
                answers = data.get("answers", [])
                view.num_correct = sum(1 for c in answer.get("choices") or []
                                       if 0 <= c < len(answers) and float(answers[c].get("fraction", 0)) > 0)
    view.hints = [_html(h.get("text_html")) for h in data.get("hints", []) if h.get("text_html")]


def _number_text(item: dict, data: dict | None = None) -> str:
    value = item.get("value")
    tolerance = float(item.get("tolerance") or 0)
    text = f"{value:g}" + (f" ± {tolerance:g}" if tolerance else "")
    units = (data or {}).get("units") or []
    if units:  # the first unit is the one the answers are written in
        text = f"{units[0]['name']} {text}" if data and data.get("units_left") else f"{text} {units[0]['name']}"
    return text


def _cloze_html(response, data, order, answer, outcome, show_right, show_feedback, show_answers, disabled) -> Markup:
    base = field_name(response)
    parts = data.get("parts", [])
    given = answer.get("parts") or {}
    off = Markup(" disabled") if disabled else Markup("")
    widgets = {}
    for index, part in enumerate(parts):
        key = f"{base}_p{index}"
        label = escape(_("Blank %(number)d of %(count)d", number=index + 1, count=len(parts)))
        mine = given.get(str(index)) or {}
        part_order = (order.get("parts") or {}).get(str(index), list(range(len(part.get("answers", [])))))
        answers = part.get("answers", [])
        kind = part.get("kind")
        if kind in ("shortanswer", "numerical"):
            # one size for every blank: a size fitted to the answer would hint at it
            html = Markup('<input type="text" class="cloze-text" name="{}" value="{}" size="14" aria-label="{}"{}>'
                          ).format(key, mine.get("text", ""), label, off)
        elif kind == "multichoice" and part.get("display", "dropdown") == "dropdown":
            options = [Markup('<option value="">{}</option>').format(_("Choose…"))]
            for position, i in enumerate(part_order):
                selected = Markup(" selected") if mine.get("choice") == i else Markup("")
                options.append(Markup('<option value="{}"{}>{}</option>').format(position, selected,
                                                                                   answers[i].get("text", "")))
            html = Markup('<select class="cloze-select" name="{}" aria-label="{}"{}>{}</select>').format(
                key, label, off, Markup("").join(options))
        else:
            multiple = kind == "multiresponse"
            chosen = set(mine.get("choices") or []) if multiple else {mine.get("choice")}
            items = []
            for position, i in enumerate(part_order):
                checked = Markup(" checked") if i in chosen else Markup("")
                items.append(Markup('<label><input type="{}" name="{}" value="{}"{}{}> {}</label>').format(
                    "checkbox" if multiple else "radio", key, position, checked, off, answers[i].get("text", "")))
            layout = "horizontal" if part.get("display") == "horizontal" else "vertical"
            html = Markup('<span class="cloze-choices {}" role="group" aria-label="{}">{}</span>').format(
                layout, label, Markup("").join(items))
        extra = []
        sub = outcome.parts[index] if outcome is not None and index < len(outcome.parts) else None
        if sub is not None and show_right and sub.state in ("correct", "partial", "incorrect"):
            text = {"correct": _("Correct"), "partial": _("Partially correct"), "incorrect": _("Incorrect")}[sub.state]
            extra.append(Markup('<span class="cloze-mark state-{}">{}</span>').format(sub.state, text))
        if sub is not None and show_feedback and sub.matched:
            feedback = answers[sub.matched[0]].get("feedback", "")
            if feedback:
                extra.append(Markup('<span class="cloze-feedback">{}</span>').format(feedback))
        if show_answers:
            right = grading.right_answers("multichoice" if kind == "multiresponse" else kind,
                                          {**part, "single": kind != "multiresponse"})
            texts = [answers[i].get("text") if kind != "numerical" else _number_text(answers[i]) for i in right]
            if texts:
                extra.append(Markup('<span class="cloze-right">{}</span>').format(
                    _("Correct answer: %(answer)s", answer=", ".join(str(t) for t in texts))))
        widgets[index] = html + Markup("").join(extra)
    template = str(response.snapshot.get("text_html") or "")
    return Markup(PLACEHOLDER.sub(lambda m: str(widgets.get(int(m.group(1)) - 1, "")), template))
