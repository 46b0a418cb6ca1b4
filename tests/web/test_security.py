"""Headers, cookies, CSRF, rate limits and error pages."""
from __future__ import annotations

import pytest

from hub import create_app
from hub.config import ConfigError
from tests.conftest import TEST_PASSWORD


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_scripts_or_external_assets(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html and "style=" not in html
    assert "http://" not in html.replace("http://hub.test", "") and "https://" not in html


def test_session_cookie_flags(client, make_user, auth):
    response = auth.login(make_user())
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(tmp_path):
    app = create_app({"HUB_ENV": "production", "SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_production_refuses_to_start_without_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="HUB_SECRET_KEY"):
        create_app({"HUB_ENV": "production", "INSTANCE_PATH": str(tmp_path)})


def test_development_secret_is_generated_once(tmp_path, monkeypatch):
    monkeypatch.delenv("HUB_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_config_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HUB_SECRET_KEY", "from-env")
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://u:p@localhost/hub")
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.instance_path == str(tmp_path)


def test_csrf_is_enforced(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert b"form expired" in response.data


def test_login_rate_limit_with_message(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    user = make_user()
    for _ in range(3):
        assert client.post("/login", data={"email": user.email, "password": "wrong"}).status_code == 200
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert b"Too many attempts" in response.data and b"wait 60 seconds" in response.data
    assert 0 < int(response.headers["Retry-After"]) <= 60  # Flask-Limiter refines it to the time left
    assert client.get("/login").status_code == 200  # reading the form is not limited


@pytest.mark.parametrize("path, key, data", [
    ("/register", "REGISTER_RATE_LIMIT", {"email": "x@example.org"}),
    ("/reset", "RESET_RATE_LIMIT", {"email": "x@example.org"}),
])
def test_other_rate_limits(make_app, path, key, data):
    app = make_app(RATELIMIT_ENABLED=True, **{key: "2 per minute"})
    client = app.test_client()
    codes = [client.post(path, data=data).status_code for _ in range(3)]
    assert codes[-1] == 429 and 429 not in codes[:2]


@pytest.mark.parametrize("language, title", [("es", "Página no encontrada"), ("da", "Siden blev ikke fundet"),
                                              ("en", "Page not found")])
def test_404_page_in_users_language(client, language, title):
    response = client.get("/no/such/page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)
    assert b"Traceback" not in response.data


def test_403_page_in_members_language(client, login):
    login(language="da")
    response = client.get("/admin/users")
    assert response.status_code == 403 and "Ingen adgang" in response.get_data(as_text=True)


def test_json_errors_for_api_clients(client):
    response = client.get("/missing", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "Page not found"


def test_500_page_hides_the_error(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data and b"secret internals" not in response.data


def test_400_for_malformed_form(client):
    response = client.post("/language", data={"lang": "xx"})
    assert response.status_code == 302  # invalid choice is ignored, never a crash


@pytest.mark.parametrize("path", [
    "/forum/topic/1180591620717411303424", "/forum/post/9223372036854775808",
    "/certificates/9223372036854775808/certificate.pdf",
    "/practices/?page=1180591620717411303424", "/admin/users?page=99999999999999999999999",
])
def test_ids_and_pages_beyond_a_database_integer_are_404(client, login, path):
    login("admin")
    response = client.get(path)
    assert response.status_code == 404 and b"Page not found" in response.data


def test_the_largest_database_id_is_still_looked_up(client):
    assert client.get("/forum/topic/2147483647").status_code == 404  # found nothing, no overflow
    assert client.get("/forum/topic/2147483648").status_code == 404  # past an id column: no lookup at all
