"""The hub as it is run: the README's ``make serve`` as a subprocess on a free port,
two gunicorn workers, a temporary instance folder, driven over real HTTP.

In-process tests cannot see what the serving command does to requests (it once shared
one application context, and so one logged-in user, between every visitor). These can.
Every visitor sends its own ``X-Forwarded-For`` address (the server trusts one proxy),
so per-address rate limits apply to each test's visitors alone."""
from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@example.org"
PASSWORD = "correct horse battery staple"
_addresses = itertools.count(1)

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _venv() -> str:
    """Serve from the environment running the tests (``make serve VENV=...``), so
    the suite tests this checkout's code, not another install's."""
    return sys.prefix if (Path(sys.prefix) / "bin" / "hub").exists() else str(ROOT / ".venv")


def _processes() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, command line) for every process (Linux /proc)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry)] = (ppid, cmdline)
    return table


class ServedHub:
    """One instance folder (and database), started and stopped as an operator would."""

    def __init__(self, folder: Path, database_url: str | None):
        self.folder = folder
        self.two_step_keys: dict[str, str] = {}  # administrators' authenticator keys
        self.used_steps: dict[str, int] = {}
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # As an operator's shell: no HUB_ settings of the test run, no make state of `make test`.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("HUB_") and k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        self.env.update({
            "HUB_INSTANCE_PATH": str(folder / "instance"),
            "HUB_PORT": str(self.port),
            "HUB_WORKERS": "2",
            "HUB_TRUSTED_PROXIES": "1",
            "HUB_FORUM_NEW_MEMBER_RATE_LIMIT": "60 per minute",
        })
        if database_url:
            self.env["HUB_DATABASE_URL"] = database_url
        self.database_url = database_url or f"sqlite:///{folder / 'instance' / 'hub.sqlite'}"
        self.process: subprocess.Popen | None = None
        self.log_path = folder / "serve.log"

    # -- running -------------------------------------------------------------------
    def start(self, timeout: float = 180) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(["make", "--no-print-directory", "serve", f"VENV={_venv()}"], cwd=ROOT,
                                        env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/", timeout=5).status_code == 200 and len(self.worker_pids()) == 2:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.25)
        self.stop()
        pytest.fail(f"the hub did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10  # gunicorn's workers go with their master
        while self._tree() and time.monotonic() < deadline:
            time.sleep(0.1)

    def restart(self) -> None:
        self.stop()
        self.start()

    def _tree(self) -> dict[int, tuple[int, str]]:
        """The processes started by ``make serve``: make, the master, its workers."""
        table = _processes()
        found = {}
        for pid, (ppid, cmdline) in table.items():
            ancestor = pid
            while ancestor > 1:
                if ancestor == self.process.pid:
                    found[pid] = (ppid, cmdline)
                    break
                ancestor = table.get(ancestor, (1, ""))[0]
        return found

    def master_pid(self) -> int | None:
        tree = self._tree()
        for pid, (ppid, cmdline) in tree.items():
            if "bin/hub" in cmdline and "bin/hub" not in tree.get(ppid, (0, ""))[1]:
                return pid
        return None

    def worker_pids(self) -> list[int]:
        master = self.master_pid()
        return sorted(pid for pid, (ppid, cmd) in self._tree().items() if ppid == master and "search follow" not in cmd)

    def follower_pids(self) -> list[int]:
        """The search indexer's process beside the workers."""
        master = self.master_pid()
        return sorted(pid for pid, (ppid, cmd) in self._tree().items() if ppid == master and "search follow" in cmd)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- commands and data -----------------------------------------------------------
    def hub_command(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """Another ``hub`` command against the running site, as an operator runs it."""
        return subprocess.run([str(Path(_venv()) / "bin" / "hub"), *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def query(self, sql: str, **params) -> list:
        """Read the site's database directly: what was really saved."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params))
        finally:
            engine.dispose()

    def next_code(self, email: str) -> str:
        """The authenticator app's code for the next time step no login has used
        (the hub takes each step's code once), waiting for it when need be."""
        totp = pyotp.TOTP(self.two_step_keys[email])
        step = max(int(time.time() // 30), self.used_steps.get(email, -1) + 1)
        while step > int(time.time() // 30) + 1:  # the hub accepts one step ahead at most
            time.sleep(1)
        self.used_steps[email] = step
        return totp.generate_otp(step)

    def visitor(self, address: str | None = None) -> "Visitor":
        return Visitor(self, address)


class Visitor:
    """One browser: its own cookies and its own client address."""

    def __init__(self, hub: ServedHub, address: str | None = None):
        self.hub = hub
        n = next(_addresses)
        self.address = address or f"198.51.{n // 250 % 250}.{n % 250 + 1}"
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = self.address

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.get(self.hub.url + path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        return self.http.post(self.hub.url + path, data=data, **kwargs)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def submit(self, path: str, data: dict, **kwargs) -> requests.Response:
        """Open the form page, then send it with its token, as a browser does."""
        return self.post(path, dict(data, csrf_token=self.csrf_token(path)), **kwargs)

    def register(self, name: str, email: str | None = None) -> str:
        email = email or f"{name.lower().replace(' ', '.')}.{secrets.token_hex(3)}@example.org"
        response = self.submit("/register", {"display_name": name, "email": email, "password": PASSWORD,
                                             "confirm": PASSWORD, "country": "DK", "organisation": "Jobcenter",
                                             "profession": "counsellor", "language": "en"})
        assert response.status_code == 302, response.text[:2000]
        self.confirm(email)
        return email

    def confirm(self, email: str) -> None:
        """Open the link of the registration mail, as the new member does; logged in after."""
        [(body,)] = self.hub.query("SELECT body FROM outbox_message WHERE recipient = :email", email=email)
        path = re.search(r"https?://[^/\s]+(/confirm/\S+)", body).group(1)
        response = self.submit(path, {})
        assert response.status_code == 302, response.text[:2000]

    def log_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        return self.submit("/login", {"email": email, "password": password})

    def log_in_admin(self, email: str = ADMIN_EMAIL) -> None:
        """Log in as an administrator, as the served hub requires: password, then a
        code from the authenticator app. The first time, the hub sends the
        administrator to turn two-step verification on, which this does from the
        set-up page like a person with an app would (the key is kept for later logins)."""
        response = self.log_in(email)
        assert response.status_code == 302, response.text[:2000]
        if response.headers["Location"].endswith("/login/code"):
            response = self.submit("/login/code", {"code": self.hub.next_code(email)})
            assert response.status_code == 302, response.text[:2000]
            return
        response = self.get("/admin/users", allow_redirects=False)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step")
        page = self.get("/account/two-step").text
        key = re.search(r'<code class="setup-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
        self.hub.two_step_keys[email] = key
        response = self.submit("/account/two-step/enable", {"code": self.hub.next_code(email), "password": PASSWORD})
        assert response.status_code == 200 and "Your recovery codes" in response.text, response.text[:2000]

    def start_topic(self, title: str, body: str, forum: str = "general") -> str:
        response = self.submit(f"/forum/f/{forum}/new", {"title": title, "body": body, "language": "en"})
        assert response.status_code == 302, response.text[:2000]
        return response.headers["Location"]

    def reply(self, topic_id: int, body: str, token: str | None = None) -> requests.Response:
        path = f"/forum/topic/{topic_id}/reply"
        return self.post(path, {"body": body, "language": "en", "csrf_token": token or self.csrf_token(path)})


def topic_id_of(location: str) -> int:
    return int(re.search(r"/topic/(\d+)", location).group(1))


@pytest.fixture(scope="session")
def server_database():
    """SQLite in the instance folder, or a database of its own on the CI PostgreSQL."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"hub_server_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def hub(tmp_path_factory, server_database):
    """The served hub, shared by the suite (tests that restart it leave it running)."""
    if shutil.which("make") is None:
        pytest.fail("make is needed to run the README's serve command")
    served = ServedHub(tmp_path_factory.mktemp("served"), server_database)
    served.start()
    result = served.hub_command("create-admin", ADMIN_EMAIL, "--name", "Site Admin", "--password", PASSWORD)
    assert result.returncode == 0, result.stderr
    yield served
    served.stop()
