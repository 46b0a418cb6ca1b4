"""Course forms. They validate; services act."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..forms import HubForm
from ..i18n import LANGUAGE_NAMES
from .content_parse import SLUG

SLUG_MESSAGE = _l("Use only lower-case letters, digits and single hyphens, like trauma-informed-practice.")


class EnrolForm(HubForm):
    key = PasswordField(_l("Enrolment key"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Enrol"))


def _slug_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


class CourseForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name (used in addresses)"),
                       validators=[Optional(), Length(max=80), Regexp(SLUG.pattern, message=SLUG_MESSAGE)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=1000)])
    description_md = TextAreaField(_l("Description (Markdown)"), validators=[Optional(), Length(max=100_000)])
    kind = SelectField(_l("Type"), choices=[("introduction", _l("Introduction")), ("zone", _l("Counselling zone")),
                                            ("guideline", _l("Guideline"))])
    zone = IntegerField(_l("Zone number"), validators=[Optional(), NumberRange(min=0, max=99)])
    language = SelectField(_l("Course language"), choices=sorted(LANGUAGE_NAMES.items(), key=lambda x: x[0]))
    position = IntegerField(_l("Position in the catalogue"), default=0, validators=[Optional(), NumberRange(min=0)])
    estimated_hours = FloatField(_l("Estimated hours"), default=0, validators=[Optional(), NumberRange(min=0)])
    enrolment_mode = SelectField(_l("Self-enrolment"), choices=[
        ("open", _l("Open: anyone with an account")), ("key", _l("With an enrolment key")),
        ("closed", _l("Closed: trainers enrol learners"))])
    enrolment_key = StringField(_l("Enrolment key"), validators=[Optional(), Length(max=100)])
    enrol_opens = DateField(_l("Enrolment opens on"), validators=[Optional()])
    enrol_closes = DateField(_l("Enrolment closes on"), validators=[Optional()])
    capacity = IntegerField(_l("Places (empty: no limit)"), validators=[Optional(), NumberRange(min=1)])
    completion_lessons = SelectField(_l("Lessons required for completion"),
                                     choices=[("all", _l("All lessons")), ("none", _l("None"))])
    completion_quizzes = StringField(_l("Quizzes to pass (short names, comma-separated)"),
                                     validators=[Optional(), Length(max=1000)])
    forum_posts = IntegerField(_l("Posts required in the course forum"), default=0,
                               validators=[Optional(), NumberRange(min=0, max=1000)])
    certificate_mode = SelectField(_l("Certificate"), choices=[
        ("auto", _l("Issued automatically on completion")), ("manual", _l("Issued by an administrator")),
        ("none", _l("No certificate"))])
    prerequisites = StringField(_l("Courses to complete first (short names, comma-separated)"),
                                validators=[Optional(), Length(max=1000)])
    preview = SubmitField(_l("Preview description"))
    submit = SubmitField(_l("Save course"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.enrolment_mode.data == "key" and not (self.enrolment_key.data or "").strip():
            self.enrolment_key.errors = [*self.enrolment_key.errors,
                                         _l("Give the key learners must enter, or choose open enrolment.")]
            ok = False
        return ok

    def validate_enrol_closes(self, field):
        if field.data and self.enrol_opens.data and field.data < self.enrol_opens.data:
            raise ValidationError(_l("Enrolment cannot close before it opens."))

    def validate_completion_quizzes(self, field):
        if any(not SLUG.match(s) for s in _slug_list(field.data)):
            raise ValidationError(SLUG_MESSAGE)

    def validate_prerequisites(self, field):
        if any(not SLUG.match(s) for s in _slug_list(field.data)):
            raise ValidationError(SLUG_MESSAGE)

    def values(self) -> dict:
        """Keyword arguments for authoring.create_course/update_course."""
        return dict(
            title=self.title.data.strip(), summary=(self.summary.data or "").strip(),
            description_md=self.description_md.data or "", kind=self.kind.data,
            zone=self.zone.data if self.kind.data != "guideline" else None, language=self.language.data,
            position=self.position.data or 0, estimated_hours=self.estimated_hours.data or 0,
            enrolment_mode=self.enrolment_mode.data, enrolment_key=(self.enrolment_key.data or "").strip() or None,
            enrol_opens=self.enrol_opens.data, enrol_closes=self.enrol_closes.data, capacity=self.capacity.data,
            certificate_mode=self.certificate_mode.data,
            completion={"lessons": self.completion_lessons.data, "quizzes": _slug_list(self.completion_quizzes.data),
                        "forum_posts": self.forum_posts.data or 0},
            prerequisites=_slug_list(self.prerequisites.data))

    def fill(self, course) -> None:
        for name in ("title", "summary", "description_md", "kind", "zone", "language", "position", "estimated_hours",
                     "enrolment_mode", "enrolment_key", "enrol_opens", "enrol_closes", "capacity", "certificate_mode"):
            getattr(self, name).data = getattr(course, name)
        rules = course.completion_rules or {}
        self.completion_lessons.data = rules.get("lessons", "all")
        self.completion_quizzes.data = ", ".join(rules.get("quizzes") or [])
        self.forum_posts.data = int(rules.get("forum_posts") or 0)
        self.prerequisites.data = ", ".join(course.prerequisite_slugs or [])


class ParticipantsForm(HubForm):
    addresses = TextAreaField(_l("Email addresses of members to enrol"),
                              validators=[DataRequired(), Length(max=20000)],
                              description=_l("One per line, or separated by commas. Each member is told by mail."))
    submit = SubmitField(_l("Enrol these members"))


class TrainerForm(HubForm):
    email = EmailField(_l("Email address of a trainer"), validators=[DataRequired(), Length(max=320)])
    submit = SubmitField(_l("Add trainer"))


class SectionForm(HubForm):
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Save section"))


class LessonForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name (used in addresses)"),
                       validators=[Optional(), Length(max=80), Regexp(SLUG.pattern, message=SLUG_MESSAGE)])
    section = SelectField(_l("Section"), coerce=int, choices=[])
    minutes = IntegerField(_l("Reading time in minutes (empty: estimated from the text)"),
                           validators=[Optional(), NumberRange(min=1, max=600)])
    body_md = TextAreaField(_l("Lesson text (Markdown)"), validators=[Optional(), Length(max=200_000)])
    published = BooleanField(_l("Published (visible to learners)"))
    reviewed = DateField(_l("Facts last checked on"), validators=[Optional()])
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save lesson"))

    def values(self, sections: dict) -> dict:
        return dict(title=self.title.data, body_md=self.body_md.data or "", section=sections.get(self.section.data),
                    minutes=self.minutes.data, published=bool(self.published.data), reviewed=self.reviewed.data)


class ImageForm(HubForm):
    image = FileField(_l("Image (PNG, JPEG, GIF or WebP)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload image"))


class CoverForm(HubForm):
    """The course image on the catalogue card: a file in the course's media, not a column."""
    cover = FileField(_l("Course image (PNG, JPEG, GIF or WebP)"), validators=[FileRequired()])
    submit_cover = SubmitField(_l("Upload course image"))


class ImportForm(HubForm):
    archive = FileField(_l("Course archive (.zip)"),
                        validators=[FileRequired(), FileAllowed(["zip"], _l("Choose a .zip file."))])
    submit = SubmitField(_l("Import"))


class MoodleBackupForm(HubForm):
    backup = FileField(_l("Moodle course backup (.mbz)"),
                       validators=[FileRequired(), FileAllowed(["mbz"], _l("Choose a .mbz file."))])
    submit = SubmitField(_l("Import"))
