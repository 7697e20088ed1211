"""The automatic import licence's monthly statistics page: server time against its SQL.

    make bench          (or: uv run python bench/licence_statistics.py [--queries])

On the benchmark database (``BENCH_LICENCES`` issued licences, default 100,000,
see ``bench/_setup.py``), the owner of the enterprise with the most licences
that passed second review opens ``/auto-licences/statistics/`` through Django's
test ``Client`` in this process (the whole middleware stack, the view, the
template, ``DEBUG`` off, signed in with ``force_login``), three times:

- ``december``: December of last year, so the year to date is the whole of
  last year (the heaviest request the data allows);
- ``this month``: this month and this year so far (what the page opens on);
- ``dec. HS nnnn``: December again, filtered by the heading (first four
  digits) of the enterprise's most licensed goods.

In the same loop, ``BENCH_STATS_RUNS`` times (default 30): the page; the same
figures as one hand-written SQL statement (filing → certificate → goods line →
HS code, grouped by commodity and unit) on the bare DB-API cursor of the same
connection, every row fetched (the floor); the page's own statements re-run
the same way (what the query shape costs); and the Excel export of the same
statistics (``?format=xlsx``).  It prints min / median / max of each, the
ratio of the page's median to the SQL's, and the goal (the page's median
<= 200 ms at 100,000 licences).

Before timing, the page's table and the Excel file are checked against the
SQL's rows: the same commodities, the same counts, the same quantities and US
dollar amounts to the place shown (on SQLite, which sums decimals as floating
point, one unit in the last place shown is let through and counted); any
other difference stops the benchmark: a fast wrong answer is no result.

``--queries`` adds the page's statements with their query plans (SQLite's
``EXPLAIN QUERY PLAN``; PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)``) and the
floor's.
"""

import io
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (Django, the bench database)

RUNS = _setup.env_int("BENCH_STATS_RUNS", 30)
WARM_UP = 3
GOAL_MS = 200.0
PASSED = ("ISSUED", "VOID")  # portal.auto_licences.selectors.PASSED_SECOND_REVIEW

# The floor: the same figures, written by hand.  %(month_start)s … are dates.
FLOOR_SQL = """
SELECT h.code, h.name_zh, l.unit,
       SUM(CASE WHEN c.issue_date >= %(month_start)s THEN l.quantity ELSE 0 END),
       SUM(CASE WHEN c.issue_date >= %(month_start)s THEN l.total_usd ELSE 0 END),
       COUNT(DISTINCT CASE WHEN c.issue_date >= %(month_start)s THEN f.id END),
       SUM(l.quantity), SUM(l.total_usd), COUNT(DISTINCT f.id)
FROM filings_filing f
JOIN documents_certificate c ON c.filing_id = f.id
JOIN auto_licences_autolicenceline l ON l.application_id = f.id
JOIN reference_hscode h ON h.id = l.hs_code_id
WHERE f.enterprise_id = %(enterprise)s AND f.system = %(system)s
  AND f.status IN (%(passed)s)
  AND c.issue_date >= %(year_start)s AND c.issue_date <= %(month_end)s{hs_code}
GROUP BY h.code, h.name_zh, l.unit
ORDER BY h.code, l.unit
"""
KEYS = ("month_quantity", "month_usd", "month_count", "year_quantity", "year_usd", "year_count")
PLACES = {"quantity": Decimal("0.001"), "usd": Decimal("0.01"), "count": Decimal(1)}


@dataclass
class Case:
    name: str
    year: int
    month: int
    hs_code: str = ""  # the page's filter: an HS code's first digits
    url: str = ""
    rows: int = 0
    page: list = field(default_factory=list)
    sql: list = field(default_factory=list)
    own_sql: list = field(default_factory=list)
    xlsx: list = field(default_factory=list)
    statements: list = field(default_factory=list)  # the page's reads, as captured
    last_place: int = 0  # cells off by one in the last place shown (SQLite floats)
    html_bytes: int = 0


def busiest_licensee():
    """The owner of the enterprise with the most licences that passed second review."""
    from django.db.models import Count

    from filings.models import Filing
    from portal.accounts.models import Membership

    top = (
        Filing.objects.filter(system=_setup.LICENCE_SYSTEM, status__in=PASSED)
        .values("enterprise_id")
        .annotate(n=Count("id"))
        .order_by("-n", "enterprise_id")
        .first()
    )
    if top is None:
        sys.exit("no issued licences in the benchmark database (BENCH_LICENCES=0?)")
    owner = Membership.objects.select_related("user").get(
        enterprise_id=top["enterprise_id"], is_owner=True
    )
    return owner.user, top["enterprise_id"], top["n"]


