"""Practice forms: the one template, a reviewer's scores, a workflow step. They
validate; services act."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..courses.front_matter import LANGUAGE, SLUG
from ..forms import HubForm
from . import vocab


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def split_list(text: str | None) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()))


def parse_references(text: str | None) -> list[dict]:
    """One source per line: ``Title | https://address`` (the address may be left out)."""
    refs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        title, _sep, url = line.partition("|")
        refs.append({"title": title.strip()[:300], "url": url.strip()})
    return refs


def references_text(refs: list[dict]) -> str:
    return "\n".join(f"{r['title']} | {r['url']}" if r.get("url") else r["title"] for r in refs or [])


def _check_references(field) -> None:
    for ref in parse_references(field.data):
        if not ref["title"]:
            raise ValidationError(_l("Each line needs a title before the “|”."))
        if ref["url"] and not ref["url"].startswith(("https://", "http://")):
            raise ValidationError(_l("Addresses must start with https:// or http://."))


class PracticeForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    motto = StringField(_l("Motto"), validators=[Optional(), Length(max=200)])
    summary = StringField(_l("Summary in one line"), validators=[DataRequired(), Length(max=300)])
    country = StringField(_l("Country (two-letter code, e.g. ES)"), validators=[DataRequired(), Length(min=2, max=2)])
    region = StringField(_l("Region or city"), validators=[Optional(), Length(max=120)])
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    organisation_type = SelectField(_l("Type of organisation"), choices=list(vocab.ORGANISATION_TYPES.items()))
    partners = StringField(_l("Partners (comma-separated)"), validators=[Optional(), Length(max=1000)])
    target_groups = MultiCheckboxField(_l("Target groups"), choices=list(vocab.TARGET_GROUPS.items()),
                                       validators=[DataRequired(message=_l("Choose at least one target group."))])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=200)])
    zones = MultiCheckboxField(_l("Counselling zones"), choices=[(k, v[0]) for k, v in vocab.ZONES.items()])
    tags = StringField(_l("Approach tags (comma-separated, e.g. work-first, mentoring)"),
                       validators=[Optional(), Length(max=300)])
    start_year = IntegerField(_l("Start year"), validators=[Optional(), NumberRange(min=1900, max=2100)])
    end_year = IntegerField(_l("End year"), validators=[Optional(), NumberRange(min=1900, max=2100)])
    ongoing = BooleanField(_l("Still running"))
    funding = StringField(_l("Funding"), validators=[Optional(), Length(max=300)])
    participants_per_year = StringField(_l("Participants per year (only if a source gives it)"),
                                        validators=[Optional(), Length(max=120)])
    evaluation = SelectField(_l("Evaluation"), choices=list(vocab.EVALUATION_TYPES.items()))
    languages = StringField(_l("Languages of its material (codes, e.g. es, en)"),
                            validators=[Optional(), Length(max=100)])
    source_project = StringField(_l("Source project"), validators=[Optional(), Length(max=120)])
    sources = TextAreaField(_l("Public sources, one per line: Title | https://address"),
                            validators=[DataRequired(message=_l("Cite at least one public source.")),
                                        Length(max=5000)])
    links = TextAreaField(_l("Further links, one per line: Title | https://address"),
                          validators=[Optional(), Length(max=5000)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Contact email"), validators=[Optional(), Email(), Length(max=320)])
    contact_consent = BooleanField(_l("The contact person agreed to be shown on the practice's page"))
    description_md = TextAreaField(_l("Description (Markdown)"), validators=[DataRequired(), Length(max=50_000)])
    results_md = TextAreaField(_l("Results: figures with their source, and what they mean"),
                               validators=[Optional(), Length(max=50_000)])
    success_factors_md = TextAreaField(_l("Success factors"), validators=[Optional(), Length(max=50_000)])
    challenges_md = TextAreaField(_l("Challenges and lessons learnt"), validators=[Optional(), Length(max=50_000)])
    transferability_md = TextAreaField(_l("Transferability"), validators=[Optional(), Length(max=50_000)])

    def validate_country(self, field) -> None:
        field.data = (field.data or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", field.data):
            raise ValidationError(_l("Use the two-letter country code, like ES or DK."))

    def validate_tags(self, field) -> None:
        if any(not SLUG.match(tag.lower()) for tag in split_list(field.data)):
            raise ValidationError(_l("Tags use lower-case letters, digits and hyphens, like work-first."))

    def validate_languages(self, field) -> None:
        if any(not LANGUAGE.match(code.lower()) for code in split_list(field.data)):
            raise ValidationError(_l("Use two-letter language codes, like es, da, en."))

    def validate_end_year(self, field) -> None:
        if field.data and self.start_year.data and field.data < self.start_year.data:
            raise ValidationError(_l("The end year is before the start year."))

    def validate_sources(self, field) -> None:
        _check_references(field)

    def validate_links(self, field) -> None:
        _check_references(field)

    def values(self) -> tuple[dict, dict[str, str], dict[str, list[str]]]:
        """Column values, section Markdown (by section) and facet lists, as
        ``workflow.create``/``update`` take them."""
        from .models import LANGUAGE as LANGUAGE_FACET
        from .models import SECTIONS, TARGET_GROUP, ZONE
        from .models import TAG as TAG_FACET

        columns = {name: (getattr(self, name).data or "").strip() for name in (
            "title", "motto", "summary", "country", "region", "organisation", "sector", "funding",
            "participants_per_year", "source_project", "contact_name", "contact_email")}
        columns.update({
            "organisation_type": self.organisation_type.data, "evaluation": self.evaluation.data,
            "partners": split_list(self.partners.data), "start_year": self.start_year.data,
            "end_year": None if self.ongoing.data else self.end_year.data, "ongoing": bool(self.ongoing.data),
            "sources": parse_references(self.sources.data), "links": parse_references(self.links.data),
            "contact_consent": bool(self.contact_consent.data),
        })
        sections = {stem: self[f"{stem}_md"].data or "" for stem in SECTIONS}
        facets = {TARGET_GROUP: list(self.target_groups.data or []), ZONE: list(self.zones.data or []),
                  TAG_FACET: [t.lower() for t in split_list(self.tags.data)],
                  LANGUAGE_FACET: [c.lower() for c in split_list(self.languages.data)]}
        return columns, sections, facets

    def fill(self, practice) -> None:
        """Show a saved record in the form."""
        for name in ("title", "motto", "summary", "country", "region", "organisation", "organisation_type",
                     "sector", "start_year", "end_year", "ongoing", "funding", "participants_per_year", "evaluation",
                     "source_project", "contact_name", "contact_email", "contact_consent", "description_md",
                     "results_md", "success_factors_md", "challenges_md", "transferability_md"):
            self[name].data = getattr(practice, name)
        self.partners.data = ", ".join(practice.partners or [])
        self.target_groups.data = practice.target_groups
        self.zones.data = practice.zones
        self.tags.data = ", ".join(practice.tags)
        self.languages.data = ", ".join(practice.languages)
        self.sources.data = references_text(practice.sources)
        self.links.data = references_text(practice.links)


class OneScoreForm(Form):
    score = SelectField(_l("Score"), choices=[("", "–"), ("0", "0"), ("1", "1"), ("2", "2"), ("3", "3")],
                        validators=[DataRequired(message=_l("Give a score from 0 to 3."))])
    why = TextAreaField(_l("Why this score"), validators=[DataRequired(message=_l("Say why, in a sentence.")),
                                                         Length(max=1000)])


def score_form_class():
    """A form with one score and one reason per indicator."""
    fields = {key: FormField(OneScoreForm, label=label) for key, label in vocab.INDICATOR_LABELS.items()}
    return type("ScoreForm", (HubForm,), fields)


def weights_form_class():
    """A form with one weight (0-5) per indicator."""
    fields = {key: DecimalField(label, places=1, validators=[InputRequired(), NumberRange(min=0, max=5)])
              for key, label in vocab.INDICATOR_LABELS.items()}
    return type("WeightsForm", (HubForm,), fields)


class DocumentForm(HubForm):
    file = FileField(_l("Tool or document (PDF or image)"), validators=[FileRequired(_l("Choose a file to upload."))])
    title = StringField(_l("What it is (optional)"), validators=[Optional(), Length(max=200)])


class StepForm(HubForm):
    note = TextAreaField(_l("Comment for the submitter"), validators=[Optional(), Length(max=2000)])
