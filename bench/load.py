"""Load benchmark: the real server on a generated site, driven by wrk.

    make bench                       # size M on SQLite (generates the site the first time)
    .venv/bin/python bench/load.py --size M --compare S,L
    .venv/bin/python bench/load.py --database postgresql+psycopg://user@/hub_bench?host=/run/postgresql

Starts ``hub serve`` (the README's command and its two workers) on 127.0.0.1 against a
site made by ``hub generate``, warms up, then measures a realistic mix like Moodle's test
plan: home, catalogue, course and practice list logged out, log in, dashboard, catalogue,
course, lesson, forum index, a 200-post thread, a reply in a topic 500 members follow,
search, practice list, quiz save, log out, and an exam spike (200 learners start the same
quiz, save and submit). Each repeatable step runs for N seconds in three rounds beside the
bare ``/healthz`` endpoint of the same server; the ratio of the step's throughput to the
bare endpoint's (median of the rounds) is the figure to compare between machines. Queries
per step come from the server itself (``X-Query-Count``). Results go to ``bench/results/``
as Markdown.

wrk (Debian package ``wrk``) is the load tool: C, with Lua scripts for the requests."""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
SITES = ROOT / "bench" / "sites"
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk_step.lua"
THREADS = 2
ONCE_WINDOW = 20.0  # seconds in which every one-off request of a spike must be answered
sys.path.insert(0, str(ROOT))


# -- the site and the server ---------------------------------------------------------------

def environment(instance: Path, database: str | None) -> dict[str, str]:
    env = dict(os.environ, HUB_INSTANCE_PATH=str(instance), HUB_SECRET_KEY="load-benchmark",
               HUB_RATELIMIT_ENABLED="false", HUB_QUERY_COUNT_HEADER="true", HUB_PUBLIC_URL="http://127.0.0.1")
    if database:
        env["HUB_DATABASE_URL"] = database
    return env


def prepared_site(size: str, database: str | None, regenerate: bool) -> Path:
    """A generated site per size and database, made once and kept in bench/sites/."""
    instance = SITES / f"{'postgresql' if database else 'sqlite'}-{size}"
    if regenerate or not (instance / "generated.ok").exists():
        shutil.rmtree(instance, ignore_errors=True)
        instance.mkdir(parents=True)
        if database:
            _reset_postgres(database)
        started = time.perf_counter()
        subprocess.run([str(BIN / "hub"), "generate", "--size", size], env=environment(instance, database),
                       check=True)
        (instance / "generated.ok").write_text(f"{time.perf_counter() - started:.0f} s\n")
    return instance


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


class Server:
    """``hub serve`` in its own process group; stopped with everything it forked."""

    def __init__(self, instance: Path, database: str | None, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(instance / "serve.log", "w")
        self.process = subprocess.Popen([str(BIN / "hub"), "serve", "--port", str(port)],
                                        env=environment(instance, database), stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"the server did not start: see {instance / 'serve.log'}")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)
        self.log.close()


# -- visitors ----------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser's cookies and CSRF token, for preparing the requests wrk sends."""

    def __init__(self, base: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def fetch(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read().decode(errors="replace")

    def token(self, path: str) -> str:
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                          self.fetch(path)[2])
        if not found:
            raise SystemExit(f"no CSRF token on {path}")
        return found.group(1) or found.group(2)

    def login(self, email: str, password: str) -> Visitor:
        status, headers, _ = self.fetch("/login", {"email": email, "password": password,
                                                   "csrf_token": self.token("/login")})
        if status != 302 or "/login" in headers.get("Location", ""):
            raise SystemExit(f"cannot log in as {email}: {status}")
        return self

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


# -- steps -------------------------------------------------------------------------------

@dataclass
class Step:
    name: str
    requests: list[tuple[str, str, str, str]]  # (method, path, cookie, form body with {KEY})
    once: bool = False  # each request a one-off (start, submit, log out): sent once, not in a loop
    rates: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    latency_ms: tuple[float, float, float] = (0, 0, 0)
    errors: int = 0
    seconds: float = 0
    queries: str = "–"
    answered: int = 0  # one-off steps: requests answered within ONCE_WINDOW


def run_wrk(base: str, step: Step, seconds: float, connections: int) -> dict:
    rows = ",\n".join("{" + ", ".join(_lua_string(part) for part in request) + "}" for request in step.requests)
    script = Path(SITES / f"step-{os.getpid()}.lua")
    script.write_text(f"THREAD_COUNTER = 0\nTHREADS = {THREADS}\nONCE = {'true' if step.once else 'false'}\n"
                      f"REQUESTS = {{\n{rows}\n}}\n" + LUA.read_text())
    if step.once:  # every one-off request at the same moment, each on its own connection
        connections, seconds = max(len(step.requests), THREADS), ONCE_WINDOW
    output = subprocess.run(["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds:.0f}s",
                             "--timeout", f"{ONCE_WINDOW:.0f}s",
                             "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    script.unlink()
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output)
    if not found:
        raise SystemExit(f"wrk said:\n{output}")
    requests, micros, status_errors, socket_errors, p50, p95, p99 = map(int, found.groups())
    return {"requests": requests, "seconds": micros / 1e6, "rate": requests / (micros / 1e6),
            "errors": status_errors + socket_errors, "latency": (p50 / 1000, p95 / 1000, p99 / 1000)}


def _lua_string(text: str) -> str:
    level = "=" * 3
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def query_count(base: str, method: str, path: str, cookie: str, body: str) -> str:
    data = body.replace("{KEY}", os.urandom(16).hex()).encode() if body else None
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.headers.get("X-Query-Count", "?")
    except urllib.error.HTTPError as answer:
        if answer.code >= 400:
            raise SystemExit(f"{method} {path} answered {answer.code}") from None
        return answer.headers.get("X-Query-Count", "?")


# -- the plan ------------------------------------------------------------------------------

@dataclass
class Plan:
    course: str
    lesson: str
    quiz: str
    thread: int
    reply_topic: int
    learners: list[str]  # emails of members enrolled in ``course`` with no attempt yet
    members: list[str]
    trainer: str  # a trainer named on ``course`` (its report)
    enrolled: int  # learners in ``course``'s report


def make_plan(instance: Path, database: str | None, exam_size: int, followers: int) -> Plan:
    """Pick the pages to measure from the generated data; enrol the exam's learners and
    make a topic that ``followers`` members follow (as a real busy thread would be)."""
    os.environ.update(environment(instance, database))
    from sqlalchemy import func, select

    from hub import create_app
    from hub.accounts.models import User
    from hub.courses import enrolment
    from hub.courses.models import Course, CourseTrainer, Enrolment, Lesson
    from hub.extensions import db
    from hub.forum import notifications
    from hub.forum.models import Forum, Topic
    from hub.quizzes.models import Attempt, Quiz
    from hub.sitegen.sizes import DOMAIN

    app = create_app()
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).join(Course).where(Course.slug == "introduction"))
        course = quiz.course
        lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position))
        open_to_all = select(Topic).join(Forum).where(Forum.course_id.is_(None), Forum.kind == "standard")
        thread = db.session.scalar(open_to_all.order_by(Topic.last_position.desc(), Topic.id))
        reply_topic = db.session.scalar(open_to_all.where(Topic.id != thread.id)
                                        .order_by(Topic.last_position.desc(), Topic.id))
        members = db.session.scalars(select(User).where(User.email.like(f"%@{DOMAIN}"), User.role == "learner")
                                     .order_by(User.id)).all()
        tried = set(db.session.scalars(select(Attempt.user_id).where(Attempt.quiz_id == quiz.id)))
        learners = [m for m in members if m.id not in tried][:min(exam_size, len(members) // 2)]
        for member in learners:
            enrolment.enrol(member, course)
        have = db.session.scalar(select(func.count()).select_from(notifications.Subscription)
                                 .where(notifications.Subscription.topic_id == reply_topic.id)) or 0
        for member in members[:max(followers - have, 0)]:
            notifications.subscribe(member.id, topic=reply_topic)
        trainer = db.session.scalar(select(User).join(CourseTrainer, CourseTrainer.user_id == User.id)
                                    .where(CourseTrainer.course_id == course.id, User.role == "trainer",
                                           User.email.like(f"%@{DOMAIN}")).order_by(User.id))
        if trainer is None:  # the first run on this site names one
            trainer = members[-1]
            trainer.role = "trainer"
            db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
        db.session.commit()
        enrolled = db.session.scalar(select(func.count()).select_from(Enrolment)
                                     .where(Enrolment.course_id == course.id)) or 0
        plan = Plan(course.slug, lesson.slug, quiz.slug, thread.id, reply_topic.id, [m.email for m in learners],
                    [m.email for m in members if m not in learners][:40], trainer.email, enrolled)
        db.session.remove()
        db.engine.dispose()
    return plan


def logged_in(base: str, emails: list[str]) -> list[Visitor]:
    from hub.sitegen.sizes import PASSWORD
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda email: Visitor(base).login(email, PASSWORD), emails))


def mix(base: str, plan: Plan) -> list[Step]:
    from hub.sitegen.sizes import PASSWORD
    readers = logged_in(base, plan.members[:16])
    logins = []
    for email in plan.members[:8]:
        visitor = Visitor(base)
        token = visitor.token("/login")  # an anonymous session with its CSRF token, as a browser has
        logins.append(("POST", "/login", visitor.cookie,
                       urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})))

    def each(path: str) -> list[tuple[str, str, str, str]]:
        return [("GET", path, r.cookie, "") for r in readers]

    reply_body = "Thank you for the summary. In our team we try the same with a joint meeting first."
    replies = []
    for reader in readers:
        token = reader.token(f"/forum/topic/{plan.reply_topic}")  # first: it may renew the session cookie
        form = {"body": reply_body, "language": "en", "post": "1", "csrf_token": token, "submission": "KEY"}
        replies.append(("POST", f"/forum/topic/{plan.reply_topic}/reply", reader.cookie,
                        urllib.parse.urlencode(form).replace("KEY", "{KEY}")))
    logouts = []
    for leaving in logged_in(base, plan.members[16:40]):
        token = leaving.token("/dashboard")
        logouts.append(("POST", "/logout", leaving.cookie, urllib.parse.urlencode({"csrf_token": token})))
    return [
        Step("home (logged out)", [("GET", "/", "", "")]),
        Step("catalogue (logged out)", [("GET", "/courses/", "", "")]),
        Step("course (logged out)", [("GET", f"/courses/{plan.course}", "", "")]),
        Step("practice list (logged out)", [("GET", "/practices/", "", "")]),
        Step("log in", logins),
        Step("dashboard", each("/dashboard")),
        Step("catalogue", each("/courses/")),
        Step("course", each(f"/courses/{plan.course}")),
        Step("lesson", each(f"/courses/{plan.course}/lessons/{plan.lesson}")),
        Step("forum index", each("/forum/")),
        Step(f"thread, {plan.thread}: first page", each(f"/forum/topic/{plan.thread}")),
        Step("reply (topic with 500 followers)", replies),
        Step("search", each("/search?q=interpreter+consent")),
        Step("practice list", each("/practices/")),
        Step(f"course report ({plan.enrolled} learners, trainer)",
             [("GET", f"/progress/{plan.course}/report", logged_in(base, [plan.trainer])[0].cookie, "")]),
        Step("log out", logouts, once=True),
    ]


