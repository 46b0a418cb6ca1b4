"""Where a page's time goes: each page rendered N times under cProfile in one process,
its functions' own time summed by what they do (routing, session and user, locale, SQL,
ORM loading, template, CSRF, the hub's own code). Publishes a Markdown table.

    .venv/bin/python bench/profile_pages.py [--size S] [--requests 40]

Uses the generated site of bench/load.py (bench/sites/sqlite-<size>), made if missing."""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

BUCKETS = [  # (name, path fragments of the functions whose own time it counts), first match wins
    ("routing", ("werkzeug/routing",)),
    ("session and user", ("flask_login", "itsdangerous", "flask/sessions", "hub/accounts/", "hub/security")),
    ("locale", ("flask_babel", "babel/")),
    ("CSRF and forms", ("flask_wtf", "wtforms")),
    ("SQL (driver and engine)", ("sqlite3", "psycopg", "sqlalchemy/engine", "sqlalchemy/pool", "sqlalchemy/sql")),
    ("ORM loading", ("sqlalchemy/orm", "sqlalchemy/util", "sqlalchemy/event")),
    ("template", ("jinja2", ".html", "markupsafe")),
    ("search (Whoosh)", ("whoosh",)),
    ("hub code", ("hub/",)),
    ("Flask and Werkzeug", ("flask/", "werkzeug/")),
]


def bucket_of(filename: str) -> str:
    for name, fragments in BUCKETS:
        if any(fragment in filename for fragment in fragments):
            return name
    return "other (Python, libraries)"


def profile(client, path: str, requests: int) -> tuple[float, dict[str, float]]:
    client.get(path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        response = client.get(path)
    profiler.disable()
    wall = (time.perf_counter() - started) / requests * 1000
    assert response.status_code == 200, (path, response.status_code)
    totals: dict[str, float] = {}
    stats = pstats.Stats(profiler)
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        key = "built-ins" if filename == "~" else bucket_of(filename)
        totals[key] = totals.get(key, 0) + own
    overall = sum(totals.values()) or 1
    return wall, {k: v / overall * 100 for k, v in totals.items()}


def main() -> None:
    import load

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="S")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    instance = load.prepared_site(args.size, None, False)
    plan = load.make_plan(instance, None, 0, 0)
    os.environ.update(load.environment(instance, None))
    from hub import create_app
    from hub.sitegen.sizes import PASSWORD

    app = create_app({"WTF_CSRF_ENABLED": False})
    member = app.test_client()
    assert member.post("/login", data={"email": plan.members[0], "password": PASSWORD}).status_code == 302
    anonymous = app.test_client()
    pages = [("bare /healthz", anonymous, "/healthz"), ("home (logged out)", anonymous, "/"),
             ("dashboard", member, "/dashboard"), ("catalogue", member, "/courses/"),
             ("course", member, f"/courses/{plan.course}"),
             ("lesson", member, f"/courses/{plan.course}/lessons/{plan.lesson}"),
             ("forum index", member, "/forum/"), ("thread", member, f"/forum/topic/{plan.thread}"),
             ("search", member, "/search?q=interpreter+consent"), ("practice list", member, "/practices/")]
    columns = [name for name, _ in BUCKETS] + ["built-ins", "other (Python, libraries)"]
    lines = [f"# Where each page's time goes, {date.today().isoformat()} (size {args.size}, SQLite, one process)", "",
             f"{args.requests} requests per page under cProfile (which slows everything about 2×; compare the "
             "shares, not the milliseconds). Share of the functions' own time:", "",
             "| page | ms/request | " + " | ".join(columns) + " |", "|---|---:|" + "---:|" * len(columns)]
    for name, client, path in pages:
        wall, shares = profile(client, path, args.requests)
        lines.append(f"| {name} | {wall:.1f} | " + " | ".join(f"{shares.get(c, 0):.0f} %" for c in columns) + " |")
    report = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / f"profile-{date.today().isoformat()}-{args.size}.md"
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
