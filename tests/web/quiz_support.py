"""Helpers for the quiz tests: a course with an enrolled learner and a quiz built from GIFT."""
from __future__ import annotations

import re

from hub.courses.models import Course, Enrolment
from hub.extensions import db
from hub.quizzes import bank, editing, gift
from tests import factories

SAMPLE_GIFT = """\
::Capital::What is the capital of France?{
=Paris#Yes, Paris.
~Lyon#No, Lyon is the third city.
~Marseille#No.
####Paris has been the capital for centuries.
}

::Sun::The sun rises in the east.{TRUE#No, it does.#Right.}

::Two::Two plus two equals {=four =4#Digits work too.}.

::Pi::What is pi to two decimals?{#3.14:0.005}

::Pairs::Match the countries and capitals.{
=Canada -> Ottawa
=Italy -> Rome
=Japan -> Tokyo
}
"""


def make_course(slug: str = "course-one", published: bool = True, trainer=None) -> Course:
    return factories.make_course(slug, published=published, trainers=[trainer] if trainer is not None else (),
                                 rules={"lessons": "all", "quizzes": ["final-quiz"], "forum_posts": 0})


def enrol(user, course, status: str = "active") -> None:
    db.session.add(Enrolment(user_id=user.id, course_id=course.id, status=status))
    db.session.commit()


def make_quiz(course, source: str = SAMPLE_GIFT, slug: str = "final-quiz", **settings):
    result = gift.parse(source)
    assert result.ok, result.errors
    quiz = editing.create_quiz(course, slug, "Final quiz")
    outcome = bank.import_questions(course, result, default_category=slug)
    for question in outcome.saved:
        editing.add_question(quiz, question)
    values = {"published": True, "shuffle_answers": False, **settings}
    editing.apply_settings(quiz, values, {s.slug: s for s in course.sections})
    db.session.commit()
    return quiz


def token_of(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no attempt token in the page"
    return match.group(1)


def quiz_url(course, quiz, suffix: str = "") -> str:
    return f"/courses/{course.slug}/quizzes/{quiz.slug}{suffix}"
