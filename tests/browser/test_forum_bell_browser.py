"""The notification bell's drop-down in Chromium: it opens on a click or the keyboard,
lists new replies grouped per topic, closes on Escape with the focus back on the
bell, and its group link leads to the first new reply. Also the thread's numbered
pages and "go to post number", used as a reader would."""
from __future__ import annotations

import re

import pytest

from hub.extensions import db
from hub.forum import services
from tests.web.forum_helpers import forum, posts_of, seed, topic_with_replies

pytestmark = pytest.mark.browser


def test_the_bell_opens_grouped_notifications(page, browser_login, make_user, axe_check):
    from playwright.sync_api import expect

    seed()
    ana, ben = make_user(display_name="Ana Costa"), make_user(display_name="Ben Okafor")
    reader = browser_login("learner", display_name="Kim Larsen")
    db.session.commit()  # end the read snapshot: the server wrote the login since
    topic = topic_with_replies(forum("general"), reader, "Job fairs in spring")
    for author, body in ((ana, "We go every year."), (ben, "Bring CVs in two languages."),
                         (ana, "And a translator.")):
        services.reply(topic, author, body, "en")
    other = topic_with_replies(forum("general"), ana, "Language cafés")
    services.reply(other, ben, "What do you think, @[Kim Larsen]?", "en")
    db.session.commit()

    page.goto("/forum/")
    bell = page.get_by_role("button", name="Notifications: 4 unread")
    expect(bell).to_have_attribute("aria-expanded", "false")
    panel = page.locator("#bell-panel")
    expect(panel).to_be_hidden()

    bell.click()
    expect(bell).to_have_attribute("aria-expanded", "true")
    group = panel.get_by_role("link", name="3 new replies in “Job fairs in spring”")
    expect(group).to_be_visible()
    expect(panel.get_by_role("link", name="Ben Okafor mentioned you in “Language cafés”")).to_be_visible()
    expect(panel.get_by_role("link", name="See all notifications")).to_be_visible()
    assert axe_check() == []

    # the keyboard: Escape closes and gives the focus back; Enter opens; Tab walks the list
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_have_attribute("aria-expanded", "false")
    expect(bell).to_be_focused()
    page.keyboard.press("Enter")
    expect(group).to_be_visible()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_be_focused()

    # a click elsewhere closes it too; the group leads to the first of the new replies
    bell.click()
    expect(group).to_be_visible()
    page.locator("h1").click()
    expect(panel).to_be_hidden()
    bell.click()
    group.click()
    first_new = posts_of(topic.id)[1]
    page.wait_for_url(re.compile(rf"/forum/topic/{topic.id}#post-{first_new.id}$"))
    expect(page.get_by_role("button", name="Notifications: 1 unread")).to_be_visible()
    assert page.js_errors == []


def test_without_javascript_the_bell_is_a_link(browser, live_url, make_user):
    from playwright.sync_api import expect

    from tests.conftest import TEST_PASSWORD

    member = make_user()
    context = browser.new_context(base_url=live_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        link = page.get_by_role("link", name="Notifications")
        expect(link).to_have_attribute("href", "/forum/notifications")
        link.click()
        page.wait_for_url("**/forum/notifications")
    finally:
        context.close()


def test_numbered_pages_and_going_to_a_post_number(page, live_app, browser_login, make_user, axe_check):
    from playwright.sync_api import expect

    seed()
    live_app.config["FORUM_POSTS_PER_PAGE"] = 3
    writer = make_user(display_name="Ana Costa")
    topic = topic_with_replies(forum("general"), writer, "A long thread",
                               replies=[(writer, f"Reply {n}") for n in range(2, 21)])
    browser_login("learner")
    page.goto(f"/forum/topic/{topic.id}?page=4")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.locator("[aria-current=page]")).to_have_text("4")
    expect(pages.get_by_role("link", name="Page 6")).to_be_visible()
    expect(pages.get_by_role("link", name="Page 1")).to_have_count(0)  # behind "First" and the ellipsis
    assert axe_check() == []
    pages.get_by_role("link", name="Last").click()
    expect(page.get_by_role("navigation", name="Pages").locator("[aria-current=page]")).to_have_text("7")

    page.get_by_label("Go to post number").fill("8")
    page.keyboard.press("Enter")
    eighth = posts_of(topic.id)[7]
    page.wait_for_url(re.compile(rf"/forum/topic/{topic.id}\?page=3#post-{eighth.id}$"))
    expect(page.locator(f"#post-{eighth.id}")).to_contain_text("Reply 8")
    assert page.js_errors == []
