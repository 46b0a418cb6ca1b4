"""Forms of the trainer's pages. They validate; services act."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..forms import HubForm
from .models import GRADING_METHODS, REVIEW_KEYS
from .parsed import TEXT_FORMATS

GRADING_LABELS = {"highest": _l("Highest grade"), "average": _l("Average grade"), "first": _l("First attempt"),
                  "last": _l("Last attempt")}
FORMAT_LABELS = {"markdown": _l("Markdown"), "html": _l("HTML"), "plain": _l("Plain text"),
                 "moodle": _l("Moodle auto-format")}
REVIEW_LABELS = {"score": _l("Marks and grade"), "correctness": _l("Whether each answer was right"),
                 "correct_answers": _l("The right answers"), "feedback": _l("Feedback")}
TYPE_LABELS = {
    "multichoice": _l("Single choice"), "multiresponse": _l("Multiple response"), "truefalse": _l("True/false"),
    "shortanswer": _l("Short answer"), "numerical": _l("Numerical"), "match": _l("Matching"),
    "essay": _l("Essay"), "multianswer": _l("Embedded answers (Cloze)"), "description": _l("Description"),
}
_BAND = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*[|:]\s*(.*)$")


class QuizCreateForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name"), validators=[
        DataRequired(), Length(max=80),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and hyphens."))])


def parse_bands(text: str) -> list[dict]:
    """"80 | Excellent" lines → [{"min": 80, "text": "Excellent"}]; raises ValueError."""
    bands = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        match = _BAND.match(line)
        if not match:
            raise ValueError(number)
        bands.append({"min": float(match.group(1).replace(",", ".")), "text": match.group(2).strip()})
    return bands


class QuizSettingsForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Introduction (Markdown)"), validators=[Optional(), Length(max=20000)])
    section = SelectField(_l("Section of the course"), choices=[], validate_choice=False)
    published = BooleanField(_l("Published (learners see and attempt it)"))
    attempts_allowed = IntegerField(_l("Attempts allowed (0 = unlimited)"),
                                    validators=[InputRequired(), NumberRange(0, 100)], default=0)
    grading_method = SelectField(_l("Grading method"), choices=[(m, GRADING_LABELS[m]) for m in GRADING_METHODS])
    pass_grade = DecimalField(_l("Grade to pass (%)"), validators=[InputRequired(), NumberRange(0, 100)], default=0,
                              places=None)
    time_limit_minutes = IntegerField(_l("Time limit in minutes (empty = none)"),
                                      validators=[Optional(), NumberRange(1, 24 * 60)])
    opens_at = DateTimeLocalField(_l("Opens (UTC)"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes (UTC)"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_answers = BooleanField(_l("Shuffle the answers within questions"))
    questions_per_page = IntegerField(_l("Questions per page (0 = all on one page)"),
                                      validators=[InputRequired(), NumberRange(0, 100)], default=0)
    feedback = TextAreaField(_l("Overall feedback by grade"), validators=[Optional(), Length(max=20000)])

    def validate_feedback(self, field):
        try:
            bands = parse_bands(field.data)
        except ValueError as error:
            raise ValidationError(_l("Line %(line)s: write a band as “80 | Well done!” (lowest grade in %%, "
                                     "then the feedback).", line=error.args[0])) from None
        if any(not 0 <= b["min"] <= 100 for b in bands):
            raise ValidationError(_l("Grades are percentages between 0 and 100."))

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The quiz must close after it opens."))


# One checkbox per review option and moment: review_submit_score, review_close_feedback...
for _moment in ("submit", "close"):
    for _key in REVIEW_KEYS:
        setattr(QuizSettingsForm, f"review_{_moment}_{_key}", BooleanField(REVIEW_LABELS[_key]))


class QuestionForm(HubForm):
    name = StringField(_l("Question name"), validators=[Optional(), Length(max=255)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    new_category = StringField(_l("…or a new category"), validators=[Optional(), Length(max=300)])
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=500)])
    default_mark = DecimalField(_l("Default mark"), validators=[InputRequired(), NumberRange(0, 1000)], default=1,
                                places=None)
    text_format = SelectField(_l("Text format"), choices=[(f, FORMAT_LABELS[f]) for f in TEXT_FORMATS],
                              default="markdown")
    source = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=60000)])
    general_feedback = TextAreaField(_l("General feedback"), validators=[Optional(), Length(max=20000)])
    case_sensitive = BooleanField(_l("Answers are case-sensitive"))
    response_lines = IntegerField(_l("Lines in the answer box"), validators=[Optional(), NumberRange(3, 60)],
                                  default=15)
    grader_info = TextAreaField(_l("Information for graders"), validators=[Optional(), Length(max=20000)])


class ImportForm(HubForm):
    file = FileField(_l("GIFT (.gift, .txt) or Moodle XML (.xml) file"), validators=[FileRequired()])
    category = SelectField(_l("Category for questions without $CATEGORY"), choices=[], validate_choice=False)
    new_category = StringField(_l("…or a new category"), validators=[Optional(), Length(max=300)])
    only_valid = BooleanField(_l("If the file has errors, import the valid questions anyway"))


class CategoryForm(HubForm):
    path = StringField(_l("Category (use / for a subcategory: Week 1/Ethics)"),
                       validators=[DataRequired(), Length(max=300)])


class RandomForm(HubForm):
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    count = IntegerField(_l("Number of random questions"), validators=[InputRequired(), NumberRange(1, 100)],
                         default=1)
    include_sub = BooleanField(_l("Include subcategories"))


class MarkForm(HubForm):
    mark = DecimalField(_l("Mark"), validators=[InputRequired(), NumberRange(0, 1000)], places=None)


class EssayGradeForm(HubForm):
    mark = DecimalField(_l("Mark"), validators=[InputRequired(), NumberRange(0, 1000)], places=None)
    comment = TextAreaField(_l("Comment for the learner (Markdown)"), validators=[Optional(), Length(max=20000)])


class SlotForm(HubForm):
    """Buttons on a slot (move up/down, remove): just the CSRF token."""
    slot = HiddenField()
