"""The served hub keeps its visitors apart, restarts cleanly and loses no saved post.

Each test drives ``make serve`` (two gunicorn workers) over HTTP; see conftest.py."""
from __future__ import annotations

import html
import os
import re
import secrets
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
import requests

from tests.moodle_backup_fixture import backup_files, mbz

from .conftest import ADMIN_EMAIL, PASSWORD, topic_id_of

pytestmark = [pytest.mark.server, pytest.mark.slow]


def signed_in_as(page: str) -> str | None:
    """The name in the header's user menu, or None for an anonymous page."""
    match = re.search(r'<details class="user-menu">\s*<summary>(.*?)</summary>', page)
    return html.unescape(match.group(1)) if match else None


def test_a_new_visitor_never_sees_the_administrators_pages(hub):
    admin = hub.visitor()
    admin.log_in_admin()
    page = admin.get("/admin/users")
    assert page.status_code == 200 and signed_in_as(page.text) == "Site Admin"

    stranger = hub.visitor()
    for n in range(20):
        admin.get("/admin/users")  # the administrator keeps working between the stranger's requests
        path = "/admin/users" if n % 2 else "/"
        response = stranger.get(path, allow_redirects=False)
        assert signed_in_as(response.text) is None, f"request {n} to {path} rendered as a member"
        if path == "/":
            assert response.status_code == 200 and "Log in" in response.text
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
            assert ADMIN_EMAIL not in response.text


def test_every_visitor_gets_a_session_and_its_own_form_token(hub):
    tokens = set()
    for _ in range(6):
        visitor = hub.visitor()
        tokens.add(visitor.csrf_token("/login"))
        assert "session" in visitor.http.cookies, "the form page set no session cookie"
    assert len(tokens) == 6


def test_two_members_post_in_turn_and_each_sees_only_themselves(hub):
    ana, ben = hub.visitor(), hub.visitor()
    ana.register("Ana Server")
    ben.register("Ben Server")
    topic = topic_id_of(ana.start_topic("Two workers, two people", "Ana opens the thread."))
    ana_token, ben_token = (v.csrf_token(f"/forum/topic/{topic}/reply") for v in (ana, ben))
    assert ana_token != ben_token
    for turn in range(3):  # interleaved: Ana, Ben, Ana, Ben ... each on whichever worker answers
        for visitor, name, token in ((ana, "Ana Server", ana_token), (ben, "Ben Server", ben_token)):
            response = visitor.reply(topic, f"{name} says {turn}.", token)
            assert response.status_code == 302, response.text[:1000]
            page = visitor.get(response.headers["Location"])
            assert signed_in_as(page.text) == name
    thread = ana.get(f"/forum/topic/{topic}").text
    for turn in range(3):
        assert f"Ana Server says {turn}." in thread and f"Ben Server says {turn}." in thread
    rows = hub.query("SELECT u.display_name, p.body_md FROM forum_post p JOIN \"user\" u ON u.id = p.user_id "
                     "WHERE p.topic_id = :topic ORDER BY p.position", topic=topic)
    assert all(body.startswith(name) for name, body in rows[1:])


def test_operator_commands_work_while_serving(hub):
    started = time.monotonic()
    result = hub.hub_command("create-admin", "second.admin@example.org", "--password", PASSWORD, timeout=30)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 20
    visitor = hub.visitor()
    visitor.log_in_admin("second.admin@example.org")
    assert visitor.get("/admin/users").status_code == 200


