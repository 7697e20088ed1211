"""The four filing lists, page 1 and a deep page: server time against the list's own SQL.

    make bench          (or: uv run python bench/lists.py [--queries] [--profile])

Each list is requested through Django's test ``Client`` in this process (the
whole middleware stack, the view, the template; signed in with
``force_login``, past the second factor; ``DEBUG`` off, as in production), on the
benchmark database:

- to-do: ``/admin/drug-permit/todo/`` as the level-1 approver (20,000 waiting
  at full size);
- enterprise: ``/drug-permits/`` as the owner of the enterprise with the most filings;
- query: ``/admin/drug-permit/query/`` as the same approver (every filing);
- my filings: ``/filings/`` as that owner (its filings of every system, drug permits
  and licences mixed).

The deep page is page ``BENCH_LIST_DEEP_PAGE`` (default 200; the last page if
the list is shorter), reached as a user would: through the cursor the
paginator gives out for the row just before it.  The SQL the request ran is
captured once and then executed again, statement by statement on the bare
database cursor with every row fetched, in the same loop as the requests:
"server" is the request, "SQL" the floor it cannot go below.  Over
``BENCH_LIST_RUNS`` runs each (default 30) it prints p50 and p95 of both, the
ratio of the p95s, the number of statements (+ any that are not reads, not
re-run) and the page's HTML size.  Goal: p95 <= 30 ms and <= 2x its own SQL.

``--queries`` adds each page's statements, grouped, slowest first, the
slowest in full with its query plan (SQLite's ``EXPLAIN QUERY PLAN``;
PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` with ``BENCH_POSTGRES=1``, see
``bench/_setup.py``); ``--profile`` writes a cProfile of
each page's requests to ``BENCH_DIR`` and prints where the time went.
"""

import cProfile
import io
import math
import os
import pstats
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (Django, the bench database)

RUNS = _setup.env_int("BENCH_LIST_RUNS", 30)
DEEP_PAGE = _setup.env_int("BENCH_LIST_DEEP_PAGE", 200)
WARM_UP = 3
GOAL_MS, GOAL_RATIO = 30.0, 2.0


