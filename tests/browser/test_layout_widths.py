"""Every main page fits a phone (390 px) and a desktop (1366 px) without sideways
scrolling: wide tables scroll inside their own box, forms and toolbars wrap. Each
page is also saved as a full-page screenshot at both widths, in $HUB_TEST_ARTIFACTS
(default: the test's temporary folder), for people to look at.

The site is seeded with the shipped introduction course (tables, matching questions),
the shipped good-practice library, a busy forum thread, certificates and a course of
forty learners, and each page is seen by the role that uses it."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hub.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.course_helpers import import_folder

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 390, 1366
CONTENT = Path(__file__).resolve().parents[2] / "content"
LONG = "Counselling-and-employer-engagement-for-newly-arrived-refugees-in-rural-municipalities"

# What overflows: the innermost elements that stick out past the viewport's right edge
# (outside any box that scrolls or clips them), to name the culprit in a failure.
OVERFLOWING = """(width) => {
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5 && el.getBoundingClientRect().width > 0;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (/auto|scroll|hidden|clip/.test(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || clipped(el) || Array.from(el.children).some(sticksOut)) continue;
    const name = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const parent = el.parentElement ? el.parentElement.tagName.toLowerCase() + '.' + el.parentElement.className : '';
    out.push(parent + ' > ' + name + ' “' + (el.textContent || '').trim().slice(0, 30) + '” → '
             + Math.round(el.getBoundingClientRect().right) + 'px');
  }
  return out.slice(0, 6);
}"""


def artifacts_dir(tmp_path: Path) -> Path:
    """$HUB_TEST_ARTIFACTS/layout (CI keeps that folder), else the test's own tmp folder."""
    root = Path(os.environ["HUB_TEST_ARTIFACTS"]) if os.environ.get("HUB_TEST_ARTIFACTS") else tmp_path
    folder = root / "layout"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def seed_site(make_user) -> dict:
    """The data every page needs, committed; returns the addresses and the people."""
    from hub.certificates import services as certificates
    from hub.commands import import_site_content
    from hub.courses import enrolment as enrolments
    from hub.courses.models import Lesson
    from hub.practices.models import Practice
    from hub.quizzes import attempts
    from hub.quizzes.models import Quiz
    from tests import factories
    from tests.web.forum_helpers import forum, seed, topic_with_replies

    import_site_content(echo=lambda *args: None)
    course = import_folder(CONTENT / "modules" / "00-introduction")
    seed()
    learner = make_user("learner", display_name="Lena Learner-Konstantinopoulou", organisation=LONG)
    trainer = make_user("trainer", display_name="Tomás Trainer")
    moderator = make_user("moderator", display_name="Mona Moderator")
    admin = make_user("admin", display_name="Ada Admin")
    factories.name_trainer(course, trainer)

    enrolments.enrol(learner, course)
    lessons = sorted((x for x in course.lessons if x.archived_at is None), key=lambda x: (x.section_id or 0, x.position))
    for lesson in lessons:
        enrolments.complete_lesson(learner, lesson)
    for n in range(40):  # the report's many learners, each somewhere along the course
        member = factories.make_member("learner", display_name=f"Learner {n:02d} {LONG[:30]}",
                                       email=f"many{n}@example.org")
        enrolments.enrol(member, course)
        for lesson in lessons[:n % (len(lessons) + 1)]:
            enrolments.complete_lesson(member, lesson)
    db.session.commit()

    quiz = db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id)).first()
    finished, _ = attempts.start_attempt(learner, quiz)
    db.session.flush()
    attempts.finish_attempt(finished)
    db.session.commit()
    current, _ = attempts.start_attempt(learner, quiz)
    db.session.commit()
    matching_page = next(r.page for r in current.responses if r.qtype == "match")

    certificates.issue_if_missing(learner, course)
    other = factories.make_course(f"certified-{LONG.lower()[:40]}", title=f"A very long course title: {LONG}",
                                  lessons=1, enrolled=[learner])
    certificates.issue(learner, other)
    db.session.commit()

    replies = [(learner, f"We tried this in {LONG} and wrote it up: https://example.org/{LONG}/{LONG}"),
               (trainer, "| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n" + f"| {LONG} | 2 | 3 | 4 | 5 | 6 |\n"),
               (admin, "```\n" + "x" * 200 + "\n```")]
    topic = topic_with_replies(forum("general"), learner, f"Job taster days in {LONG}", replies=replies)
    practice = db.session.scalars(db.select(Practice).where(Practice.status == "published")).first()
    table_lesson = next(x for x in lessons if "<table" in x.body_html)
    db.session.commit()
    assert db.session.get(Lesson, table_lesson.id) is not None
    return {
        "people": {"learner": learner.email, "trainer": trainer.email, "moderator": moderator.email,
                   "admin": admin.email},
        "pages": [
            ("learner", "home", "/", "h1"),
            ("learner", "catalogue", "/courses/", ".course-card"),
            ("learner", "course", f"/courses/{course.slug}", ".outline-item"),
            ("learner", "lesson-with-table", f"/courses/{course.slug}/lessons/{table_lesson.slug}", ".prose table"),
            ("learner", "quiz-matching", f"/quiz-attempts/{current.id}?page={matching_page}", ".match-table select"),
            ("learner", "quiz-review", f"/quiz-attempts/{finished.id}/review", ".review-summary"),
            ("learner", "dashboard", "/dashboard", "table.certificates"),
            ("learner", "forum-index", "/forum/", "table.forum-table"),
            ("learner", "topic-list", "/forum/f/general", "table.topic-table"),
            ("learner", "practices", "/practices/", ".practice-card"),
            ("learner", "practice", f"/practices/{practice.slug}", "h1"),
            ("learner", "search", "/search?q=employer", ".search-results li"),
            ("learner", "profile", "/account", "form"),
            ("learner", "settings", "/forum/settings", "form"),
            ("moderator", "thread-moderator", f"/forum/topic/{topic.id}", ".moderator-tools"),
            ("trainer", "question-bank", f"/courses/{course.slug}/questions", "table"),
            ("trainer", "course-report", f"/progress/{course.slug}/report", ".report-matrix"),
            ("trainer", "course-settings", f"/courses/{course.slug}/settings", "form"),
            ("admin", "admin-users", "/admin/users", "table"),
        ],
    }


