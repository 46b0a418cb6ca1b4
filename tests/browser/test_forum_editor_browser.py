"""The post editor in Chromium: the toolbar formats the selection, the preview
follows the text without a reload, a dropped image lands in the attachments with
its reference in the text, and "Quote" quotes just the selected part of a post."""
from __future__ import annotations

import base64

import pytest

from tests.web.forum_helpers import forum, posts_of, seed, topic_with_replies

pytestmark = pytest.mark.browser

PNG = base64.b64encode(
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
).decode()


def _select(page, box, start: int, end: int) -> None:
    box.evaluate(f"el => {{ el.focus(); el.setSelectionRange({start}, {end}); }}")


def test_toolbar_formats_and_preview_follows_the_text(page, browser_login, axe_check):
    from playwright.sync_api import expect

    seed()
    browser_login("learner")
    page.goto("/forum/f/general/new")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_visible()
    box = page.get_by_label("Message")
    box.fill("We meet employers")
    _select(page, box, 8, 17)
    toolbar.get_by_role("button", name="Bold").click()
    assert box.input_value() == "We meet **employers**"
    preview = page.locator(".live-preview-body")
    expect(preview.locator("strong", has_text="employers")).to_be_visible()
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    # keyboard: Ctrl+I on a selection, then strikethrough, list, code block and link
    _select(page, box, 0, 2)
    box.press("Control+i")
    assert box.input_value() == "_We_ meet **employers**"
    box.press("End")
    box.press("Enter")
    box.press_sequentially("old plan")
    end = len(box.input_value())
    _select(page, box, end - 8, end)
    toolbar.get_by_role("button", name="Strikethrough").click()
    expect(preview.locator("del", has_text="old plan")).to_be_visible()
    expect(preview.locator("br")).to_have_count(1)  # one line break stays one
    box.press("End")
    box.press("Enter")
    box.press("Enter")
    toolbar.get_by_role("button", name="Bulleted list").click()
    box.press_sequentially("first")
    expect(preview.locator("ul li", has_text="first")).to_be_visible()
    box.press("End")
    box.press("Enter")
    box.press("Enter")
    box.press_sequentially("def f():\n    return 1")
    value = box.input_value()
    _select(page, box, value.index("def f"), len(value))
    toolbar.get_by_role("button", name="Code").click()
    assert box.input_value().endswith("\n\n```\ndef f():\n    return 1\n```")
    expect(preview.locator("pre code")).to_have_text("def f():\n    return 1\n")
    assert navigations == []  # all of it without a reload

    # the toolbar is one tab stop; arrow keys move inside it
    toolbar.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.action") == "italic"
    assert axe_check() == []

    # the preview is the server's: a script typed in never comes back as one
    box.fill("<script>window.previewHacked = 1</script>**safe**")
    expect(preview.locator("strong", has_text="safe")).to_be_visible()
    assert page.evaluate("window.previewHacked === undefined") and preview.locator("script").count() == 0
    page.get_by_label("Title").fill("Formatting test")
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    assert page.js_errors == []


def test_dropped_image_is_attached_and_placed_in_the_text(page, browser_login):
    from playwright.sync_api import expect

    seed()
    browser_login("learner")
    page.goto("/forum/f/general/new")
    page.get_by_label("Title").fill("Our flyer")
    box = page.get_by_label("Message")
    box.fill("Here it is:\n")
    box.evaluate("""(el, data) => {
        const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
        const list = new DataTransfer();
        list.items.add(new File([bytes], "Job fair (1).png", {type: "image/png"}));
        el.dispatchEvent(new DragEvent("drop", {dataTransfer: list, bubbles: true, cancelable: true}));
    }""", PNG)
    assert box.input_value() == "Here it is:\n![Job fair 1](images/Job%20fair%201.png)\n"
    files = page.evaluate("Array.from(document.querySelector('input[name=attachments]').files, f => f.name)")
    assert files == ["Job fair 1.png"]
    expect(page.locator(".live-preview-body img[alt='Job fair 1']")).to_have_attribute("src", "data:image/png;base64," + PNG)
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    image = page.locator("article.post .post-body img[alt='Job fair 1']")
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 1  # served from the attachment
    assert page.locator("ul.attachments").count() == 0  # not listed a second time
    assert page.js_errors == []


def test_image_mention_and_link_buttons(page, browser_login, tmp_path):
    seed()
    browser_login("learner")
    page.goto("/forum/f/general/new")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    box = page.get_by_label("Message")
    box.fill("Ask")
    box.press("End")
    toolbar.get_by_role("button", name="Mention a member").click()
    assert box.input_value() == "Ask @" and page.evaluate("document.activeElement.name") == "body"
    box.fill("the guide")
    _select(page, box, 4, 9)
    toolbar.get_by_role("button", name="Link").click()
    assert box.input_value() == "the [guide](https://)"
    assert box.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)") == "https://"
    box.press("End")
    picture = tmp_path / "map.png"
    picture.write_bytes(base64.b64decode(PNG))
    with page.expect_file_chooser() as chooser:
        toolbar.get_by_role("button", name="Add an image").click()
    chooser.value.set_files(str(picture))
    assert box.input_value() == "the [guide](https://)\n![map](images/map.png)\n"
    assert page.evaluate("Array.from(document.querySelector('input[name=attachments]').files, f => f.name)") == [
        "map.png"]
    assert page.js_errors == []


def test_quote_uses_the_selected_part_of_a_post(page, browser_login, make_user):
    from playwright.sync_api import expect

    seed()
    ana = make_user(display_name="Ana Costa")
    body = "First we call the employer.\n\nThen we check:\n\n```python\nif permit:\n    match(person)\n```\n\nLast line."
    topic = topic_with_replies(forum("general"), ana, "Steps", replies=[(ana, body)])
    quoted = posts_of(topic.id)[1]
    browser_login("learner")
    page.goto(f"/forum/topic/{topic.id}")
    post = page.locator(f"#post-{quoted.id}")
    # select from "Then we check" to the end of the code block
    post.evaluate("""article => {
        const body = article.querySelector('.post-body');
        const start = Array.from(body.querySelectorAll('p')).find(p => p.textContent.startsWith('Then'));
        const range = document.createRange();
        range.setStart(start.firstChild, 0);
        range.setEndAfter(body.querySelector('pre'));
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""")
    post.get_by_role("link", name="Quote").click()
    box = page.locator("#reply-form textarea[name=body]")
    page.wait_for_function("() => document.querySelector('#reply-form textarea').value.includes('wrote:')")
    value = box.input_value()
    assert value.startswith(f"> **[Ana Costa](/forum/post/{quoted.id}) wrote:**\n>\n> Then we check:\n>\n")
    assert "> ```python\n> if permit:\n>     match(person)\n> ```" in value
    assert "First we call" not in value and "Last line" not in value
    expect(page.locator("#reply-form .live-preview-body blockquote pre code")).to_have_text(
        "if permit:\n    match(person)\n")

    # without a selection, "Quote" quotes the whole post as before
    box.fill("")
    page.evaluate("getSelection().removeAllRanges()")
    post.get_by_role("link", name="Quote").click()
    page.wait_for_function("() => document.querySelector('#reply-form textarea').value.includes('Last line')")
    assert "First we call the employer." in box.input_value()
    assert page.js_errors == []