def exam(base: str, plan: Plan) -> list[Step]:
    """All the exam's learners start the quiz at once, save their answers and submit."""
    learners = logged_in(base, plan.learners)
    start_path = f"/courses/{plan.course}/quizzes/{plan.quiz}/start"
    starts = []
    for learner in learners:
        token = learner.token(f"/courses/{plan.course}/quizzes/{plan.quiz}")  # before reading the cookie
        starts.append(("POST", start_path, learner.cookie, urllib.parse.urlencode({"csrf_token": token})))
    steps = [Step(f"quiz start ({len(learners)} learners at once)", starts, once=True)]
    yield steps[0]
    saves, submits = [], []
    for learner in learners:
        status, headers, _ = learner.fetch(start_path, {"csrf_token": learner.token(
            f"/courses/{plan.course}/quizzes/{plan.quiz}")})
        attempt = re.search(r"/quiz-attempts/(\d+)", headers.get("Location", ""))
        if not attempt:
            raise SystemExit(f"no attempt for a learner: {status} {headers.get('Location')}")
        page = learner.fetch(f"/quiz-attempts/{attempt.group(1)}")[2]
        saves.append(("POST", f"/quiz-attempts/{attempt.group(1)}/save", learner.cookie,
                      urllib.parse.urlencode(answers_on(page) + [("action", "next")])))
        submits.append(("POST", f"/quiz-attempts/{attempt.group(1)}/submit", learner.cookie,
                        urllib.parse.urlencode([(k, v) for k, v in answers_on(page) if k == "token"])))
    yield Step("quiz save (the same learners)", saves)
    yield Step(f"quiz submit ({len(learners)} learners at once)", submits, once=True)


def answers_on(page: str) -> list[tuple[str, str]]:
    """The attempt form's hidden fields and a first answer to every question."""
    form = page[page.index('action="/quiz-attempts/'):]
    form = form[:form.index("</form>")]
    fields: list[tuple[str, str]] = []
    seen = set()
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in seen:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or re.search("()", "")).group(1)
        value = (re.search(r'value="([^"]*)"', tag) or re.search("()", "")).group(1)
        if kind in ("hidden", "radio", "checkbox"):
            fields.append((name.group(1), value))
        elif tag.startswith("<select"):
            options = re.findall(r'<option value="([^"]+)"', form[form.index(tag):])
            fields.append((name.group(1), options[0] if options else ""))
        elif kind != "submit":
            fields.append((name.group(1), "a short answer"))
        seen.add(name.group(1))
    return fields


# -- measuring and reporting -------------------------------------------------------------------

def measure(base: str, steps: list[Step], seconds: float, connections: int, rounds: int) -> None:
    """Warm up, then ``rounds`` rounds of every repeatable step beside the bare endpoint."""
    bare = Step("bare /healthz", [("GET", "/healthz", "", "")])
    for step in [bare, *steps]:
        if not step.once:
            run_wrk(base, step, 1, connections)  # warm-up: imports, caches, connections
    latencies: dict[str, list] = {}
    for _ in range(rounds):
        bare_result = run_wrk(base, bare, seconds, connections)
        bare_rate = bare_result["rate"]
        bare.rates.append(bare_rate)
        latencies.setdefault(bare.name, []).append(bare_result["latency"])
        for step in steps:
            if step.once:
                continue
            result = run_wrk(base, step, seconds, connections)
            step.rates.append(result["rate"])
            step.ratios.append(result["rate"] / bare_rate)
            step.errors += result["errors"]
            latencies.setdefault(step.name, []).append(result["latency"])
    for step in [bare, *steps]:
        if step.name in latencies:
            step.latency_ms = tuple(statistics.median(values) for values in zip(*latencies[step.name], strict=True))
    steps.insert(0, bare)
    bare.ratios = [1.0]


def one_off(base: str, step: Step, connections: int) -> None:
    """All of a step's one-off requests at once; ``answered`` out of the total."""
    result = run_wrk(base, step, 1, connections)
    step.rates, step.errors, step.latency_ms = [result["rate"]], result["errors"], result["latency"]
    step.answered = min(result["requests"], len(step.requests))


