"""Roles, the permission check, user administration and deactivation."""
from __future__ import annotations

import pytest

from hub.extensions import db
from tests.conftest import TEST_PASSWORD

ADMIN_PAGES = ["/admin/users", "/admin/outbox"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["learner", "trainer", "moderator"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_non_admins_get_403_page(client, login, role, path):
    login(role)
    response = client.get(path)
    assert response.status_code == 403
    assert b"Not allowed" in response.data


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_sees_admin_pages(client, login, path):
    login("admin")
    assert client.get(path).status_code == 200


def test_admin_lists_searches_and_pages_users(client, login, make_user):
    login("admin", display_name="Root Admin")
    for i in range(30):
        make_user(display_name=f"Counsellor {i:02d}", organisation="Caritas" if i % 2 else "Jobcenter")
    page1 = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in page1
    page2 = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2
    found = client.get("/admin/users?q=caritas").get_data(as_text=True)
    assert "15 members" in found and "Counsellor 01" in found and "Counsellor 02" not in found
    assert client.get("/admin/users?page=99").status_code == 404
    assert client.get("/admin/users?page=abc").status_code == 404


def test_role_change_grants_and_removes_access(app, client, login, make_user):
    login("admin")
    member = make_user()
    other = app.test_client()
    other.post("/login", data={"email": member.email, "password": TEST_PASSWORD})
    assert other.get("/admin/users").status_code == 403
    client.post(f"/admin/users/{member.id}/role", data={"role": "admin"})
    assert other.get("/admin/users").status_code == 200
    client.post(f"/admin/users/{member.id}/role", data={"role": "trainer"})
    assert other.get("/admin/users").status_code == 403
    db.session.refresh(member)
    assert member.role == "trainer"


def test_unknown_role_is_refused(client, login, make_user):
    login("admin")
    member = make_user()
    response = client.post(f"/admin/users/{member.id}/role", data={"role": "emperor"}, follow_redirects=True)
    assert b"Choose a valid role" in response.data
    db.session.refresh(member)
    assert member.role == "learner"


def test_admin_cannot_demote_or_deactivate_self(client, login):
    admin = login("admin")
    client.post(f"/admin/users/{admin.id}/role", data={"role": "learner"})
    client.post(f"/admin/users/{admin.id}/active")
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active


def test_deactivation_ends_sessions_and_blocks_login(app, client, login, make_user):
    login("admin")
    member = make_user()
    other = app.test_client()
    other.post("/login", data={"email": member.email, "password": TEST_PASSWORD})
    assert other.get("/account").status_code == 200
    client.post(f"/admin/users/{member.id}/active")
    assert other.get("/account").status_code == 302  # session ended
    response = other.post("/login", data={"email": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 200 and b"deactivated" in response.data
    client.post(f"/admin/users/{member.id}/active")  # reactivate
    assert other.post("/login", data={"email": member.email, "password": TEST_PASSWORD}).status_code == 302


def test_missing_user_is_404(client, login):
    login("admin")
    assert client.post("/admin/users/9999/role", data={"role": "trainer"}).status_code == 404


def test_outbox_shows_reset_mail(client, login, make_user, app):
    member = make_user(email="reset-me@example.org")
    app.test_client().post("/reset", data={"email": member.email})
    login("admin")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "reset-me@example.org" in page and "/reset/" in page


def test_create_admin_cli(app, runner):
    from hub.accounts.services import authenticate

    result = runner.invoke(args=["create-admin", "boss@example.org", "--password", "granite meadow violin harbour"])
    assert result.exit_code == 0, result.output
    assert authenticate("boss@example.org", "granite meadow violin harbour").role == "admin"
    result = runner.invoke(args=["create-admin", "not-an-email", "--password", "granite meadow violin harbour"])
    assert result.exit_code != 0 and "not a valid email" in result.output
    result = runner.invoke(args=["create-admin", "weak@example.org", "--password", "password"])
    assert result.exit_code != 0 and "Password refused" in result.output
