"""Create + submit through the machine API against the same through the web forms.

    make bench          (or: uv run python bench/api_vs_web.py)
    BENCH_POSTGRES=1 bash scripts/with-services.sh uv run python bench/api_vs_web.py

The portal is served as production serves it (daphne on ``portal.asgi:application``,
one process, on a free loopback port; ``DEBUG`` off), on the benchmark database of
``bench/_setup.py`` (SQLite, or PostgreSQL with ``BENCH_POSTGRES=1``): the filings table
the new rows go into already holds the bulk data, as in production.  No worker is
started: nothing in create or submit waits for one.

The system: the export drug archive (出口药品档案), whose create + submit is a whole
filing in two calls: no goods lines, no attachments, no second factor.  The drug
permit and the licence need a second factor on every API submit (``X-Second-Factor``),
and django-otp accepts each TOTP time step once per device: one user can submit at most
about one of those per 30 s by API, so they cannot carry a throughput figure.

``BENCH_API_CLIENTS`` clients (default 20) run at once, each a thread with its own
manufacturer (``bench-api-NNN``, made beside the bulk data with the details the archive
asks for), its owner's API token (Wagtail's ``APIToken``) and a signed-in web session (a
session row, as a sign-in leaves it).  Each files the same values both ways, with a
new approval number each time:

- API (2 requests): ``POST /api/v1/export-drug-archives/applications`` (JSON, with an
  ``Idempotency-Key``) and ``POST …/{number}/submit`` (with its own key);
- web (5 requests, as a browser makes them): ``GET …/new/`` (the form and its CSRF
  token), ``POST …/new/`` (302), ``GET`` the detail it redirects to (the submit form),
  ``POST …/{number}/submit/`` (302), ``GET`` the detail again (the result).

Both paths in the same run, in alternating rounds (``BENCH_API_ROUNDS``, default 5;
the first path of each round alternates), every client doing
``BENCH_API_PAIRS / rounds`` pairs (default 25 pairs per client per path) a round;
one pair per client per path first, not counted, warms the server.  Every response's
status is checked (a 4xx/5xx, or a form shown again instead of its redirect, stops
the bench), and at the end every filed number must be SUBMITTED in the database.
The API's throttle is lifted (``PORTAL_API_THROTTLE_RATE``; its check still runs).
Requests/s and pairs/s are over the wall time of each path's rounds; latencies are
each request's and each whole pair's, as the client saw them (the clients are threads
of this process, on the same cores as the server: their own time counts on both paths).

Found on its first PostgreSQL run: with persistent connections (``conn_max_age=60``)
daphne kept one connection open per request thread and PostgreSQL refused new ones
("too many clients") within seconds; the settings now close them after each request,
as Django's docs ask under ASGI.
"""

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SLUG = "export-drug-archives"
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS") or 20)
PAIRS = int(os.environ.get("BENCH_API_PAIRS") or 25)
ROUNDS = max(1, min(PAIRS, int(os.environ.get("BENCH_API_ROUNDS") or 5)))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: str) -> None:
    """The server process: daphne as scripts/supervisord.conf runs it, DEBUG off."""
    sys.path.insert(0, str(ROOT))
    from daphne.cli import CommandLineInterface
    from django.conf import settings

    settings.DEBUG = False  # as served in production (before any template engine exists)
    CommandLineInterface().run(["-b", "127.0.0.1", "-p", port, "portal.asgi:application"])


class Failed(RuntimeError):
    pass


@dataclass
class Client:
    """One enterprise's owner: its token, its session, its approval numbers."""

    index: int
    token: str
    session_key: str
    enterprise_name: str
    next_number: int
    values: dict
    form: dict
    numbers: dict = field(default_factory=lambda: {"api": [], "web": []})

    def approval_number(self) -> str:
        self.next_number += 1
        return f"国药准字H{self.next_number:08d}"


