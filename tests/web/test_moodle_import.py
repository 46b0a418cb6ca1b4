"""Importing a Moodle course backup (.mbz) from the trainers' page and the command
line: lessons, quiz, section order, images and the report; bad files refused."""
from __future__ import annotations

import io
import re

import pytest

from hub.courses.models import Course, CourseTrainer
from hub.courses.services import get_by_slug
from hub.extensions import db
from hub.quizzes import editing
from hub.quizzes.models import Question, Quiz
from tests import factories
from tests.moodle_backup_fixture import backup_files, mbz

URL = "/courses/import-moodle"


def upload(client, data: bytes, name: str = "backup-moodle2-course-se101.mbz"):
    return client.post(URL, data={"backup": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_trainer_uploads_a_backup_and_gets_the_course_and_the_report(app, client, login):
    trainer = login("trainer")
    assert "Import a Moodle course" in client.get(URL).get_data(as_text=True)
    response = upload(client, mbz(backup_files()))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    assert "Supported employment basics" in page and "unpublished" in page
    for words in ("Activity “Announcements” (forum) in “General”", "Activity “Write a plan” (assign)",
                  "Question “Wage sum”: the question type “calculated” is not supported",
                  "File “handout.pdf” in “Place, then train”: only images are imported"):
        assert words in page, words
    course = get_by_slug("se101")
    assert course is not None and not course.published and course.language == "es"
    assert db.session.scalar(db.select(CourseTrainer).where(CourseTrainer.course_id == course.id,
                                                            CourseTrainer.user_id == trainer.id))
    sections = sorted(course.sections, key=lambda s: s.position)
    assert [s.title for s in sections] == ["General", "Getting started", "Deeper"]
    lessons = sorted(course.lessons, key=lambda lesson: lesson.position)
    assert [(lesson.title, lesson.section.title, lesson.published) for lesson in lessons] == [
        ("Place, then train", "Getting started", True), ("The IPS handbook", "Deeper", False)]
    assert "<h3>Why place first</h3>" in lessons[0].body_html

    # images: stored with the course and served at the lesson's links
    links = re.findall(r'src="(/courses/se101/media/[^"]+)"', lessons[0].body_html + lessons[1].body_html)
    assert len(links) == 2
    for link in links:
        image = client.get(link)
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")

    quiz = db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id)).one()
    assert (quiz.title, quiz.section.title, quiz.pass_grade, quiz.attempts_allowed, quiz.grading_method,
            quiz.time_limit_minutes, quiz.shuffle_questions, quiz.shuffle_answers) == (
        "Check your understanding", "Deeper", 60.0, 3, "average", 21, True, False)
    slots = [(s.question.name if s.question else f"random {s.random_category.path}", s.mark) for s in quiz.slots]
    assert slots == [("Place then train", 2.0), ("Gaps", 1.0), ("random Default for SE101/Pool", 0.5),
                     ("random Default for SE101/Pool", 0.5), ("Rapid job search", 1.0)]
    assert editing.total_marks(quiz) == 5.0
    gaps = db.session.scalars(db.select(Question).where(Question.name == "Gaps")).one()
    assert (gaps.qtype, gaps.default_mark, len(gaps.data["parts"])) == ("multianswer", 2.0, 2)
    names = set(db.session.scalars(db.select(Question.name).where(Question.course_id == course.id)))
    assert {"Acronym", "Principles", "Roles", "Reflect", "Pool question 3"} <= names and "Wage sum" not in names
    picture = db.session.scalars(db.select(Question).where(Question.name == "Place then train")).one()
    link = re.search(r'src="(/courses/se101/media/[^"]+)"', picture.text_html)
    assert link and client.get(link.group(1)).status_code == 200

    response = client.get("/courses/se101/author")
    assert response.status_code == 200 and "Place, then train" in response.get_data(as_text=True)


def test_importing_the_same_backup_again_updates_the_course(app, client, login):
    login("trainer")
    assert upload(client, mbz(backup_files())).status_code == 200
    assert upload(client, mbz(backup_files())).status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 1
    quiz = db.session.scalars(db.select(Quiz)).one()
    assert len(quiz.slots) == 5


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"PK\x03\x04 broken", "x.mbz", "the zip archive is damaged"),
    (b"hello", "x.mbz", "not a Moodle backup (.mbz)"),
    (mbz({**backup_files(), "questions.xml": b"<question_categories><oops>"}), "x.mbz",
     "questions.xml is not valid XML"),
    (mbz(backup_files()), "x.zip", "Choose a .mbz file."),
])
def test_bad_uploads_get_a_clear_error_and_change_nothing(app, client, login, data, name, words):
    login("trainer")
    response = upload(client, data, name)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Course)) == 0


def test_oversized_backups_are_refused(make_app, tmp_path):
    app = make_app(MOODLE_BACKUP_MAX_BYTES=256 * 1024)
    client = app.test_client()
    with app.app_context():
        user = factories.make_member("trainer", email="big@example.org")
        email = user.email
    from tests.conftest import TEST_PASSWORD
    client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    bomb = mbz({**backup_files(), "files/00/big": bytes(1024 * 1024)})
    response = upload(client, bomb)
    assert response.status_code == 400 and "the backup unpacks to more than 0.25 MB" in response.get_data(as_text=True)


def test_a_course_of_another_trainer_is_not_overwritten(app, client, login):
    factories.make_course("se101", title="Someone else's")
    login("trainer")
    response = upload(client, mbz(backup_files()))
    assert response.status_code == 400 and "you are not one of its trainers" in response.get_data(as_text=True)
    assert get_by_slug("se101").title == "Someone else's"


def test_learners_cannot_import(app, client, login):
    login("learner")
    assert client.get(URL).status_code == 403
    assert upload(client, mbz(backup_files())).status_code == 403


def test_cli_imports_a_backup_and_prints_the_report(app, runner, tmp_path):
    path = tmp_path / "se101.mbz"
    path.write_bytes(mbz(backup_files()))
    result = runner.invoke(args=["content", "import-mbz", str(path), "--slug", "ips-basics"])
    assert result.exit_code == 0, result.output
    assert "Imported “Supported employment basics” as ips-basics (unpublished)" in result.output
    assert "Not imported: forum activity “Announcements” (General): not converted" in result.output
    assert get_by_slug("ips-basics") is not None
    broken = tmp_path / "broken.mbz"
    broken.write_bytes(b"nothing")
    result = runner.invoke(args=["content", "import-mbz", str(broken)])
    assert result.exit_code == 1 and "not a Moodle backup (.mbz)" in result.output
