"""A newcomer works through the introduction in their own language: lessons, quiz,
certificate, mails, with nothing left in English that has a translation."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.certificates.models import Certificate
from hub.courses import content
from hub.courses.models import CourseTranslation
from hub.extensions import db
from hub.mail import OutboxMessage
from hub.quizzes.models import Attempt
from tests.web.quiz_support import token_of
from tests.web.test_certificates_pdf_badges import pdf_text

ROOT = Path(__file__).resolve().parents[2]
INTRODUCTION = ROOT / "content" / "modules" / "00-introduction"
# "Certificate of completion" in each language's catalogue: the PDF and the dashboard say it.
LANGUAGES = {"da": "Kursusbevis", "cs": "Certifikát o absolvování", "el": "Πιστοποιητικό ολοκλήρωσης",
             "it": "Certificato di completamento"}


def right_answers(attempt: Attempt, language: str) -> dict:
    """Form fields that answer every question right, as a learner who read it would."""
    fields = {}
    for response in attempt.responses:
        data, order, name = response.snapshot["data"], response.order or {}, f"q{response.position}"
        if response.qtype == "multichoice":
            right = [position for position, index in enumerate(order["answers"])
                     if float(data["answers"][index].get("fraction", 0)) > 0]
            fields[name] = [str(p) for p in right] if not data.get("single", True) else str(right[0])
        elif response.qtype == "truefalse":
            fields[name] = "true" if data.get("correct") else "false"
        elif response.qtype == "shortanswer":
            translated = response.snapshot["translations"][language]["data"]["answers"]
            fields[name] = next(a["text"] for a in translated if float(a.get("fraction", 0)) == 1).replace("*", "")
        elif response.qtype == "match":
            for stem in order["stems"]:
                fields[f"{name}_s{stem}"] = str(order["choices"].index(data["pairs"][stem]["answer"]))
    return fields


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_newcomer_takes_the_introduction_in_their_language(app, client, language):
    if not (INTRODUCTION / f"quiz.{language}.gift").exists():
        pytest.fail(f"the introduction has no quiz in {language}")
    content.import_path(INTRODUCTION)
    db.session.commit()
    certificate_word = LANGUAGES[language]
    headers = {"Accept-Language": language}

    # register and confirm, in the language
    client.post("/register", data={"display_name": "Nova Newcomer", "email": f"nova.{language}@example.org",
                                   "password": "violet ocean compass lantern", "confirm": "violet ocean compass lantern",
                                   "country": "DK", "organisation": "Jobcenter", "profession": "counsellor",
                                   "language": language}, headers=headers)
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == f"nova.{language}@example.org"))
    assert "Inclusion Hub" in mail.subject and "Confirm" not in mail.subject  # in the member's language
    client.post(re.search(r"https?://[^/\s]+(/confirm/\S+)", mail.body).group(1))

    course_title = db.session.scalar(select(CourseTranslation.title).where(CourseTranslation.language == language))
    page = html.unescape(client.get("/courses/introduction", headers=headers).get_data(as_text=True))
    assert course_title in page
    client.post("/courses/introduction/enrol")
    lessons = re.findall(r'href="(/courses/introduction/lessons/[^"?]+)"', page)
    assert len(set(lessons)) == 5
    for path in dict.fromkeys(lessons):
        lesson = client.get(path, headers=headers).get_data(as_text=True)
        assert f'<article class="lesson" lang="{language}">' in lesson
        client.post(path + "/complete")

    client.post("/courses/introduction/quizzes/introduction-quiz/start")
    attempt = db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    quiz_page = client.get(f"/quiz-attempts/{attempt.id}", headers=headers).get_data(as_text=True)
    assert "Which statement best describes" not in quiz_page  # the questions are in the language
    token = token_of(quiz_page)
    client.post(f"/quiz-attempts/{attempt.id}/save", data={"token": token, "page": "0",
                                                          **right_answers(attempt, language)})
    client.post(f"/quiz-attempts/{attempt.id}/submit", data={"token": token})
    assert db.session.get(Attempt, attempt.id).grade == 100

    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.course_title == course_title and certificate.language == language
    text = " ".join(pdf_text(client.get(f"/certificates/{certificate.id}/certificate.pdf").data).split())
    assert certificate_word in text and " ".join(course_title.split()) in text
    dashboard = html.unescape(client.get("/dashboard", headers=headers).get_data(as_text=True))
    assert course_title in dashboard
