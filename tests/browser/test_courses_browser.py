"""In Chromium: a trainer writes a lesson with the server-rendered preview and
publishes it; a learner enrols, reads it and marks it complete."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hub.courses.models import Course
from hub.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.course_helpers import import_folder, write_course

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_course(live_app, tmp_path):
    with live_app.app_context():
        course = import_folder(write_course(tmp_path / "content", "demo", title="Demo course"))
        course_id = course.id
    return course_id


def log_out(page, name):
    page.locator("summary", has_text=name).click()
    page.get_by_role("button", name="Log out").click()


def test_trainer_writes_a_lesson_and_a_learner_completes_it(page, browser_login, make_user, demo_course, axe_check):
    # Both members exist before the server writes anything: this thread must not
    # write again after reading (its SQLite snapshot would be stale).
    learner_email = make_user("learner", display_name="Lena Learner").email
    browser_login("trainer", display_name="Tomás Trainer", trains=[db.session.get(Course, demo_course)])
    page.goto("/courses/demo/author")
    assert axe_check() == []
    section = page.locator("section.author-section", has_text="Practice")
    section.get_by_role("link", name="Add a lesson here").click()
    page.get_by_label("Title").fill("Interview guide")
    page.get_by_label("Lesson text (Markdown)").fill(
        "## Opening questions\n\n1. What work have you done?\n2. What do you want to learn?\n\n"
        "!!! tip \"Listen first\"\n    Let the client talk.\n\n<script>window.hacked = true</script>")

    # the preview comes from the server without leaving the page (JS enhancement)
    url_before = page.url
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".preview-output")
    preview.locator("h2", has_text="Opening questions").wait_for()
    assert preview.locator(".admonition.tip").count() == 1
    assert page.url == url_before
    assert page.evaluate("window.hacked === undefined")
    assert axe_check() == []

    page.get_by_label("Published (visible to learners)").check()
    page.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_text("Lesson saved.")).to_be_visible()
    page.get_by_role("link", name="View the lesson").click()
    expect(page.get_by_role("heading", name="Interview guide", level=1)).to_be_visible()
    log_out(page, "Tomás Trainer")

    page.goto("/login")
    page.get_by_label("Email").fill(learner_email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/courses/demo")
    assert axe_check() == []
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_text("You are enrolled in “Demo course”")).to_be_visible()
    page.get_by_role("link", name="Interview guide").click()
    expect(page.get_by_role("heading", name="Opening questions")).to_be_visible()
    expect(page.locator(".prose .admonition.tip")).to_be_visible()
    expect(page.get_by_text("1 min read")).to_be_visible()
    assert axe_check() == []
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_text("Lesson marked as complete.")).to_be_visible()
    item = page.locator("li.outline-item", has_text="Interview guide")
    expect(item.get_by_text("Done")).to_be_visible()
    assert page.evaluate("window.hacked === undefined")
    assert page.js_errors == []
    log_out(page, "Lena Learner")


def test_course_index_beside_the_lesson(page, browser_login, demo_course, axe_check):
    """Open beside the text on a desktop, folded above it on a phone (a <details>):
    sections, the current lesson, done marks, and previous/next at top and bottom."""
    browser_login("learner", display_name="Lena Learner")
    page.goto("/courses/demo")
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_text("You are enrolled in “Demo course”")).to_be_visible()

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/courses/demo/lessons/first-steps")
    index = page.get_by_role("navigation", name="Course contents")
    expect(index.locator("details")).to_have_attribute("open", "")
    expect(index.get_by_role("link", name="First steps")).to_have_attribute("aria-current", "page")
    expect(index.get_by_text("0 of 3 lessons done")).to_be_visible()
    expect(index.get_by_text("Practice", exact=True)).to_be_visible()
    assert page.get_by_role("navigation", name="Previous and next lessons").get_by_role("link").count() == 1
    assert axe_check() == []
    page.get_by_role("button", name="Mark as complete").click()
    page.wait_for_url("**/lessons/going-further")
    expect(index.get_by_text("1 of 3 lessons done")).to_be_visible()
    expect(index.get_by_role("link", name="First steps (done)")).to_be_visible()
    expect(index.get_by_role("link", name="Going further (not done yet)")).to_have_attribute("aria-current", "page")

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/courses/demo/lessons/going-further")
    wrap_up = index.get_by_role("link", name="Wrap-up (not done yet)")
    expect(wrap_up).to_be_hidden()  # folded on a phone
    index.locator("summary").click()
    expect(wrap_up).to_be_visible()
    assert axe_check() == []
    wrap_up.click()
    page.wait_for_url("**/lessons/wrap-up")
    top = page.get_by_role("navigation", name="Previous and next lessons")
    expect(top.get_by_role("link", name="Previous: Going further")).to_be_visible()
    bottom = page.get_by_role("navigation", name="Lessons", exact=True)
    expect(bottom.get_by_role("link", name="Previous: Going further")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []
