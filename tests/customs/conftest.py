"""A customs simulator on loopback, answering to the live test server."""

import os
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection

from customs.simulator import Simulator, make_handler

from ..drug_permit_helpers import decide_all

ROOT = Path(__file__).resolve().parents[2]


class RunningSimulator:
    def __init__(self, simulator: Simulator, port: int):
        self.simulator, self.port = simulator, port
        self.url = f"http://127.0.0.1:{port}/customs/messages/"

    def received(self, kind=None):
        return [m for m in self.simulator.stats()["messages"] if kind is None or m["kind"] == kind]


def start_simulator(db_path, portal_url, secret, port=0):
    simulator = Simulator(db_path=str(db_path), portal_url=portal_url, secret=secret, delay=0)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(simulator))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, RunningSimulator(simulator, server.server_address[1])


@pytest.fixture
def customs(live_server, settings, tmp_path):
    """The simulator, with CUSTOMS_ENDPOINT pointing at it; ``pump()`` sends its receipts."""
    server, running = start_simulator(
        tmp_path / "customs.sqlite3", f"{live_server.url}/customs/inbound/", settings.CUSTOMS_SECRET
    )
    settings.CUSTOMS_ENDPOINT = running.url
    settings.CUSTOMS_RETRY_BASE_SECONDS = 0
    yield running
    server.shutdown()
    server.server_close()


@pytest.fixture
def certificate(chain, owner, authority):
    return decide_all(owner, chain, authority).certificate


def run_outbox_worker(endpoint: str, **env):
    """``manage.py outbox --once`` in its own process, on the test database."""
    db = connection.settings_dict
    extra = {"PORTAL_CUSTOMS_ENDPOINT": endpoint, "PORTAL_CUSTOMS_LEASE_SECONDS": "0"}
    if db["ENGINE"].endswith("sqlite3"):
        extra["PORTAL_SQLITE_PATH"] = db["NAME"]
    else:
        extra["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "outbox", "--once"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings.dev", **extra, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def send(certificate, actor):
    from customs import services

    return services.send_certificate(certificate=certificate, actor=actor)