def prepare(count: int) -> list[Client]:
    """``count`` manufacturers of their own beside the bulk data (made once, kept with
    the database; the other benches' enterprises stay as they were), each complete for
    the archive, with its owner's token and signed-in session."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from wagtail.models import APIToken

    from portal.accounts.models import Enterprise, Membership, User
    from portal.export_drug_archives.models import ExportDrugArchive
    from portal.reference.models import Country, DosageForm, HSCode

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    dosage = DosageForm.objects.live().order_by("code").first()
    hs_code = HSCode.objects.live().filter(code__startswith="30").order_by("code").first()
    countries = list(Country.objects.live().filter(code__in=["DE", "FR"]).order_by("code"))
    if dosage is None or hs_code is None or len(countries) != 2:
        raise Failed("the reference data lacks a dosage form, an HS code 30… or DE/FR")
    address = "北京市大兴区天华街8号"
    clients = []
    for index in range(count):
        enterprise, _created = Enterprise.objects.get_or_create(
            uscc=f"91110000APIWB{index:05d}",
            defaults=dict(
                name_zh=f"基准接口制药有限公司{index:03d}",
                province="110000",
                division_code="110000",
                address=address,
                contact_name="张三",
                contact_phone="13800138000",
                contact_email=f"api-bench{index}@example.cn",
                trade_registration_number="01234567",
                legal_representative=f"法人{index:03d}",
                drug_manufacturing_licence=f"京2026{index:04d}",
                production_address=address,
            ),
        )
        user, created = User.objects.get_or_create(
            username=f"bench-api-{index:03d}",
            defaults={"password": make_password(None), "first_name": f"法人{index:03d}"},
        )
        if created:
            Membership.objects.create(user=user, enterprise=enterprise, is_owner=True)
        APIToken.objects.filter(user=user, name="bench-api-vs-web").delete()
        _token, plaintext = APIToken.create_token(user=user, name="bench-api-vs-web")
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        text = {
            "generic_name_zh": "阿莫西林胶囊",
            "generic_name_en": "Amoxicillin Capsules",
            "trade_name_zh": "",
            "trade_name_en": "",
            "specification": "0.25g",
            "packaging": "10粒/板×2板/盒",
            "mah_name": enterprise.name_zh,
            "manufacturer_name": enterprise.name_zh,
            "production_address": address,
            "remarks": "",
        }
        # The same values both ways: reference items by code on the API, by id in the form.
        values = {
            **text,
            "dosage_form": dosage.code,
            "hs_code": hs_code.code,
            "export_countries": [c.code for c in countries],
        }
        form = {
            **text,
            "dosage_form": str(dosage.pk),
            "hs_code": str(hs_code.pk),
            "export_countries": [str(c.pk) for c in countries],
        }
        taken = ExportDrugArchive.objects.filter(enterprise=enterprise).count()
        clients.append(
            Client(index, plaintext, store.session_key, enterprise.name_zh, taken, values, form)
        )
    return clients


def csrf_token(page) -> str:
    found = CSRF.search(page.text)
    if found is None:
        raise Failed(f"no form on {page.url}: {page.text[:600]}")
    return found.group(1)


class Runner:
    """The HTTP side: one thread per client, each with a keep-alive connection per path."""

    def __init__(self, base: str, clients: list[Client]):
        import requests
        from django.conf import settings

        self.base = base
        self.clients = clients
        self.api = []
        self.web = []
        for client in clients:
            api = requests.Session()
            api.headers["Authorization"] = f"Bearer {client.token}"
            web = requests.Session()
            web.cookies.set(settings.SESSION_COOKIE_NAME, client.session_key, domain="127.0.0.1")
            web.headers["Accept-Language"] = "en"
            self.api.append(api)
            self.web.append(web)
        self.requests = {"api": [], "web": []}  # (kind, seconds)
        self.pairs = {"api": [], "web": []}
        self.wall = {"api": 0.0, "web": 0.0}
        self.lock = threading.Lock()

    def _call(self, session, method, path, expect, kind, times, **kwargs):
        started = time.perf_counter()
        response = session.request(
            method, self.base + path, allow_redirects=False, timeout=120, **kwargs
        )
        times.append((kind, time.perf_counter() - started))
        if response.status_code != expect:
            raise Failed(
                f"{method} {path} ({kind}): {response.status_code}, expected {expect}: "
                f"{response.text[:600]}"
            )
        return response

    def api_pair(self, n: int, times: list) -> str:
        client, session = self.clients[n], self.api[n]
        body = {**client.values, "approval_number": client.approval_number()}
        created = self._call(
            session,
            "POST",
            f"/api/v1/{SLUG}/applications",
            201,
            "create",
            times,
            json=body,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ).json()
        number = created["number"]
        done = self._call(
            session,
            "POST",
            f"/api/v1/{SLUG}/applications/{number}/submit",
            200,
            "submit",
            times,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ).json()
        if done.get("status") != "SUBMITTED":
            raise Failed(f"API submit of {number} answered status {done.get('status')!r}")
        return number

    def web_pair(self, n: int, times: list) -> str:
        client, session = self.clients[n], self.web[n]
        page = self._call(session, "GET", f"/{SLUG}/new/", 200, "create form", times)
        token = csrf_token(page)
        data = {
            **client.form,
            "approval_number": client.approval_number(),
            "csrfmiddlewaretoken": token,
        }
        created = self._call(session, "POST", f"/{SLUG}/new/", 302, "create", times, data=data)
        detail = created.headers["Location"]
        match = re.fullmatch(rf"(?:{re.escape(self.base)})?/{SLUG}/([^/]+)/", detail)
        if match is None:
            raise Failed(f"create redirected to {detail}, not to a detail page")
        number = match.group(1)
        page = self._call(session, "GET", detail, 200, "detail", times)
        token = csrf_token(page)
        submitted = self._call(
            session,
            "POST",
            f"/{SLUG}/{number}/submit/",
            302,
            "submit",
            times,
            data={"csrfmiddlewaretoken": token},
        )
        if submitted.headers["Location"].removeprefix(self.base) != detail.removeprefix(self.base):
            raise Failed(f"submit of {number} redirected to {submitted.headers['Location']}")
        self._call(session, "GET", detail, 200, "detail", times)
        return number

    def round(self, path: str, pairs_each: int, counted: bool = True) -> None:
        """Every client ``pairs_each`` pairs of ``path`` at once; the round's wall time."""
        work = self.api_pair if path == "api" else self.web_pair
        barrier = threading.Barrier(len(self.clients) + 1)
        errors = []

        def client(n):
            times, pairs, numbers = [], [], []
            barrier.wait()
            try:
                for _ in range(pairs_each):
                    if errors:
                        return
                    started = time.perf_counter()
                    numbers.append(work(n, times))
                    pairs.append(time.perf_counter() - started)
            except Exception as error:  # noqa: BLE001  (reported by the main thread)
                errors.append(error)
                return
            with self.lock:
                self.clients[n].numbers[path] += numbers
                if counted:
                    self.requests[path] += times
                    self.pairs[path] += pairs

        threads = [threading.Thread(target=client, args=(n,)) for n in range(len(self.clients))]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        if errors:
            raise Failed(f"{path}: {errors[0]}") from errors[0]
        if counted:
            self.wall[path] += time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * p + 0.999999) - 1))]