def floor_statement(case: Case, enterprise_id: int) -> tuple[str, list]:
    """FLOOR_SQL with the DB-API's placeholders and its parameters, in order."""
    from calendar import monthrange

    from django.db import connection

    day = connection.ops.adapt_datefield_value
    values = {
        "month_start": day(date(case.year, case.month, 1)),
        "year_start": day(date(case.year, 1, 1)),
        "month_end": day(date(case.year, case.month, monthrange(case.year, case.month)[1])),
        "enterprise": enterprise_id,
        "system": _setup.LICENCE_SYSTEM,
        "hs_prefix": f"{case.hs_code}%",
    }
    mark = "?" if connection.vendor == "sqlite" else "%s"
    order = []

    def placeholder(match):
        name = match.group(1)
        if name == "passed":
            order.extend(PASSED)
            return ", ".join([mark] * len(PASSED))
        order.append(values[name])
        return mark

    hs_code = "\n  AND h.code LIKE %(hs_prefix)s" if case.hs_code else ""
    sql = re.sub(r"%\((\w+)\)s", placeholder, FLOOR_SQL.format(hs_code=hs_code))
    return sql, order


def run_floor(sql: str, params: list) -> tuple[float, list]:
    from django.db import connection

    raw = connection.connection.cursor()
    started = time.perf_counter()
    raw.execute(sql, params)
    rows = raw.fetchall()
    elapsed = time.perf_counter() - started
    raw.close()
    return elapsed, rows


def run_statements(statements: list) -> float:
    """The page's captured reads again, on the bare DB-API cursor, every row fetched."""
    from django.db import connection

    raw = connection.connection.cursor()
    started = time.perf_counter()
    for sql in statements:
        raw.execute(sql)
        raw.fetchall()
    elapsed = time.perf_counter() - started
    raw.close()
    return elapsed


def request(client, url: str):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response


def _number(text) -> Decimal:
    """A figure as the page prints it (grouped digits) or as Excel holds it."""
    if isinstance(text, (int, float)):
        return Decimal(repr(text))
    return Decimal(re.sub(r"[,\s\u00a0\u202f]", "", text))


def expected(floor_rows: list) -> dict:
    """{(code, unit): {key: Decimal}} from the floor's rows, to the places the page shows."""
    figures = {}
    for code, _name, unit, *values in floor_rows:
        figures[(code, unit)] = {
            key: Decimal(repr(value) if isinstance(value, float) else str(value))
            for key, value in zip(KEYS, values, strict=True)
        }
    return figures


def compare(case: Case, where: str, got: dict, want: dict) -> None:
    """Stop the benchmark unless ``got`` is ``want`` to the places shown."""
    from django.db import connection

    problems = []
    if set(got) != set(want):
        problems.append(
            f"commodities differ: only on the {where}: {sorted(set(got) - set(want))}; "
            f"only in the SQL: {sorted(set(want) - set(got))}"
        )
    for key in sorted(set(got) & set(want)):
        for name in KEYS:
            place = PLACES[name.split("_")[1]]
            shown, exact = got[key][name], want[key][name].quantize(place)
            if shown == exact:
                continue
            if connection.vendor == "sqlite" and place < 1 and abs(shown - exact) <= place:
                case.last_place += 1  # the float sum rounded the other way
                continue
            problems.append(f"{key} {name}: {where} {shown}, SQL {want[key][name]}")
    if problems:
        sys.exit(
            f"licence statistics, {case.name}: the {where} differs from the SQL:\n  "
            + "\n  ".join(problems[:20])
        )


def page_figures(html: str) -> dict:
    figures = {}
    for code, row in re.findall(r'<tr data-code="(\d+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
        assert len(cells) == 9, (code, cells)
        figures[(code, cells[2])] = {
            key: _number(cell) for key, cell in zip(KEYS, cells[3:], strict=True)
        }
    return figures


def xlsx_figures(content: bytes) -> dict:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    figures = {}
    for code, _name, unit, *values in sheet.iter_rows(min_row=2, values_only=True):
        figures[(code, unit)] = {
            key: _number(value).quantize(PLACES[key.split("_")[1]])
            for key, value in zip(KEYS, values, strict=True)
        }
    return figures


def check(case: Case, client, sql: str, params: list) -> None:
    """The page's and the Excel file's figures are the SQL's; the page's reads captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _elapsed, floor_rows = run_floor(sql, params)
    want = expected(floor_rows)
    case.rows = len(floor_rows)
    with CaptureQueriesContext(connection) as captured:
        _elapsed, response = request(client, case.url)
    html = response.content.decode()
    case.html_bytes = len(response.content)
    compare(case, "page", page_figures(html), want)
    case.statements = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    _elapsed, response = request(client, f"{case.url}&format=xlsx")
    compare(case, "Excel export", xlsx_figures(response.content), want)


def plans(case: Case, sql: str, params: list) -> str:
    from django.db import connection

    lines = [f"--- {case.name}: the page's reads, then the floor, with their plans ---"]
    raw = connection.connection.cursor()
    # The captured statements hold their values (a LIKE's % too): no parameters at all.
    for statement, args in [(s, []) for s in case.statements] + [(sql, [params])]:
        started = time.perf_counter()
        raw.execute(statement, *args)
        raw.fetchall()
        lines.append(f"\n{(time.perf_counter() - started) * 1000:.2f} ms: {statement.strip()}")
        if connection.vendor == "sqlite":
            raw.execute(f"EXPLAIN QUERY PLAN {statement}", *args)
            lines += [f"    plan: {row[-1]}" for row in raw.fetchall()]
        else:
            raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *args)
            lines += [f"    plan: {row[0]}" for row in raw.fetchall()]
    raw.close()
    return "\n".join(lines)


def measure(case: Case, client, sql: str, params: list) -> None:
    for _ in range(WARM_UP):
        request(client, case.url)
        run_floor(sql, params)
    for _ in range(RUNS):  # interleaved: the machine's noise falls on all alike
        case.page.append(request(client, case.url)[0])
        case.sql.append(run_floor(sql, params)[0])
        case.own_sql.append(run_statements(case.statements))
        case.xlsx.append(request(client, f"{case.url}&format=xlsx")[0])


def spread(values: list) -> str:
    ms = [v * 1000 for v in values]
    return f"{min(ms):7.1f} {statistics.median(ms):7.1f} {max(ms):7.1f}"


def main():
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from portal.auto_licences.models import AutoLicenceLine

    settings.DEBUG = False  # as served in production (before any template engine exists)
    _setup.ensure_data()
    owner, enterprise_id, licences = busiest_licensee()
    lines = AutoLicenceLine.objects.filter(
        application__enterprise_id=enterprise_id, application__status__in=PASSED
    ).count()
    today = date.today()
    base = reverse("auto_licences:statistics")
    # The filter: the heading (first four digits) of the enterprise's most licensed goods.
    heading = (
        AutoLicenceLine.objects.filter(application__enterprise_id=enterprise_id)
        .values("hs_code__code")
        .annotate(n=Count("id"))
        .order_by("-n", "hs_code__code")
        .first()["hs_code__code"][:4]
    )
    cases = [
        Case("december", today.year - 1, 12),
        Case("this month", today.year, today.month),
        Case(f"dec. HS {heading}", today.year - 1, 12, hs_code=heading),
    ]
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"licence statistics on {_setup.LICENCES:,} issued licences ({_setup.where()}); "
        f"{owner.username}'s enterprise: {licences:,} passed second review, {lines:,} goods "
        f"lines; {RUNS} runs each (after {WARM_UP} warm-up); times in ms; load average {load}"
    )
    header = (
        f"{'period':<12} {'rows':>4} {'page min':>8} {'median':>7} {'max':>7}  "
        f"{'SQL min':>7} {'median':>7} {'max':>7}  {'ratio':>6}  {'own SQL':>7}  "
        f"{'xlsx med':>8}  goal (page median <= {GOAL_MS:.0f} ms)"
    )
    print(header)
    print("-" * len(header))
    details = []
    for case in cases:
        case.url = f"{base}?year={case.year}&month={case.month}&hs_code={case.hs_code}"
        sql, params = floor_statement(case, enterprise_id)
        check(case, client, sql, params)
        measure(case, client, sql, params)
        page, floor = statistics.median(case.page), statistics.median(case.sql)
        print(
            f"{case.name:<12} {case.rows:>4} {spread(case.page)}  {spread(case.sql)}  "
            f"{page / floor:>5.1f}x  {statistics.median(case.own_sql) * 1000:>7.1f}  "
            f"{statistics.median(case.xlsx) * 1000:>8.1f}  "
            f"{'met' if page * 1000 <= GOAL_MS else 'MISSED'}",
            flush=True,
        )
        if "--queries" in sys.argv:
            details.append(plans(case, sql, params))
    print(
        "  ratio: page median / SQL median; own SQL: the page's statements re-run (median); "
        "xlsx: the Excel export of the same statistics (median)"
    )
    for case in cases:
        note = (
            f", {case.last_place} cells one unit off in the last place (SQLite float sums)"
            if case.last_place
            else ""
        )
        print(
            f"  checked {case.name} ({case.year}-{case.month:02d}): page and Excel figures "
            f"equal the SQL's, {case.rows} commodities, {len(case.statements)} reads, "
            f"HTML {case.html_bytes / 1024:.0f} KiB{note}"
        )
    for text in details:
        print(text)


if __name__ == "__main__":
    main()