def new_page(browser, live_url: str, width: int):
    context = browser.new_context(base_url=live_url, locale="en-GB", viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_url)
                  else route.abort())
    return context, context.new_page()


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["phone-390", "desktop-1366"])
def test_no_page_scrolls_sideways(width, browser, live_url, make_user, tmp_path):
    site = seed_site(make_user)
    shots = artifacts_dir(tmp_path) / str(width)
    shots.mkdir(exist_ok=True)
    too_wide: dict[str, tuple[int, list[str]]] = {}
    for role in ("learner", "moderator", "trainer", "admin"):
        context, page = new_page(browser, live_url, width)
        log_in(page, site["people"][role])
        for page_role, name, path, must_show in site["pages"]:
            if page_role != role:
                continue
            response = page.goto(path)
            assert response is not None and response.status == 200, (name, path, response and response.status)
            expect(page.locator(must_show).first).to_be_attached()  # the page shows what it is here for
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[name] = (scroll_width, page.evaluate(OVERFLOWING, width))
        context.close()
    assert too_wide == {}, f"pages wider than {width} px (screenshots in {shots}): {too_wide}"


def test_wide_tables_scroll_in_a_focusable_named_box(browser, live_url, make_user):
    """Keyboard users scroll a wide table's box with the arrow keys once it has focus,
    and screen readers name the box: the report's (in the markup) and a lesson's
    Markdown table (given its box by hub.js)."""
    site = seed_site(make_user)
    paths = {name: path for _, name, path, _ in site["pages"]}
    context, page = new_page(browser, live_url, PHONE)
    log_in(page, site["people"]["trainer"])
    for path, selector, name in ((paths["course-report"], ".table-wrap",
                                  "Learners and their progress in each required item"),
                                 (paths["lesson-with-table"], ".prose .table-scroll", "Six groups, one shared situation")):
        page.goto(path)
        box = page.locator(selector).first
        expect(box).to_have_attribute("tabindex", "0")
        expect(box).to_have_attribute("role", "region")
        expect(page.get_by_role("region", name=name).first).to_be_visible()
        assert box.evaluate("el => el.scrollWidth > el.clientWidth"), path
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())
    context.close()


def test_learner_takes_a_quiz_on_a_phone(browser, live_url, make_user, tmp_path):
    """Start to review at 390 px: every question answerable, matching drop-downs
    inside the screen, no sideways scrolling on any step."""
    from hub.courses import enrolment as enrolments

    course = import_folder(CONTENT / "modules" / "00-introduction")
    learner = make_user("learner", display_name="Pia Phone")
    enrolments.enrol(learner, course)
    db.session.commit()
    context, page = new_page(browser, live_url, PHONE)
    log_in(page, learner.email)

    def fits() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, page.evaluate(OVERFLOWING, PHONE)

    page.goto(f"/courses/{course.slug}")
    page.get_by_role("link", name="Check your understanding").first.click()
    page.wait_for_url(re.compile(r"/quizzes/"))
    fits()
    page.get_by_role("button", name=re.compile("Attempt quiz")).click()
    page.wait_for_url(re.compile(r"/quiz-attempts/\d+"))
    seen_matching = False
    for _ in range(30):
        fits()
        for group in page.locator("fieldset.answer-options").all():
            radios = group.locator("input[type=radio]")
            if radios.count():
                radios.first.check()
        for select in page.locator(".match-table select, select.match-select").all():
            seen_matching = True
            box = select.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, box
            select.select_option(index=1)
        for field in page.locator(".question input[type=text]").all():
            field.fill("4")
        next_button = page.get_by_role("button", name=re.compile(r"^Next page"))
        if next_button.count() == 0:
            break
        with page.expect_navigation():
            next_button.first.click()
    assert seen_matching, "the shipped quiz has matching questions"
    page.get_by_role("button", name=re.compile("Finish attempt")).first.click()
    page.wait_for_url("**/summary")
    fits()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit all and finish").click()
    page.wait_for_url(re.compile(r"/review"))
    fits()
    expect(page.locator(".review-summary")).to_be_visible()
    assert page.locator(".match-table").count() > 0  # the review shows the matching answers, stacked too
    page.screenshot(path=str(artifacts_dir(tmp_path) / "quiz-on-a-phone-review.png"), full_page=True)
    context.close()