def wait_for(base: str, server, seconds: int = 120) -> None:
    import requests

    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise Failed(f"daphne exited ({server.returncode}): see its log")
        try:
            if requests.get(base + "/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise Failed(f"no 200 from {base}/ within {seconds} s")


def check_database(clients: list[Client]) -> dict:
    from portal.export_drug_archives.models import ExportDrugArchive

    found = {}
    for path in ("api", "web"):
        numbers = [n for c in clients for n in c.numbers[path]]
        submitted = ExportDrugArchive.objects.filter(number__in=numbers, status="SUBMITTED")
        found[path] = submitted.count()
        if found[path] != len(numbers) or len(set(numbers)) != len(numbers):
            raise Failed(f"{path}: {len(numbers)} filed, {found[path]} SUBMITTED in the database")
    return found


def report(runner: Runner, where: str) -> None:
    rows = {}
    for path in ("api", "web"):
        times = [s for _kind, s in runner.requests[path]]
        pairs = runner.pairs[path]
        wall = runner.wall[path]
        rows[path] = {
            "pairs": len(pairs),
            "requests": len(times),
            "wall": wall,
            "rps": len(times) / wall,
            "pps": len(pairs) / wall,
            "req50": statistics.median(times) * 1000,
            "req95": pct(times, 0.95) * 1000,
            "pair50": statistics.median(pairs) * 1000,
            "pair95": pct(pairs, 0.95) * 1000,
            "kinds": {
                kind: pct([s for k, s in runner.requests[path] if k == kind], 0.95) * 1000
                for kind in dict.fromkeys(k for k, _s in runner.requests[path])
            },
        }
    print(
        f"create + submit of an export drug archive record, {len(runner.clients)} concurrent "
        f"clients, {where}, daphne, {ROUNDS} alternating rounds"
    )
    print(f"{'':24}{'API':>12}{'web forms':>12}{'API/web':>10}")

    def line(label, key, fmt="{:12.1f}", ratio=True):
        api, web = rows["api"][key], rows["web"][key]
        tail = f"{api / web:10.2f}" if ratio and web else ""
        print(f"{label:24}{fmt.format(api)}{fmt.format(web)}{tail}")

    line("pairs done", "pairs", "{:12d}", ratio=False)
    line("requests", "requests", "{:12d}", ratio=False)
    line("wall time, s", "wall")
    line("requests/s", "rps")
    line("pairs/s", "pps")
    line("request p50, ms", "req50")
    line("request p95, ms", "req95")
    line("pair p50, ms", "pair50")
    line("pair p95, ms", "pair95")
    for path in ("api", "web"):
        kinds = ", ".join(f"{k} {v:.0f}" for k, v in rows[path]["kinds"].items())
        print(f"p95 by request ({path}, ms): {kinds}")
    print(
        f"(API: 2 requests a pair, web: 5, as a browser makes them; every filing checked "
        f"SUBMITTED in the database; pairs/s API/web = "
        f"{rows['api']['pps'] / rows['web']['pps']:.2f}×)"
    )


def main() -> None:
    os.environ["PORTAL_API_THROTTLE_RATE"] = "100000000/min"  # measure the server, not 429s
    sys.path.insert(0, str(HERE))
    import _setup

    _setup.ensure_data()
    clients = prepare(CLIENTS)
    from django.db import connections

    connections.close_all()  # SQLite: no connection held open beside the server
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = _setup.BENCH_DIR / "daphne-api-vs-web.log"
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with open(log, "w") as log_file:
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port)],
            cwd=ROOT,
            env={**os.environ},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(base, server)
            runner = Runner(base, clients)
            each = PAIRS // ROUNDS
            extra = PAIRS - each * ROUNDS
            print(
                f"{len(clients)} clients, {PAIRS} pairs each per path in {ROUNDS} rounds "
                f"on {base} ({_setup.where()}); warming up…",
                flush=True,
            )
            runner.round("api", 1, counted=False)
            runner.round("web", 1, counted=False)
            for r in range(ROUNDS):
                size = each + (1 if r < extra else 0)
                for path in ("api", "web") if r % 2 == 0 else ("web", "api"):
                    runner.round(path, size)
        except BaseException:
            print(f"daphne's log: {log}", file=sys.stderr)
            raise
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    check_database(clients)
    report(runner, _setup.where() if _setup.POSTGRES else "SQLite")
    print(
        f"(whole run {time.perf_counter() - started:.1f} s; load average over 1 min at the "
        f"start {load_before:.1f}, at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        f"cores; server log {log})"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        try:
            main()
        except Failed as error:
            sys.exit(f"api_vs_web: FAILED: {error}")
