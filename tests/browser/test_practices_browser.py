"""A member submits a practice; a reviewer scores and publishes it; it appears ranked."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hub.practices.vocab import INDICATOR_LABELS

pytestmark = pytest.mark.browser


def test_submit_score_publish_and_find_it_ranked(page, browser_login, axe_check):
    browser_login("learner", display_name="Sofia Submitter")
    page.goto("/practices/")
    expect(page.get_by_role("heading", name="Good practice")).to_be_visible()
    page.get_by_role("link", name="Describe a practice").click()
    page.get_by_label("Title", exact=True).fill("Job mentors for young refugees")
    page.get_by_label("Summary in one line").fill("Employees mentor young refugees for their first six months at work.")
    page.get_by_label("Country (two-letter code, e.g. ES)").fill("ES")
    page.get_by_label("Organisation", exact=True).fill("Fundación Ejemplo")
    page.get_by_label("Refugees and asylum seekers").check()
    page.get_by_label("Employer engagement and job placement").check()
    page.get_by_label("Description (Markdown)").fill("Each newcomer gets a **mentor** at the workplace.")
    page.get_by_label("Public sources, one per line: Title | https://address").fill(
        "Programme page | https://example.org/mentors")
    assert axe_check() == []
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your practice is saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("The practice is now: Submitted.")).to_be_visible()
    url = page.url

    page.context.clear_cookies()
    browser_login("trainer", display_name="Rafael Reviewer")
    page.goto("/practices/review")
    page.get_by_role("link", name="Job mentors for young refugees").click()
    page.get_by_role("link", name="Score this practice").click()
    for key, label in INDICATOR_LABELS.items():
        group = page.get_by_role("group", name=str(label))
        group.get_by_label("Score", exact=True).select_option("3" if key in ("relevance", "results") else "2")
        group.get_by_label("Why this score").fill(f"Shown in the record ({key}).")
    assert axe_check() == []
    page.get_by_role("button", name="Save scores").click()
    expect(page.get_by_text("Your scores are saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The practice is now: Published.")).to_be_visible()
    assert page.locator("svg.chart").count() == 1

    page.context.clear_cookies()
    page.goto("/practices/")
    card = page.locator(".practice-card", has_text="Job mentors for young refugees")
    assert card.locator(".score-value").inner_text().endswith("%")
    assert page.url.endswith("/practices/") and url.endswith("/practices/job-mentors-for-young-refugees")
    assert axe_check() == []
    assert page.js_errors == []
