"""A learner completes a small course in Chromium, downloads the certificate and
anyone verifies it publicly."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.progress_factories import make_course

pytestmark = pytest.mark.browser


def test_complete_course_download_certificate_verify_publicly(page, browser, live_url, browser_login, axe_check,
                                                              tmp_path):
    make_course("first-steps", title="First steps in job coaching", lessons=2, hours=2)
    browser_login("learner", display_name="Jiří Dvořák")

    page.goto("/courses/first-steps")
    page.get_by_role("button", name="Enrol in this course").click()
    page.get_by_text("0 of 2 required items done (0%)").wait_for()  # the page after the enrolment redirect
    page.get_by_role("link", name="Lesson 1").first.click()  # the next step
    page.get_by_role("button", name="Mark as complete").click()
    page.wait_for_url("**/lessons/lesson-2")
    page.get_by_role("button", name="Mark as complete").click()
    page.wait_for_url("**/courses/first-steps")
    expect(page.get_by_text("You completed this course on")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    text = PdfReader(io.BytesIO(pdf_path.read_bytes())).pages[0].extract_text()
    assert "Jiří Dvořák" in text and "First steps in job coaching" in text

    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="Completed courses")).to_be_visible()
    expect(page.locator("table.completed-courses").get_by_role("link", name="First steps in job coaching")).to_be_visible()
    assert axe_check() == []
    verify_href = page.get_by_role("link", name="Verification page").first.get_attribute("href")

    # a stranger (no login) checks it
    stranger = browser.new_context(base_url=live_url)
    stranger.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_url)
                   else route.abort())
    public = stranger.new_page()
    public.goto(verify_href)
    expect(public.get_by_text("Valid", exact=True)).to_be_visible()
    expect(public.get_by_text("Jiří Dvořák")).to_be_visible()
    code = public.locator("dd code").inner_text()
    public.goto("/verify")
    public.get_by_label("Verification code").fill(code.lower())
    public.get_by_role("button", name="Verify").click()
    expect(public.get_by_text("First steps in job coaching")).to_be_visible()
    public.goto("/verify/NOTAREALCODE000000")
    expect(public.get_by_text("Unknown", exact=True)).to_be_visible()
    stranger.close()
    assert page.js_errors == []
