"""A member starts a topic, quotes a colleague's post into a reply and mentions
her with the @ helper, in Chromium."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.forum.models import Notification
from tests.web.forum_helpers import forum, posts_of, seed, topic_with_replies

pytestmark = pytest.mark.browser


def test_member_posts_quotes_and_mentions(page, browser_login, make_user, axe_check):
    from playwright.sync_api import expect

    seed()
    maria = make_user(display_name="Maria Jensen", organisation="Jobcenter Aarhus")
    topic = topic_with_replies(forum("general"), maria, "Job taster days",
                               replies=[(maria, "We run **job taster days** with local employers.")])
    quoted = posts_of(topic.id)[1]
    kim = browser_login("learner", display_name="Kim Larsen")

    # a new topic of her own
    page.get_by_role("link", name="Forum").click()
    assert axe_check() == []
    page.get_by_role("link", name="General discussion").click()
    page.get_by_role("link", name="New topic").click()
    page.get_by_label("Title").fill("Mentoring after placement")
    page.get_by_label("Message").fill("How long do you *follow up* after a placement?")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview em", has_text="follow up")).to_be_visible()
    assert page.get_by_label("Title").input_value() == "Mentoring after placement"
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    expect(page.get_by_role("heading", name="Mentoring after placement")).to_be_visible()

    # quote Maria's post into the reply box and mention her
    page.get_by_role("link", name="General discussion").click()
    page.get_by_role("link", name="Job taster days").click()
    assert axe_check() == []
    page.locator(f"#post-{quoted.id}").get_by_role("link", name="Quote").click()
    box = page.locator("#reply-form textarea[name=body]")
    page.wait_for_function("() => document.querySelector('#reply-form textarea').value.includes('wrote:')")
    assert f"[Maria Jensen](/forum/post/{quoted.id}) wrote:" in box.input_value()
    box.press("End")
    box.press_sequentially("Thank you! @Mar")
    option = page.get_by_role("option", name="Maria Jensen")
    option.wait_for()
    box.press("Enter")
    assert box.input_value().endswith("Thank you! @[Maria Jensen] ")
    box.press_sequentially("how do employers react?")
    page.locator("#reply-form").get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()

    reply = page.locator("article.post").last
    assert reply.locator("blockquote a", has_text="Maria Jensen").get_attribute("href") == f"/forum/post/{quoted.id}"
    expect(reply.locator("blockquote strong", has_text="job taster days")).to_be_visible()
    mention = reply.get_by_role("link", name="@Maria Jensen")
    assert mention.get_attribute("href") == f"/forum/members/{maria.id}"
    assert axe_check() == []
    assert page.js_errors == []

    db.session.commit()  # end the test's read snapshot: the server wrote since
    kinds = dict(db.session.execute(select(Notification.user_id, Notification.kind)
                                    .where(Notification.topic_id == topic.id)).all())
    assert kinds.get(maria.id) == "mention"
    assert kim.id not in kinds


def test_forum_pages_pass_accessibility_checks(page, browser_login, make_user, axe_check):
    seed()
    writer = make_user(display_name="Writer")
    topic = topic_with_replies(forum("case-discussions"), writer, "A case", replies=[(writer, "A reply")])
    browser_login("admin")
    problems = {}
    for path in ("/forum/", "/forum/f/case-discussions", "/forum/f/case-discussions/new", f"/forum/topic/{topic.id}",
                 f"/forum/post/{posts_of(topic.id)[1].id}/flag", f"/forum/topic/{topic.id}/split",
                 "/forum/moderation", "/forum/moderation/log", "/forum/notifications", "/forum/settings",
                 "/forum/manage", "/forum/manage/forums/new", f"/forum/members/{writer.id}",
                 f"/forum/members/{writer.id}/suspend", "/account", "/admin/users"):
        page.goto(path)
        found = axe_check()
        if found:
            problems[path] = found
    assert problems == {}
    assert page.js_errors == []
