"""A newcomer registers, switches language, logs out and in again, in Chromium."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hub.extensions import db
from hub.mail import OutboxMessage
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_register_switch_language_logout_login(page, axe_check, live_app):
    page.goto("/")
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    assert axe_check() == []
    page.get_by_role("link", name="Register").first.click()
    page.get_by_label("Display name").fill("Eleni Papadopoulou")
    page.get_by_label("Email").fill("eleni@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_label("Country").select_option("GR")
    page.get_by_label("Organisation").fill("PRAKSIS")
    page.get_by_label("Profession").select_option("social_worker")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    assert page.get_by_label("Organisation").input_value() == "PRAKSIS"  # kept
    assert axe_check() == []
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Repeat password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert axe_check() == []
    with live_app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == "eleni@example.org"))
    page.goto(re.search(r"https?://[^/\s]+(/confirm/\S+)", body).group(1))
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page.get_by_text("Welcome to Inclusion Hub, Eleni Papadopoulou!")).to_be_visible()
    # the switcher submits on change (JS) and the page comes back in Spanish
    with page.expect_navigation():
        page.get_by_label("Language").select_option("es")
    assert page.locator("html").get_attribute("lang") == "es"
    expect(page.get_by_role("link", name="Cursos").first).to_be_visible()
    with page.expect_navigation():
        page.get_by_label("Idioma").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"

    page.locator("summary", has_text="Eleni Papadopoulou").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("eleni@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("You are logged in.")).to_be_visible()
    assert page.js_errors == []
