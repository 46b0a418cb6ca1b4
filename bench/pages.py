"""Throughput of the main pages against a bare endpoint, in one run.

    .venv/bin/python bench/pages.py [--seconds 2]

Builds a throwaway site with the shipped content (SQLite in a temp folder), then
serves each page through the WSGI test client for N seconds and prints requests per
second and the ratio to `/healthz` (a bare JSON endpoint of the same app). Ratios are
what to compare between runs; absolute numbers depend on the machine."""
from __future__ import annotations

import argparse
import tempfile
import time

from hub import create_app


def measure(client, path: str, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            from hub.accounts import services
            from hub.cli import prepare_site
            from hub.extensions import db

            prepare_site(echo=lambda *_: None)
            services.create_admin("bench@example.org", "bench password that is long", "Bench")
            db.session.commit()
        anonymous = app.test_client()
        member = app.test_client()
        member.post("/login", data={"email": "bench@example.org", "password": "bench password that is long"})
        pages = [
            ("bare /healthz", anonymous, "/healthz"),
            ("home", anonymous, "/"),
            ("catalogue", anonymous, "/courses/"),
            ("course page", anonymous, "/courses/introduction"),
            ("lesson page", anonymous, "/courses/introduction/lessons/who-we-work-with"),
            ("forum index (admin)", member, "/forum/"),
            ("dashboard (admin)", member, "/dashboard"),
        ]
        base = None
        print(f"{'page':24} {'req/s':>8} {'vs bare':>8}")
        for label, client, path in pages:
            rate = measure(client, path, args.seconds)
            base = base or rate
            print(f"{label:24} {rate:8.0f} {rate / base:8.2f}")


if __name__ == "__main__":
    main()
