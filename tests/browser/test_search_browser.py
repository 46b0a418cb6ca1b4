"""A member posts a reply and finds it again through the search box in the header,
in Chromium; the results page passes axe."""
from __future__ import annotations

import pytest

from tests.web.forum_helpers import forum, seed, topic_with_replies

pytestmark = pytest.mark.browser


def test_member_finds_her_reply_through_the_header_box(page, browser_login, make_user, axe_check):
    from playwright.sync_api import expect

    seed()
    topic_with_replies(forum("general"), make_user(display_name="Maria Jensen"), "Job taster days")
    browser_login("learner", display_name="Kim Larsen")
    page.get_by_role("link", name="Forum").click()
    page.get_by_role("link", name="General discussion").click()
    page.get_by_role("link", name="Job taster days").click()
    page.locator("#reply-form textarea[name=body]").fill("Our *kvindenetværk* meets employers every Thursday.")
    page.locator("#reply-form").get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()

    box = page.get_by_role("search").first.get_by_label("Search the hub")
    box.fill("kvindenetvaerk")  # typed without the æ
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    hit = page.locator(".search-results li").first
    expect(hit.locator("mark", has_text="kvindenetværk")).to_be_visible()
    assert axe_check() == []
    hit.get_by_role("link", name="Job taster days").click()
    expect(page.get_by_text("meets employers every Thursday")).to_be_visible()

    # a misspelling is offered a correction that finds it
    box = page.get_by_role("search").first.get_by_label("Search the hub")
    box.fill("kvindenetvrk")
    box.press("Enter")
    page.get_by_role("link", name="kvindenetværk").click()
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
