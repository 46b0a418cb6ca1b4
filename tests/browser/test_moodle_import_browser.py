"""In Chromium: a trainer finds "Import from Moodle" on the courses page, uploads a
Moodle course backup and reads the report; both pages pass axe."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.moodle_backup_fixture import backup_files, mbz

pytestmark = pytest.mark.browser


def test_trainer_imports_a_moodle_backup_and_reads_the_report(page, browser_login, axe_check, tmp_path):
    backup = tmp_path / "backup-moodle2-course-se101.mbz"
    backup.write_bytes(mbz(backup_files()))
    browser_login("trainer", display_name="Tomás Trainer")
    page.goto("/courses/")
    page.get_by_role("link", name="Import from Moodle").click()
    assert axe_check() == []
    page.get_by_label("Moodle course backup (.mbz)").set_input_files(str(backup))
    page.get_by_role("button", name="Import").click()
    report = page.locator("section.import-report")
    expect(report.get_by_role("heading", name="Import report")).to_be_visible()
    expect(report).to_contain_text("Supported employment basics")
    expect(report).to_contain_text("Activity “Write a plan” (assign) in “Getting started”")
    assert axe_check() == []
    page.get_by_role("link", name="Open the course").click()
    expect(page.get_by_text("The IPS handbook").first).to_be_visible()