def table(steps: list[Step]) -> str:
    lines = ["| step | req/s | vs bare | p50 ms | p95 ms | p99 ms | SQL | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in steps:
        ratio = f"{statistics.median(s.ratios) * 100:.1f} %" if s.ratios else (
            f"{s.answered} of {len(s.requests)} at once" if s.once else "–")
        rate = "–" if s.once else f"{statistics.median(s.rates):.0f}"
        lines.append(f"| {s.name} | {rate} | {ratio} | {s.latency_ms[0]:.1f} | "
                     f"{s.latency_ms[1]:.1f} | {s.latency_ms[2]:.1f} | {s.queries} | {s.errors} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, {wrk.split(' Copyright')[0]}")


def wanted(name: str, only: str) -> bool:
    """Whether a step is in ``--steps`` (parts of step names, comma-separated; empty: all)."""
    return not only or any(part.strip() and part.strip() in name for part in only.split(","))


def run_size(size: str, args, exam_too: bool = True) -> tuple[list[Step], list[Step]]:
    instance = prepared_site(size, args.database, args.regenerate)
    subprocess.run([str(BIN / "hub"), "setup"], env=environment(instance, args.database), check=True,
                   capture_output=True)  # a site generated by an older release gets its migrations first
    plan = make_plan(instance, args.database, args.exam, args.followers)
    server = Server(instance, args.database, args.port)
    try:
        steps = [step for step in mix(server.base, plan) if wanted(step.name, args.steps)]
        for step in steps:
            method, path, cookie, body = step.requests[0]
            if not step.once:
                step.queries = query_count(server.base, method, path, cookie, body)
        measure(server.base, steps, args.seconds, args.connections, args.rounds)
        for step in steps:
            if step.once:
                one_off(server.base, step, args.connections)
        spike = []
        if exam_too and wanted("quiz", args.steps) and len(plan.learners) < args.connections:
            raise SystemExit(f"only {len(plan.learners)} members of the {size} site have not taken the quiz: "
                             "make bench BENCH_ARGS='--regenerate' for a fresh site")
        for step in (exam(server.base, plan) if exam_too and wanted("quiz", args.steps) else []):
            if step.once:
                one_off(server.base, step, args.connections)
            else:
                step.queries = query_count(server.base, *step.requests[0])
                measure(server.base, [step], args.seconds, args.connections, 1)
                step.ratios = step.ratios or []
            spike.append(step)
        spike = [s for s in spike if s.name != "bare /healthz"]
    finally:
        server.stop()
    return steps, spike


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--compare", default="", help="other sizes for the latency ratio, e.g. S,L")
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default: SQLite in the instance)")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--exam", type=int, default=200, help="learners in the exam spike")
    parser.add_argument("--followers", type=int, default=500, help="members following the reply topic")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--steps", default="", help="only the steps whose names contain one of these, e.g. "
                                                    "reply,search (quiz: the exam spike); for experiments")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    database = "PostgreSQL" if args.database else "SQLite"
    report = [f"# Load benchmark, {date.today().isoformat()}: size {args.size} on {database}", "",
              f"Machine: {machine()}.", f"Server: `hub serve` (gunicorn, 2 workers) on 127.0.0.1; wrk -t{THREADS} "
              f"-c{args.connections}, {args.seconds:.0f} s per step, median of {args.rounds} rounds.", ""]
    steps, spike = run_size(args.size, args)
    report += ["## Mix", "", table(steps), "", "## Exam spike", "", table(spike), ""]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"load-{date.today().isoformat()}-{args.size}-{database.lower()}.md"
    out.write_text("\n".join(report) + "\n")  # kept even if a comparison run is stopped
    if args.compare:
        report += ["## Latency against the size of the site (p50 of each step)", ""]
        sizes = {args.size: steps}
        for other in args.compare.split(","):
            sizes[other] = run_size(other, args, exam_too=False)[0]  # the mix is what is compared
        names = sorted(sizes)
        report += ["Each size runs in its own server start; the bare endpoint's own L / S shows how much",
                   "of a step's ratio is the machine between runs, and the last column divides it out.", ""]
        report.append("| step | " + " | ".join(f"p50 {n} ms" for n in names) + " | L / S | L / S against bare |")
        report.append("|---|" + "---:|" * (len(names) + 2))
        bare_ratio = None
        for index, step in enumerate(steps):
            p50 = {n: sizes[n][index].latency_ms[0] for n in names}
            ratio = p50["L"] / p50["S"] if {"L", "S"} <= set(p50) and p50["S"] else None
            bare_ratio = bare_ratio or ratio
            against = f"{ratio / bare_ratio:.2f}" if ratio and bare_ratio else "–"
            report.append(f"| {step.name} | " + " | ".join(f"{p50[n]:.1f}" for n in names)
                          + f" | {f'{ratio:.2f}' if ratio else '–'} | {against} |")
    out.write_text("\n".join(report) + "\n")
    print("\n".join(report))
    print(f"\nWritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
