"""Forum forms: they validate; services act."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import HubForm
from ..i18n import LANGUAGE_NAMES
from .models import EMAIL_MODES, FLAG_REASONS, FORUM_KINDS

KIND_LABELS = {"standard": _l("Standard discussion"), "qa": _l("Questions and answers"),
               "announcements": _l("Announcements")}
EMAIL_LABELS = {"off": _l("No email"), "immediate": _l("Email each post at once"),
                "digest": _l("One daily digest email")}
FLAG_LABELS = {"spam": _l("Spam or advertising"), "offensive": _l("Offensive or disrespectful"),
               "personal_data": _l("Identifies a client or shares personal data"),
               "off_topic": _l("Off topic"), "other": _l("Something else")}
# What a moderator did, in the past tense, as a line of the moderation log.
ACTION_LABELS = {"pin": lazy_pgettext("moderation log", "Pinned a topic"),
                 "unpin": lazy_pgettext("moderation log", "Unpinned a topic"),
                 "lock": lazy_pgettext("moderation log", "Locked a topic"),
                 "unlock": lazy_pgettext("moderation log", "Unlocked a topic"),
                 "move": lazy_pgettext("moderation log", "Moved a topic"),
                 "split": lazy_pgettext("moderation log", "Split replies into a new topic"),
                 "hide": lazy_pgettext("moderation log", "Hid a post"),
                 "restore": lazy_pgettext("moderation log", "Restored a post"),
                 "dismiss_flags": lazy_pgettext("moderation log", "Dismissed the flags on a post"),
                 "suspend": lazy_pgettext("moderation log", "Suspended a member"),
                 "lift_suspension": lazy_pgettext("moderation log", "Lifted a member's suspension")}
SORT_LABELS = {"activity": _l("Latest activity"), "newest": _l("Newest topics"), "replies": _l("Most replies")}


def language_choices():
    """"Detect from the text" first (the default of a new post), then the languages."""
    return [("auto", _l("Detect from the text"))] + sorted(LANGUAGE_NAMES.items(), key=lambda item: item[1])


class PostForm(HubForm):
    """New topic, reply and edit. The title is only used (and required) for topics."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(message=_l("Write something before posting.")),
                                                    Length(max=20000)])
    language = SelectField(_l("Language of your post"), choices=language_choices(), validators=[DataRequired()])
    attachments = MultipleFileField(_l("Attach images or PDF files"))
    draft = HiddenField()
    submission = HiddenField()  # one key per form shown: a retried submission is recognised


class FlagForm(HubForm):
    reason = SelectField(_l("Why should a moderator look at this post?"),
                         choices=[(r, FLAG_LABELS[r]) for r in FLAG_REASONS], validators=[DataRequired()])
    details = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=1000)])


class HideForm(HubForm):
    reason = StringField(_l("Reason (shown to the author and moderators)"), validators=[Optional(), Length(max=300)])


class SuspendForm(HubForm):
    until = DateField(_l("Suspended until (the member can post again from this day)"),
                      validators=[DataRequired(message=_l("Choose the day the suspension ends."))])
    reason = TextAreaField(_l("Reason (shown to the member)"),
                           validators=[DataRequired(message=_l("Say why: the member sees the reason.")),
                                       Length(max=300)])


class MoveForm(HubForm):
    forum = SelectField(_l("Move to forum"), coerce=int, validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SplitForm(HubForm):
    posts = MultiCheckboxField(_l("Replies to move"), coerce=int)
    title = StringField(_l("Title of the new topic"), validators=[DataRequired(), Length(max=200)])
    forum = SelectField(_l("Forum of the new topic"), coerce=int, validators=[DataRequired()])


class CategoryForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class ForumForm(HubForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Address"), validators=[DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    category_id = SelectField(_l("Category"), coerce=int)
    kind = SelectField(_l("Type"), choices=[(k, KIND_LABELS[k]) for k in FORUM_KINDS])
    qa_post_first = BooleanField(_l("Q&A: learners see the other replies only after posting their own"))
    case_discussion = BooleanField(_l("Case discussions: remind members to anonymise clients"))


class SettingsForm(HubForm):
    email_enabled = BooleanField(_l("Send me forum email"))
    email_mode = SelectField(_l("Email for mentions, announcements and new subscriptions"),
                             choices=[(m, EMAIL_LABELS[m]) for m in EMAIL_MODES])
    auto_subscribe = BooleanField(_l("Follow the topics I write in"))


class SubscribeForm(HubForm):
    email_mode = SelectField(_l("Email"), choices=[(m, EMAIL_LABELS[m]) for m in EMAIL_MODES])
