"""Live status push: 1,000 WebSocket clients, 10,000 status changes.

    make bench          (or: uv run python bench/live_push.py)

Three processes, as in production: daphne serving the portal, this process
holding 1,000 signed-in WebSocket clients (100 enterprises × 10 users), and
a publisher process making 10,000 status changes (audit entries committed,
then published) paced at --rate per second.  They share a throw-away Redis
(redis-server must be installed: `make deps` with the services packages).
Latency is from the event's creation just after commit to the client's
receipt; "lost" counts (event, client) pairs that never arrived.  Sizes:
``BENCH_PUSH_ENTERPRISES`` (100), ``BENCH_PUSH_USERS`` (10 per enterprise),
``BENCH_PUSH_CHANGES`` (10,000).
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENTERPRISES = int(os.environ.get("BENCH_PUSH_ENTERPRISES") or 100)
USERS_EACH = int(os.environ.get("BENCH_PUSH_USERS") or 10)
CHANGES = int(os.environ.get("BENCH_PUSH_CHANGES") or 10_000)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port, process=None, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError("process exited") from None
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def prepare_users():
    """USERS_EACH users in each of ENTERPRISES enterprises, each with a session.

    Returns [(enterprise, session key)] and, per enterprise, the filing whose changes it hears.
    """
    import _setup
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from filings.models import Filing
    from portal.accounts.models import Enterprise, Membership, ModuleGrant, User

    enterprises = list(Enterprise.objects.order_by("pk")[:ENTERPRISES])
    users = []
    for enterprise in enterprises:
        for n in range(USERS_EACH):
            username = f"live-{enterprise.pk}-{n}"
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_unusable_password()
                user.save()
                membership = Membership.objects.create(
                    user=user, enterprise=enterprise, is_owner=False
                )
                ModuleGrant.objects.create(membership=membership, module=_setup.SYSTEM)
            users.append((enterprise.pk, user))
    sessions = []
    for enterprise_id, user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append((enterprise_id, store.session_key))
    targets = {
        e.pk: Filing.objects.filter(enterprise=e, system=_setup.SYSTEM)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        for e in enterprises
    }
    return sessions, targets


def publisher(rate: float, targets_json: str):
    """Make the status changes: one audit entry per change, published after commit."""
    import _setup
    from django.db import transaction

    from filings import audit, registry

    model = registry.get(_setup.SYSTEM).model  # the system's own model, as the runner records
    targets = list(model.objects.filter(pk__in=json.loads(targets_json)))
    states = ["PENDING_ACCEPTANCE", "WITHDRAWAL_PENDING"]
    started = time.perf_counter()
    for n in range(CHANGES):
        target = targets[n % len(targets)]
        with transaction.atomic():
            audit.record(
                target=target,
                actor=None,
                transition="bench",
                from_state=states[n % 2],
                to_state=states[(n + 1) % 2],
            )
        pause = started + (n + 1) / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    print(json.dumps({"seconds": time.perf_counter() - started}))


async def clients(port, sessions, expected_events, ready, done_after):
    import websockets

    received = {}  # (client, event id) -> latency
    per_enterprise = {}

    async def client(index, enterprise_id, key):
        per_enterprise.setdefault(enterprise_id, []).append(index)
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/status/",
            additional_headers={"Cookie": f"sessionid={key}", "Origin": f"http://127.0.0.1:{port}"},
            open_timeout=60,
            max_queue=None,
        ) as socket_:
            ready.append(index)
            async for raw in socket_:
                now = time.time()
                data = json.loads(raw)
                if data.get("type") == "status" and data.get("status") in (
                    "PENDING_ACCEPTANCE",
                    "WITHDRAWAL_PENDING",
                ):
                    at = datetime.fromisoformat(data["at"]).timestamp()
                    received[(index, data["id"])] = now - at
                if done_after.is_set():
                    return

    tasks = []
    for index, (enterprise_id, key) in enumerate(sessions):
        tasks.append(asyncio.create_task(client(index, enterprise_id, key)))
        if index % 20 == 19:  # ramp up: let each batch finish its handshake
            while len(ready) < index + 1 and not any(t.done() for t in tasks):
                await asyncio.sleep(0.02)
    return tasks, received, per_enterprise


async def run(args, sessions, targets):
    import websockets  # noqa: F401

    port = args.port
    ready, done = [], asyncio.Event()
    tasks, received, per_enterprise = await clients(port, sessions, None, ready, done)
    while len(ready) < len(sessions):
        failed = [t for t in tasks if t.done() and t.exception()]
        if failed:
            raise RuntimeError(f"{len(failed)} clients failed: {failed[0].exception()!r}")
        await asyncio.sleep(0.2)
    print(
        f"{len(ready)} clients connected; publishing {CHANGES:,} changes at {args.rate}/s…",
        flush=True,
    )
    env = {**os.environ}
    publisher_process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--publisher",
        str(args.rate),
        json.dumps(list(targets.values())),
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await publisher_process.communicate()
    published = json.loads(out.decode().strip().splitlines()[-1])
    await asyncio.sleep(3)  # let the last pushes land
    done.set()
    for task in tasks:
        task.cancel()
    return received, per_enterprise, published


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0, help="status changes per second")
    args = parser.parse_args()
    redis = shutil.which("redis-server")
    if redis is None:
        sys.exit(
            "redis-server is not installed: run `bash scripts/deps.sh postgresql redis-server`."
        )
    redis_port = free_port()
    folder = tempfile.mkdtemp()
    redis_process = subprocess.Popen(
        [redis, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    sys.path.insert(0, str(HERE))
    import _setup

    _setup.ensure_data()
    from notifications.models import Event

    sessions, targets = prepare_users()
    assert all(targets.values())
    args.port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(args.port),
            "portal.asgi:application",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=open(_setup.BENCH_DIR / "daphne.log", "w"),  # noqa: SIM115
    )
    try:
        wait_for(args.port, server)
        first_event = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        received, per_enterprise, published = asyncio.run(run(args, sessions, targets))
    finally:
        server.terminate()
        redis_process.terminate()
        shutil.rmtree(folder, ignore_errors=True)
    events = list(
        Event.objects.filter(pk__gt=first_event, subject="application").values_list(
            "pk", "enterprise_id"
        )
    )
    expected = {
        (client, pk) for pk, enterprise in events for client in per_enterprise.get(enterprise, [])
    }
    got = {key for key in received if key in expected}
    latencies = sorted(received[key] * 1000 for key in got)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    print(f"clients:                 {len(sessions):,} ({ENTERPRISES} enterprises × {USERS_EACH})")
    print(
        f"status changes:          {len(events):,} in {published['seconds']:.1f} s "
        f"({len(events) / published['seconds']:.0f}/s)"
    )
    print(
        f"pushes expected:         {len(expected):,}; received {len(got):,}; "
        f"lost {len(expected) - len(got):,}"
    )
    print(
        f"latency commit→client:   median {statistics.median(latencies):.1f} ms, "
        f"p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms   (goal p95 <= 100 ms, 0 lost)"
    )


if __name__ == "__main__":
    if "--publisher" in sys.argv:
        sys.path.insert(0, str(HERE))
        index = sys.argv.index("--publisher")
        publisher(float(sys.argv[index + 1]), sys.argv[index + 2])
    else:
        main()
