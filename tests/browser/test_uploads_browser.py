"""A file over the attachment limit is refused in the browser before anything is sent,
and the reply typed beside it stays in the form."""
from __future__ import annotations

import pytest

from tests.web.forum_helpers import forum, seed, topic_with_replies

pytestmark = pytest.mark.browser


def test_an_oversized_attachment_is_refused_and_the_text_kept(page, browser_login, make_user, live_app):
    seed()
    topic = topic_with_replies(forum("general"), make_user(), "Sharing a leaflet")
    browser_login("learner")
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2] + f"/forum/topic/{topic.id}")
    box = page.locator("#reply-form textarea[name=body]")
    box.fill("Here is our leaflet for employers.")
    limit = int(live_app.config["FORUM_ATTACHMENT_MAX_BYTES"])
    files = page.locator("#reply-form input[type=file]")
    files.set_input_files([{"name": "leaflet.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + b"0" * limit}])
    message = files.evaluate("el => el.validationMessage")
    assert "leaflet.pdf" in message and "larger than" in message
    page.locator("#reply-form").get_by_role("button", name="Post reply").click()
    assert box.input_value() == "Here is our leaflet for employers."  # nothing was sent
    assert "/forum/topic/" in page.url