def test_a_moodle_backup_imported_while_serving_is_served_at_once(hub, tmp_path):
    backup = tmp_path / "se101.mbz"
    backup.write_bytes(mbz(backup_files()))
    result = hub.hub_command("content", "import-mbz", str(backup), "--slug", "served-moodle", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Not imported: forum activity" in result.stdout
    visitor = hub.visitor()
    visitor.log_in_admin()
    for _worker in range(4):  # each worker reads the new course
        page = visitor.get("/courses/served-moodle/author")
        assert page.status_code == 200 and "The IPS handbook" in page.text


def test_an_administrator_logs_in_with_a_code_on_either_worker(hub):
    """Two-step verification as the served hub requires it of administrators: the key
    turned on through one worker works through the other, and each code works once."""
    first, second = hub.visitor(), hub.visitor()
    first.log_in_admin()  # turns it on the first time this suite logs in
    second.log_in_admin()  # password, then a fresh code
    assert second.get("/admin/users").status_code == 200
    used = hub.used_steps[ADMIN_EMAIL]
    replay = hub.visitor()
    assert replay.log_in(ADMIN_EMAIL).headers["Location"].endswith("/login/code")
    code = pyotp.TOTP(hub.two_step_keys[ADMIN_EMAIL]).generate_otp(used)
    refused = replay.submit("/login/code", {"code": code})
    assert refused.status_code == 200 and "used already" in refused.text
    assert replay.get("/admin/users", allow_redirects=False).status_code == 302


def test_writes_answer_promptly_after_a_restart(hub):
    member = hub.visitor()
    member.register("Before Restart")
    topic = topic_id_of(member.start_topic("Across a restart", "Written before the restart."))
    hub.restart()

    newcomer = hub.visitor()
    token = newcomer.csrf_token("/register")
    started = time.monotonic()
    response = newcomer.post("/register", {"display_name": "After Restart", "email": "after.restart@example.org",
                                           "password": PASSWORD, "confirm": PASSWORD, "country": "ES",
                                           "organisation": "Cruz Roja", "profession": "job_coach", "language": "es",
                                           "csrf_token": token})
    assert response.status_code == 302 and time.monotonic() - started < 2, response.text[:1000]

    path = f"/forum/topic/{topic}/reply"
    token = member.csrf_token(path)  # the login survived the restart
    started = time.monotonic()
    response = member.reply(topic, "Written after the restart.", token)
    assert response.status_code == 302 and time.monotonic() - started < 2, response.text[:1000]


def topic_and_writers(hub, title: str, count: int) -> tuple[int, list]:
    """A new topic, and ``count`` newly registered members to reply to it."""
    opener = hub.visitor()
    opener.register(f"{title} opener")
    topic = topic_id_of(opener.start_topic(title, "Replies below."))
    writers = []
    for n in range(count):
        writer = hub.visitor()
        writer.register(f"{title} writer {n}")
        writers.append(writer)
    return topic, writers


def test_a_killed_worker_loses_no_acknowledged_reply(hub):
    topic, writers = topic_and_writers(hub, "Posting through a crash", 8)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + 6

    def write(writer) -> None:
        path = f"/forum/topic/{topic}/reply"
        while time.monotonic() < stop:
            marker = f"reply-{secrets.token_hex(6)}"
            try:
                token = writer.csrf_token(path)
                response = writer.reply(topic, f"Crash test {marker}.", token)
            except (requests.ConnectionError, requests.Timeout, AssertionError):
                continue  # the worker died under this request: not acknowledged
            if response.status_code == 302:
                with lock:
                    acknowledged.append(marker)

    victim = hub.worker_pids()[0]
    with ThreadPoolExecutor(len(writers)) as pool:
        futures = [pool.submit(write, writer) for writer in writers]
        time.sleep(2)
        os.kill(victim, signal.SIGKILL)
        for future in futures:
            future.result()
    assert victim not in hub.worker_pids()
    assert len(acknowledged) >= 8, "too few replies got through to test anything"
    saved = {row[0] for row in hub.query("SELECT body_md FROM forum_post WHERE topic_id = :topic", topic=topic)}
    missing = [marker for marker in acknowledged if f"Crash test {marker}." not in saved]
    assert not missing, f"{len(missing)} acknowledged replies are not in the database"
    # the master replaced the worker, and the site still writes
    deadline = time.monotonic() + 30
    while len(hub.worker_pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(hub.worker_pids()) == 2
    assert writers[0].reply(topic, "After the crash.").status_code == 302


def test_the_login_limit_holds_across_both_workers(hub):
    """10 per minute per address: of 40 guesses sent at once, exactly 10 are checked."""
    address = "203.0.113.40"
    guessers = [hub.visitor(address) for _ in range(40)]
    tokens = [g.csrf_token("/login") for g in guessers]  # reading the form is not limited

    def guess(pair):
        guesser, token = pair
        return guesser.post("/login", {"email": f"nobody{secrets.token_hex(3)}@example.org",
                                       "password": "guess", "csrf_token": token}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(guess, zip(guessers, tokens, strict=False)))
    assert codes.count(429) == 30 and codes.count(200) == 10, codes
    # another address is not affected
    assert hub.visitor().log_in(ADMIN_EMAIL).status_code == 302


def test_lockout_holds_across_both_workers_and_the_mail_unlocks(hub):
    """Guesses from 15 addresses at once (each under its own limit) lock the account
    after exactly 10 failures; the owner's mail unlocks it."""
    owner = hub.visitor()
    email = owner.register("Locked Owner")
    owner.post("/logout", {"csrf_token": owner.csrf_token("/account")})
    attackers = [hub.visitor() for _ in range(15)]
    tokens = [a.csrf_token("/login") for a in attackers]

    def guess(pair):
        attacker, token = pair
        return attacker.post("/login", {"email": email, "password": "wrong guess", "csrf_token": token}).text

    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(guess, zip(attackers, tokens, strict=False)))
    wrong = sum("Email or password is not correct" in page for page in pages)
    locked = sum("This account is locked" in page for page in pages)
    assert (wrong, locked) == (9, 6)

    page = hub.visitor().log_in(email).text
    assert "This account is locked" in page  # even the right password, until unlocked
    mails = hub.query("SELECT body FROM outbox_message WHERE recipient = :email AND body LIKE '%/unlock/%'",
                      email=email)
    assert len(mails) == 1
    path = re.search(r"https?://[^/\s]+(/unlock/\S+)", mails[0][0]).group(1)
    assert owner.submit(path, {}).status_code == 302
    assert owner.log_in(email).status_code == 302


def test_the_certificate_lookup_limit_holds_across_both_workers(hub):
    """60 per minute per address: of 80 look-ups sent at once, exactly 60 are answered."""
    looker = hub.visitor("203.0.113.60")
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda n: looker.get(f"/verify/NOPE{n:04d}XYZ").status_code, range(80)))
    assert codes.count(404) == 60 and codes.count(429) == 20, codes


def test_the_shipped_good_practice_collection_is_served_ranked(hub):
    """A newcomer finds the ranked practice list from the header of a freshly served hub."""
    visitor = hub.visitor()
    assert 'href="/practices/"' in visitor.get("/").text
    page = visitor.get("/practices/")
    assert page.status_code == 200
    scores = [int(s) for s in re.findall(r'<span class="score-value">(\d+)%</span>', page.text)]
    assert len(scores) >= 12 and scores == sorted(scores, reverse=True)
    first = re.search(r'<h2><a href="(/practices/[a-z0-9-]+)">', page.text).group(1)
    detail = visitor.get(first)
    assert detail.status_code == 200 and "<svg" in detail.text and "Score profile" in detail.text


def test_toolbox_resources_and_glossary_are_served(hub):
    visitor = hub.visitor()
    practices = visitor.get("/practices/").text
    for path in ("/practices/toolbox/", "/practices/resources/", "/practices/glossary/"):
        assert f'href="{path}"' in practices
        assert visitor.get(path).status_code == 200
    assert len(re.findall(r'<dt id="', visitor.get("/practices/glossary/").text)) >= 40
    assert len(re.findall(r'href="/practices/toolbox/[a-z0-9-]+"', visitor.get("/practices/toolbox/").text)) >= 8


def test_replies_from_several_visitors_are_all_findable(hub):
    """Posts written at once through both workers, one worker killed on the way: the
    outbox brings every acknowledged reply into the index, found through the search
    page within seconds."""
    topic, writers = topic_and_writers(hub, "Searchable replies", 4)
    words: list[str] = []
    lock = threading.Lock()

    def write(writer) -> None:
        for _ in range(6):
            word = f"zx{secrets.token_hex(5)}"
            if writer.reply(topic, f"Unique word {word} here.").status_code == 302:
                with lock:
                    words.append(word)

    with ThreadPoolExecutor(len(writers)) as pool:
        futures = [pool.submit(write, writer) for writer in writers]
        for future in futures:
            future.result()
    os.kill(hub.worker_pids()[0], signal.SIGKILL)  # its indexer thread dies with it
    assert len(words) == 24
    reader = writers[0]
    deadline = time.monotonic() + 30
    missing = list(words)
    while missing and time.monotonic() < deadline:
        missing = [w for w in missing if "1 result" not in reader.get("/search", params={"q": w}).text]
        time.sleep(0.5)
    assert not missing, f"{len(missing)} of {len(words)} replies not findable: {missing[:5]}"
    assert "Searchable replies" in reader.get("/search", params={"q": words[0]}).text


def test_search_runs_in_its_own_process_and_a_lost_follower_is_covered(hub):
    """`hub serve` indexes in a follower process beside the workers (never in their
    threads, where it held up requests); without it a worker indexes on its own."""
    [follower] = hub.follower_pids()
    topic, [writer] = topic_and_writers(hub, "Follower replies", 1)

    def findable(word: str) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "1 result" in writer.get("/search", params={"q": word}).text:
                return True
            time.sleep(0.3)
        return False

    word = f"fw{secrets.token_hex(5)}"
    assert writer.reply(topic, f"Unique word {word} here.").status_code == 302
    assert findable(word)
    os.kill(follower, signal.SIGKILL)
    word = f"fw{secrets.token_hex(5)}"
    assert writer.reply(topic, f"Unique word {word} here.").status_code == 302
    assert findable(word)
    hub.restart()  # a fresh follower with the next start
    assert len(hub.follower_pids()) == 1


def test_served_static_files_are_compressed_and_cached_and_the_generator_keeps_off(hub):
    """`hub serve` prepared gzip copies of the static files; pages and files answer 304
    to a browser that has them; `hub generate` refuses a site with real members."""
    visitor = hub.visitor()
    page = visitor.get("/")
    stylesheet = re.search(r'href="(/static/css/hub\.css\?v=[0-9a-f]{12})"', page.text)
    assert stylesheet, "hub.css is linked with its content hash"
    css = visitor.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip" and "max-age=31536000" in css.headers["Cache-Control"]
    assert visitor.get(stylesheet.group(1), headers={"If-None-Match": css.headers["ETag"]}).status_code == 304
    courses = visitor.get("/courses/")
    assert visitor.get("/courses/", headers={"If-None-Match": courses.headers["ETag"]}).status_code == 304

    refused = hub.hub_command("generate", "--size", "S", timeout=60)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert hub.query("SELECT count(*) FROM \"user\" WHERE email LIKE '%@generated.example.org'")[0][0] == 0


def test_mail_links_need_a_public_address_which_an_administrator_visit_gives(hub):
    """Without HUB_PUBLIC_URL `hub serve` says so; the digest command refuses to write
    links until an administrator has used the site at a public (non-loopback) address."""
    assert "HUB_PUBLIC_URL is not set" in hub.log_path.read_text(errors="replace")
    remembered = hub.folder / "instance" / "public-address"
    if not remembered.exists():  # the suite's visitors come in on 127.0.0.1, never remembered
        refused = hub.hub_command("forum", "send-digests")
        assert refused.returncode != 0 and "HUB_PUBLIC_URL" in refused.stderr
    admin = hub.visitor()
    admin.http.headers.update({"X-Forwarded-Host": "hub.example.org", "X-Forwarded-Proto": "https",
                               "Referer": "https://hub.example.org/"})  # what a browser sends over HTTPS
    admin.log_in_admin()
    assert admin.get("/forum/settings").status_code == 200
    assert remembered.read_text().strip() == "https://hub.example.org"
    sent = hub.hub_command("forum", "send-digests")
    assert sent.returncode == 0 and "Forum digests:" in sent.stdout, sent.stderr


def test_visitors_pages_come_from_each_workers_cache_and_change_at_once(hub):
    """Anonymous pages are kept per worker; a member never gets one, a visitor's form
    token is their own, and unpublishing a course through one worker takes it off
    both workers' pages on the next request."""
    page_path, catalogue = "/courses/introduction", "/courses/"
    stranger = hub.visitor()
    states = set()
    for _ in range(8):
        page = stranger.get(page_path)
        assert page.status_code == 200 and signed_in_as(page.text) is None
        states.add(page.headers.get("X-Page-Cache"))
    assert "hit" in states
    other = hub.visitor()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', other.get(page_path).text).group(1)
    switched = other.post("/language", {"lang": "de", "next": page_path, "csrf_token": token})
    assert switched.status_code == 302 and 'lang="de"' in other.get(page_path).text

    admin = hub.visitor()
    admin.log_in_admin()
    own = admin.get(page_path)
    assert signed_in_as(own.text) == "Site Admin" and "X-Page-Cache" not in own.headers
    publish_token = admin.csrf_token(f"{page_path}/author")
    assert admin.post(f"{page_path}/publish", {"published": "0", "csrf_token": publish_token}).status_code == 302
    try:
        for _ in range(6):
            assert stranger.get(page_path).status_code == 404
            assert f'href="{page_path}"' not in stranger.get(catalogue).text
    finally:
        assert admin.post(f"{page_path}/publish", {"published": "1", "csrf_token": publish_token}).status_code == 302
    assert all(stranger.get(page_path).status_code == 200 for _ in range(4))