@dataclass
class Case:
    name: str
    user: object
    url: str
    queryset: object  # what the view pages through, scoped as the view scopes it
    ordering: tuple
    per_page: int
    cursor: str = ""
    page_number: int = 1
    first_number: str = ""  # the application number the page must start with
    server: list = field(default_factory=list)
    sql: list = field(default_factory=list)
    statements: list = field(default_factory=list)  # [(sql, [seconds…])]
    other_statements: int = 0
    html_bytes: int = 0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def deep(case: Case, total: int) -> Case:
    """The same list at page DEEP_PAGE, by the cursor of the row just before that page."""
    from portal.pagination import KeysetPaginator

    offset = min(
        (DEEP_PAGE - 1) * case.per_page, max(0, (total - 1) // case.per_page) * case.per_page
    )
    ordered = case.queryset.order_by(*case.ordering)
    paginator = KeysetPaginator(case.queryset, case.ordering, per_page=case.per_page)
    cursor = paginator._cursor(ordered[offset - 1]) if offset else ""
    first = ordered[offset]
    assert paginator.page(after=cursor).items[0].pk == first.pk
    return Case(
        name=case.name,
        user=case.user,
        url=f"{case.url}?after={cursor}" if cursor else case.url,
        queryset=case.queryset,
        ordering=case.ordering,
        per_page=case.per_page,
        cursor=cursor,
        page_number=offset // case.per_page + 1,
        first_number=first.number,
    )


def cases():
    from filings import registry
    from filings.selectors import (
        any_filings_for_filer,
        filings_for_authority,
        filings_for_filer,
        queue,
    )
    from workflows import my_filings
    from workflows.admin_views import QueryView, QueueView

    system = registry.get(_setup.SYSTEM)
    approver = _setup.approver()
    owner, _count = _setup.busiest_owner()
    admin = f"/admin/{system.admin_slug}"
    found = []
    for case in (
        Case(
            "to-do",
            approver,
            f"{admin}/todo/",
            queue(approver, system.key),
            QueueView.ordering,
            QueueView.per_page,
        ),
        # workflows.views.filing_list pages by ("-created_at", "-pk"), 20 a page.
        Case(
            "enterprise",
            owner,
            f"/{system.slug}/",
            filings_for_filer(owner, system.key),
            ("-created_at", "-pk"),
            20,
        ),
        Case(
            "query",
            approver,
            f"{admin}/query/",
            filings_for_authority(approver, system.key),
            QueryView.ordering,
            QueryView.per_page,
        ),
        Case(
            "my filings",
            owner,
            "/filings/",
            any_filings_for_filer(owner),
            my_filings.ORDERING,
            my_filings.PER_PAGE,
        ),
    ):
        total = case.queryset.count()
        case.first_number = case.queryset.order_by(*case.ordering).first().number
        found.append((case, total))
        found.append((deep(case, total), total))
    return found


def client_for(user):
    from base64 import b32encode

    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from portal.accounts import second_factor

    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    # Past the second factor, as a signed-in approver is (the back office asks for it).
    device = second_factor.confirmed_device(user) or second_factor.enrol_with_secret(
        user, b32encode(b"bench-second-factor-").decode()
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def request(client, case: Case):
    started = time.perf_counter()
    response = client.get(case.url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (case.url, response.status_code)
    return elapsed, response


def capture(client, case: Case) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _elapsed, response = request(client, case)
    html = response.content.decode()
    assert case.first_number in html, (case.name, case.page_number, case.first_number)
    case.html_bytes = len(response.content)
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            case.statements.append((sql, []))
        else:
            case.other_statements += 1


def run_sql(case: Case) -> float:
    """The captured statements again, on the bare DB-API cursor, every row fetched."""
    from django.db import connection

    raw = connection.connection.cursor()
    total = 0.0
    for sql, times in case.statements:
        started = time.perf_counter()
        raw.execute(sql)
        raw.fetchall()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        total += elapsed
    raw.close()
    return total


def statements_report(case: Case, top: int = 4) -> str:
    """The page's statements, grouped, slowest first; the slowest in full with its plan."""
    from django.db import connection

    grouped = {}
    for sql, times in case.statements:
        count, total = grouped.get(sql, (0, 0.0))
        grouped[sql] = (count + 1, total + statistics.median(times))
    ranked = sorted(grouped.items(), key=lambda item: -item[1][1])
    lines = [f"--- {case.name}, page {case.page_number}: statements (median ms, all runs) ---"]
    for sql, (count, total) in ranked:
        lines.append(f"{total * 1000:8.2f}  {count:>3}x  {sql[:150]}")
    raw = connection.connection.cursor()
    for sql, (_count, total) in ranked[:top]:
        lines.append(f"\n{total * 1000:.2f} ms: {sql}")
        if connection.vendor == "sqlite":
            raw.execute(f"EXPLAIN QUERY PLAN {sql}")
            lines += [f"    plan: {row[-1]}" for row in raw.fetchall()]
        elif connection.vendor == "postgresql":  # run once more, with what it read
            raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines += [f"    plan: {row[0]}" for row in raw.fetchall()]
    raw.close()
    return "\n".join(lines)


def measure(case: Case) -> None:
    client = client_for(case.user)
    for _ in range(WARM_UP):
        request(client, case)
    capture(client, case)
    for _ in range(RUNS):
        case.server.append(request(client, case)[0])
        case.sql.append(run_sql(case))


def profile(case: Case) -> str:
    client = client_for(case.user)
    request(client, case)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(RUNS):
        request(client, case)
    profiler.disable()
    slug = f"{case.name}-{case.page_number}"
    path = _setup.BENCH_DIR / f"lists-{slug}.prof"
    profiler.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    return f"--- profile of {case.name}, page {case.page_number} ({path}) ---\n{out.getvalue()}"


def main():
    from django.conf import settings

    settings.DEBUG = False  # as served in production (before any template engine exists)
    _setup.ensure_data()
    found = cases()
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"lists on {_setup.APPLICATIONS:,} applications ({_setup.where()}); {RUNS} runs each "
        f"(after {WARM_UP} warm-up requests); times in ms; load average {load}"
    )
    for case, total in found[::2]:
        print(f"  {case.name:<11} {case.url:<30} {total:>9,} rows, {case.per_page} a page")
    header = (
        f"{'list':<11} {'page':>5} {'server p50':>10} {'p95':>7} {'SQL p50':>8} {'p95':>7} "
        f"{'queries':>7} {'p95 ratio':>9} {'HTML KiB':>8}  goal (p95 <= {GOAL_MS:.0f} ms, "
        f"<= {GOAL_RATIO:.0f}x SQL)"
    )
    print(header)
    print("-" * len(header))
    details = []
    for case, _total in found:
        measure(case)
        server50, server95 = statistics.median(case.server), percentile(case.server, 0.95)
        sql50, sql95 = statistics.median(case.sql), percentile(case.sql, 0.95)
        ratio = server95 / sql95 if sql95 else float("inf")
        met = server95 * 1000 <= GOAL_MS and ratio <= GOAL_RATIO
        queries = f"{len(case.statements)}" + (
            f"+{case.other_statements}" if case.other_statements else ""
        )
        print(
            f"{case.name:<11} {case.page_number:>5} {server50 * 1000:>10.1f} "
            f"{server95 * 1000:>7.1f} {sql50 * 1000:>8.2f} {sql95 * 1000:>7.2f} "
            f"{queries:>7} {ratio:>8.1f}x {case.html_bytes / 1024:>8.1f}  "
            f"{'met' if met else 'MISSED'}",
            flush=True,
        )
        if "--queries" in sys.argv:
            details.append(statements_report(case))
        if "--profile" in sys.argv:
            details.append(profile(case))
    for text in details:
        print(text)


if __name__ == "__main__":
    main()
