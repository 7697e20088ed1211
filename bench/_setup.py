"""A throw-away database for the benchmarks, filled once with bulk data.

    uv run python bench/_setup.py      (build it now and say how long it took)

Where: ``BENCH_DIR`` (default ``var/bench/``; CI's small run uses ``var/bench-ci/``)
holds the SQLite file, the media the benchmarks upload and the server logs.
How much: ``BENCH_APPLICATIONS`` (default 100,000) drug permit applications,
all filed to one authority (北京市药品监督管理局, DA-110000, every level 1-4
in use), spread over 300 enterprises by a Zipf-like weight (a few big
importers file thousands, most file tens):

    20 % PENDING_ACCEPTANCE (exactly: the level-1 to-do list, 20,000 of 100,000)
    10 % FIRST_REVIEW, 5 % SECOND_REVIEW, 5 % FINAL_DECISION
    40 % APPROVED (each with its certificate and certificate lines)
     5 % NOT_ACCEPTED, 5 % SUPPLEMENT_REQUIRED, 10 % REFUSED

Each has one or two goods lines, the audit entries of the path it took (as
the services write them) and the notices that path sent, so the lists read
what they read in production.

Beside them, ``BENCH_LICENCES`` (default 100,000) automatic import licences
issued (ISSUED, after first and second review) by the licence bureau
(LB-000000) to the same 300 enterprises, by the same Zipf-like weight in
another order.  Each has its certificate (issue dates evenly from 1 January
of last year to three days ago), one to three goods lines (HS codes under
the licence from the reference data, 3 to 30 of them per enterprise; quantity,
unit, price in USD, EUR or AUD, total and total in US dollars) and the
certificate's lines.  Per 100 issued, not counted by the statistics: 5
drafts, 5 waiting for first review, 3 for second, 4 rejected at first review,
2 at second, 1 revoked; and 1 void (counted: it passed second review).  At
the default size: 121,000 licence applications, about 1 million rows, a
minute on SQLite here (the drug permits: half a minute).

A database built for another size (of either) is rebuilt; the migrated schema
with its reference data is kept beside it (``schema-<hash of the
migrations>.sqlite3``) so a rebuild skips migrating.

PostgreSQL: ``BENCH_POSTGRES=1`` builds and measures in the database
``DATABASE_URL`` names instead of the SQLite file (without it ``DATABASE_URL``
is ignored), e.g. on the throw-away server of ``scripts/with-services.sh``:

    BENCH_POSTGRES=1 BENCH_APPLICATIONS=1000000 \
        bash scripts/with-services.sh uv run python bench/lists.py

That script deletes its server when the command ends, so build and measure in
one command (every bench script builds the data first).  A database built for
another size is emptied (``DROP SCHEMA public CASCADE``) and migrated again;
one with tables but no benchmark marker is refused, never emptied.  The rows
are the same, but go in with ``COPY … FROM STDIN`` (psycopg 3) instead of
``executemany``, on a second connection in a thread (``Copier``) while the
next batch is generated, foreign keys unchecked while loading
(``session_replication_role = replica``, when a superuser; the rows are
consistent by construction).  Then the id sequences are moved past the ids
given here and ``VACUUM (ANALYZE)`` leaves statistics and visibility map as
autovacuum would, so it does not start in the middle of a measurement.
(1,000,000 applications, some 9 million rows: about 4 minutes on 2 cores, plus
half a minute migrating.)

The rows go in as plain tuples through ``executemany``, 5,000 applications a
transaction, parents first: ``Filing`` rows with ids given here, then the
``DrugPermitApplication`` rows with ``filing_ptr_id`` set to them (Django's
``bulk_create`` refuses multi-table children), then lines, audit entries,
notices, certificates and certificate lines.  Building model instances and
letting ``bulk_create`` compile the INSERTs cost several times as much.
"""

import hashlib
import io
import os
import queue
import random
import sqlite3
import sys
import threading
import time
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = Path(os.environ.get("BENCH_DIR") or ROOT / "var" / "bench")
if not BENCH_DIR.is_absolute():
    BENCH_DIR = ROOT / BENCH_DIR
BENCH_DIR.mkdir(parents=True, exist_ok=True)
# The throw-away SQLite file here, never a server the environment points at,
# unless asked (BENCH_POSTGRES=1: the database DATABASE_URL names).
POSTGRES = os.environ.get("BENCH_POSTGRES") == "1"
if not POSTGRES:
    os.environ.pop("DATABASE_URL", None)
elif not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    sys.exit("BENCH_POSTGRES=1 needs DATABASE_URL=postgres://… (see bench/_setup.py)")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ.setdefault("PORTAL_SQLITE_PATH", str(BENCH_DIR / "bench.sqlite3"))
os.environ.setdefault("PORTAL_MEDIA_ROOT", str(BENCH_DIR / "media"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "100000"))
ENTERPRISES = 300
AUTHORITY = "DA-110000"
SYSTEM = "DRUG_PERMIT"
BATCH = 5000
MARKER = "bench:applications"  # a NumberSequence row: the size this database was built for
LICENCES = int(os.environ.get("BENCH_LICENCES", "100000"))
LICENCE_SYSTEM = "AUTO_IMPORT_LICENCE"
LICENCE_BUREAU = "LB-000000"

# (status, share in 1/20ths, the decisions that led there: (transition, to_state, level))
ACCEPT = ("accept", "FIRST_REVIEW", 1)
PATHS = {
    "PENDING_ACCEPTANCE": (4, []),
    "FIRST_REVIEW": (2, [ACCEPT]),
    "SECOND_REVIEW": (1, [ACCEPT, ("review_agree", "SECOND_REVIEW", 2)]),
    "FINAL_DECISION": (
        1,
        [ACCEPT, ("review_agree", "SECOND_REVIEW", 2), ("review_agree", "FINAL_DECISION", 3)],
    ),
    "APPROVED": (
        8,
        [
            ACCEPT,
            ("review_agree", "SECOND_REVIEW", 2),
            ("review_agree", "FINAL_DECISION", 3),
            ("approve", "APPROVED", 4),
        ],
    ),
    "NOT_ACCEPTED": (1, [("not_accept", "NOT_ACCEPTED", 1)]),
    "SUPPLEMENT_REQUIRED": (1, [("request_supplement", "SUPPLEMENT_REQUIRED", 1)]),
    "REFUSED": (
        2,
        [
            ACCEPT,
            ("review_agree", "SECOND_REVIEW", 2),
            ("review_agree", "FINAL_DECISION", 3),
            ("refuse", "REFUSED_PENDING_NOTICE", 4),
            ("send_refusal_notice", "REFUSED", 1),
        ],
    ),
}
NOTICES = {
    "accept": "ACCEPTANCE",
    "not_accept": "NON_ACCEPTANCE",
    "request_supplement": "SUPPLEMENT",
    "send_refusal_notice": "REFUSAL",
}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def approver(level: int = 1):
    """The DA-110000 approver of ``level`` (1: 受理) whose authority holds every filing."""
    from portal.accounts.models import ApproverSeat

    return ApproverSeat.objects.select_related("user").get(user__username=f"bench-l{level}").user


def busiest_owner():
    """The owner (法人) of the enterprise with the most filings."""
    from django.db.models import Count

    from filings.models import Filing
    from portal.accounts.models import Membership

    top = (
        Filing.objects.filter(system=SYSTEM)
        .values("enterprise_id")
        .annotate(n=Count("id"))
        .order_by("-n", "enterprise_id")
        .first()
    )
    membership = Membership.objects.select_related("user").get(
        enterprise_id=top["enterprise_id"], is_owner=True
    )
    return membership.user, top["n"]


def _marker() -> str:
    """The marker of a database built by these migrations for ``LICENCES`` licences (another
    schema or licence count is rebuilt; the value is the number of applications)."""
    return f"{MARKER}:{_schema_key()}:licences={LICENCES}"


def _built_for() -> tuple[str, int] | None:
    """(marker key, size) of the benchmark data here, or None."""
    from filings.models import NumberSequence

    try:
        row = NumberSequence.objects.filter(key__startswith=MARKER).first()
    except Exception:  # no tables yet, or another schema's
        return None
    return (row.key, row.value) if row else None


def where() -> str:
    """The database the benchmarks use, for messages."""
    if connection.vendor != "postgresql":
        return str(BENCH_DIR)
    db = connection.settings_dict
    return f"PostgreSQL {db['HOST']}:{db['PORT']}/{db['NAME']}"


def _drop_database() -> None:
    if connection.vendor == "postgresql":
        if connection.introspection.table_names() and _built_for() is None:
            sys.exit(f"{where()} holds tables but no benchmark data: not emptying it")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connection.close()
        return
    connection.close()
    path = Path(connection.settings_dict["NAME"])
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _schema_key() -> str:
    """What the schema depends on: every installed app's migration files."""
    from django.apps import apps

    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        for path in sorted((Path(config.path) / "migrations").glob("*.py")):
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _schema() -> str:
    """Migrate and load the reference data, or copy the result of an earlier run.

    Migrating from nothing replays some 200 migrations (most of a minute here);
    the migrated database with its reference data is kept beside the benchmark
    database, keyed by the migration files, and copied for the next rebuild.
    """
    if connection.vendor == "postgresql":  # a fresh server each time: nothing to keep
        call_command("migrate", verbosity=0)
        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
        return "migrated"
    path = Path(connection.settings_dict["NAME"])
    template = BENCH_DIR / f"schema-{_schema_key()}.sqlite3"
    if template.exists():
        connection.close()
        _copy_sqlite(template, path)
        return "copied the migrated schema"
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    connection.close()
    for old in BENCH_DIR.glob("schema-*.sqlite3"):
        old.unlink()
    _copy_sqlite(path, template)
    return "migrated"


def ensure_data(count: int = APPLICATIONS) -> bool:
    """The benchmark database for ``count`` applications; True if it was built now."""
    if _built_for() == (_marker(), count):
        return False
    _drop_database()
    started = time.perf_counter()
    print(
        f"building the benchmark database: {count:,} applications and {LICENCES:,} "
        f"issued licences in {where()}…",
        flush=True,
    )
    how = _schema()
    from filings.models import NumberSequence

    if connection.vendor == "postgresql":  # ours from now on, even if the build fails
        NumberSequence.objects.create(key=_marker(), value=0)
    schema = time.perf_counter()
    enterprises, owners = _build(count)
    drugs = time.perf_counter()
    licences = _build_licences(LICENCES, enterprises, owners)
    done = time.perf_counter()
    # Written last: a build that stopped half-way is built again.
    NumberSequence.objects.update_or_create(key=_marker(), defaults={"value": count})
    tidy = ""
    if connection.vendor == "postgresql":
        _finish_postgres()
        tidy = f"; VACUUM (ANALYZE): {time.perf_counter() - done:.1f} s"
    print(
        f"benchmark database built in {time.perf_counter() - started:.1f} s "
        f"(schema and reference data: {how}, {schema - started:.1f} s; "
        f"{count:,} applications: {drugs - schema:.1f} s; "
        f"{licences:,} licence applications ({LICENCES:,} issued): {done - drugs:.1f} s{tidy})",
        flush=True,
    )
    return True


def _finish_postgres() -> None:
    """Sequences past the ids given here; statistics and visibility map up to date."""
    from django.apps import apps
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
        cursor.execute("VACUUM (ANALYZE)")  # autocommit: outside any transaction


class Table:
    """Rows of one model's own table, inserted with ``executemany``: no model instances.

    On PostgreSQL the rows go in with ``COPY … FROM STDIN`` instead (text
    format: psycopg writes each value as its type's text, the server parses it
    as the column's type).

    ``columns`` are the attnames given per row (ids included where the caller
    chooses them); every other column gets its field's default (or the database's own).  Values of
    date, time, decimal and JSON fields go through the field's
    ``get_db_prep_save``; the rest (text, numbers, ids, booleans) as they are.
    """

    PREPARED = (
        models.DateField,
        models.DateTimeField,
        models.DecimalField,
        models.JSONField,
    )

    def __init__(self, model, columns: list[str]):
        fields = {f.attname: f for f in model._meta.local_concrete_fields}
        given = [fields[name] for name in columns]
        # Columns with a database default (db_default) are left to the database.
        rest = [
            f
            for name, f in fields.items()
            if name not in columns and not f.primary_key and not f.has_db_default()
        ]
        for f in rest:
            if not (f.has_default() or f.null or f.empty_strings_allowed):
                raise ValueError(f"{model.__name__}.{f.name} needs a value")
        # This thread's connection itself: ``connection`` is a proxy, each attribute read
        # through it a context-local lookup (half the time of a row here, measured).
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.tail = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in rest)
        self.prepare = [
            (i, f.get_db_prep_save) for i, f in enumerate(given) if isinstance(f, self.PREPARED)
        ]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in given + rest)
        marks = ", ".join(["%s"] * (len(given) + len(rest)))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
        self.copy = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        self.model = model
        self.rows: list = []

    def add(self, *values) -> None:
        if self.prepare:
            values = list(values)
            for i, prepare in self.prepare:
                values[i] = prepare(values[i], self.connection)
        self.rows.append((*values, *self.tail))

    def flush(self) -> int:
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, self.rows)
        done, self.rows = len(self.rows), []
        return done

    def take(self) -> tuple[str, list]:
        """The ``COPY`` statement and the rows so far, for a ``Copier``; then no rows."""
        taken, self.rows = (self.copy, self.rows), []
        return taken


def _write_batch(tables, copier) -> None:
    """The batch's rows: handed to the COPY thread (PostgreSQL) or inserted now."""
    if copier:
        copier.put([table.take() for table in tables])
    else:
        with transaction.atomic():
            for table in tables:  # parents before the rows pointing at them
                table.flush()


def _unchecked(cursor) -> None:
    """PostgreSQL: no foreign-key triggers in this session (superusers only; else checked)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET session_replication_role = replica")


class Copier(threading.Thread):
    """PostgreSQL: ``COPY`` each batch on a connection of its own, one transaction a batch,
    while the next batch is generated (the server's work and the waits overlap it)."""

    def __init__(self):
        super().__init__(name="bench-copy", daemon=True)
        self.batches: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:  # `connection` is this thread's own
            with connection.cursor() as cursor:
                _unchecked(cursor)
            while (batch := self.batches.get()) is not None:
                with transaction.atomic(), connection.cursor() as cursor:
                    for sql, rows in batch:  # parents before the rows pointing at them
                        with cursor.copy(sql) as copy:
                            for row in rows:
                                copy.write_row(row)
        except BaseException as error:  # noqa: BLE001  (re-raised in the caller's thread)
            self.error = error
        finally:
            connection.close()

    def put(self, batch) -> None:
        while True:
            if not self.is_alive():
                self.close()  # raises what stopped it
                raise RuntimeError("the copy thread stopped")
            try:
                return self.batches.put(batch, timeout=1)
            except queue.Full:
                continue

    def close(self) -> None:
        if self.is_alive() and not self.error:
            self.batches.put(None)
        self.join()
        if self.error:
            raise RuntimeError("loading the benchmark rows failed") from self.error


def _next_id(model) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _statuses(count: int, rng: random.Random) -> list[str]:
    """Exact shares (PENDING_ACCEPTANCE is count / 5), in random order."""
    statuses = []
    for status, (twentieths, _path) in PATHS.items():
        statuses += [status] * (count * twentieths // 20)
    statuses += ["APPROVED"] * (count - len(statuses))
    rng.shuffle(statuses)
    return statuses


def _loading() -> bool:
    """The main connection set for loading (SQLite: no fsync); True on PostgreSQL."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if not postgres:  # a throw-away file: no fsync while loading
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            _unchecked(cursor)
    return postgres


def _people(authority):
    """Four approvers (levels 1-4), the authority's settings, 300 enterprises with owners."""
    from django.contrib.auth.hashers import make_password

    from portal.accounts import services as accounts
    from portal.accounts.models import Enterprise, Membership, User
    from workflows.services import save_approval_settings

    approvers = {
        level: accounts.create_approver(
            username=f"bench-l{level}",
            password=None,
            authority=authority,
            system=SYSTEM,
            level=level,
            first_name=name,
        ).user
        for level, name in enumerate(("张受理", "李初审", "王复审", "赵审定"), start=1)
    }
    save_approval_settings(
        actor=accounts.create_authority_admin(
            username="bench-admin", password=None, authority=authority
        ).user,
        authority=authority,
        system=SYSTEM,
        values={
            "levels": [1, 2, 3, 4],
            "name_zh": authority.name_zh,
            "phone": "010-83979999",
            "address": "北京市西城区",
            "postcode": "100053",
            "contact": "许可处",
        },
    )
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            name_zh=f"基准测试医药有限公司{i:03d}",
            uscc=f"91110000BENCH{i:05d}",
            province="110000",
            division_code="110000",
            address="北京市朝阳区建国路1号",
            contact_name="张三",
            contact_phone="13800138000",
            contact_email=f"bench{i}@example.cn",
            trade_registration_number="01234567",
        )
        for i in range(ENTERPRISES)
    )
    unusable = make_password(None)
    owners = User.objects.bulk_create(
        User(username=f"bench-owner-{i:03d}", password=unusable, first_name=f"法人{i:03d}")
        for i in range(ENTERPRISES)
    )
    Membership.objects.bulk_create(
        Membership(user=owner, enterprise=enterprise, is_owner=True)
        for owner, enterprise in zip(owners, enterprises, strict=True)
    )
    return approvers, enterprises, owners


def _build(count: int) -> tuple[list, list]:
    """The drug permit applications; returns the enterprises and their owners."""
    from django.contrib.contenttypes.models import ContentType

    from documents.models import Certificate, CertificateLine, Notice
    from filings.models import AuditEntry, Filing, NumberSequence
    from portal.drug_permits.models import DrugPermitApplication, DrugPermitGoodsLine
    from portal.reference.models import Authority, Country, DosageForm, HSCode, Port, Purpose

    postgres = _loading()
    authority = Authority.objects.get(code=AUTHORITY)
    approvers, enterprises, owners = _people(authority)
    approver_ids = {level: user.pk for level, user in approvers.items()}
    purposes = [(p.pk, p.name_zh) for p in Purpose.objects.filter(module=SYSTEM)]
    ports = [(p.pk, p.name_zh) for p in Port.objects.filter(is_designated_drug_port=True)[:20]]
    hs_codes = [(h.pk, h.code) for h in HSCode.objects.all()[:30]]
    forms = [(f.pk, f.name_zh) for f in DosageForm.objects.all()]
    countries = [
        (c.pk, c.name_zh, c.code)
        for c in Country.objects.filter(code__in=["DK", "DE", "US", "FR", "CH", "IN"])
    ]
    content_type_id = ContentType.objects.get_for_model(DrugPermitApplication).pk
    rng = random.Random(7)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(ENTERPRISES)]
    picks = rng.choices(
        list(zip(enterprises, owners, strict=True)),
        cum_weights=list(accumulate(weights)),
        k=count,
    )
    statuses = _statuses(count, rng)
    now = timezone.now().replace(microsecond=0)
    year = timezone.localdate().year
    # Filed over the year before last week, evenly; decided within days after.
    step = timedelta(seconds=max(1, 365 * 24 * 3600 // max(count, 1)))
    first_created = now - step * count - timedelta(days=8)
    export_port = "上海浦东国际机场"

    filings = Table(
        Filing,
        "id number system enterprise_id authority_id created_by_id status "
        "created_at updated_at submitted_at".split(),
    )
    applications = Table(
        DrugPermitApplication,
        "filing_ptr_id direction purpose_id collection_method import_port_1_id "
        "export_port_1".split(),
    )
    goods_lines = Table(
        DrugPermitGoodsLine,
        "application_id line_number hs_code_id drug_name_zh drug_name_en dosage_form_id "
        "specification quantity unit manufacturer country_id".split(),
    )
    entries = Table(
        AuditEntry,
        "content_type_id object_id filing_id actor_id seat_level transition from_state "
        "to_state opinion notice_number created_at".split(),
    )
    notices = Table(
        Notice,
        "filing_id authority_id kind number opinion issued_on issued_by_id created_at".split(),
    )
    certificates = Table(
        Certificate,
        "id filing_id system number authority_id holder_name holder_uscc holder_address "
        "ports content issue_date valid_until issued_by_id created_at".split(),
    )
    certificate_lines = Table(
        CertificateLine,
        "certificate_id line_number hs_code name quantity unit details".split(),
    )
    tables = (
        filings,
        applications,
        goods_lines,
        entries,
        notices,
        certificates,
        certificate_lines,
    )
    copier = Copier() if postgres else None
    filing_id = _next_id(Filing)
    certificate_id = _next_id(Certificate)
    certificates_issued = 0
    for n in range(count):
        enterprise, owner = picks[n]
        status = statuses[n]
        created = first_created + step * n + timedelta(seconds=rng.randint(0, 59))
        at = created + timedelta(minutes=rng.randint(5, 600))  # submitted
        filings.add(
            filing_id,
            f"DP{year}11{n + 1:06d}",
            SYSTEM,
            enterprise.pk,
            authority.pk,
            owner.pk,
            status,
            created,
            at,
            at,
        )
        importing = rng.random() < 0.8
        purpose = rng.choice(purposes)
        port = rng.choice(ports) if importing else None
        applications.add(
            filing_id,
            "IMPORT" if importing else "EXPORT",
            purpose[0],
            "ON_SITE",
            port[0] if port else None,
            "" if importing else export_port,
        )
        lines = []
        for line_number in range(1, rng.choice((1, 1, 2)) + 1):
            hs, form, country = rng.choice(hs_codes), rng.choice(forms), rng.choice(countries)
            quantity = Decimal(rng.randint(1, 50000)) / 10
            lines.append((line_number, hs, form, country, quantity))
            goods_lines.add(
                filing_id,
                line_number,
                hs[0],
                "重组人胰岛素",
                "Recombinant human insulin",
                form[0],
                "10ml:400IU",
                quantity,
                "支",
                "Novo Nordisk A/S",
                country[0],
            )
        # The history as the services write it: submitted, then each decision with its notice.
        entries.add(
            content_type_id,
            str(filing_id),
            filing_id,
            owner.pk,
            None,
            "submit",
            "DRAFT",
            "PENDING_ACCEPTANCE",
            "",
            "",
            at,
        )
        state = "PENDING_ACCEPTANCE"
        for transition, to_state, level in PATHS[status][1]:
            at += timedelta(hours=rng.randint(2, 30))
            kind = NOTICES.get(transition)
            number = f"京药监〔{year}〕{filing_id}-{level}号" if kind else ""
            opinion = "材料齐全，予以受理" if transition == "accept" else "同意"
            entries.add(
                content_type_id,
                str(filing_id),
                filing_id,
                approver_ids[level],
                level,
                transition,
                state,
                to_state,
                opinion,
                number,
                at,
            )
            state = to_state
            if kind:
                notices.add(
                    filing_id,
                    authority.pk,
                    kind,
                    number,
                    opinion,
                    timezone.localtime(at).date(),
                    approver_ids[level],
                    at,
                )
        if status == "APPROVED":
            certificates_issued += 1
            issued = timezone.localtime(at).date()
            certificates.add(
                certificate_id,
                filing_id,
                SYSTEM,
                f"ZZ{year}11{certificates_issued:05d}",
                authority.pk,
                enterprise.name_zh,
                enterprise.uscc,
                enterprise.address,
                port[1] if port else export_port,
                {"direction": "IMPORT" if importing else "EXPORT", "purpose": purpose[1]},
                issued,
                issued + timedelta(days=365),
                approver_ids[4],
                at,
            )
            for line_number, hs, form, country, quantity in lines:
                certificate_lines.add(
                    certificate_id,
                    line_number,
                    hs[1],
                    "重组人胰岛素",
                    quantity,
                    "支",
                    {
                        "drug_name_en": "Recombinant human insulin",
                        "dosage_form": form[1],
                        "specification": "10ml:400IU",
                        "manufacturer": "Novo Nordisk A/S",
                        "country": country[1],
                        "country_code": country[2],
                    },
                )
            certificate_id += 1
        filing_id += 1
        if len(filings.rows) >= BATCH or n == count - 1:
            _write_batch(tables, copier)
    if copier:
        copier.close()
    # Numbers the services hand out from now on follow the ones used here.
    for key, value in ((f"DP{year}11", count), (f"ZZ{year}11", certificates_issued)):
        NumberSequence.objects.update_or_create(key=key, defaults={"value": value})
    _loaded(postgres)
    return enterprises, owners


def _loaded(postgres: bool) -> None:
    """The main connection back to normal after loading."""
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("PRAGMA synchronous=NORMAL")


# Automatic import licences beside them: (status, per 100 issued licences, path).  The path
# is what the audit holds: (transition, to_state, level; 0: the filer, None: the system).
SUBMIT = ("submit", "FIRST_REVIEW", 0)
FIRST_PASS = ("first_pass", "SECOND_REVIEW", 1)
SECOND_PASS = ("second_pass", "ISSUED", 2)
LICENCE_PATHS = {
    "ISSUED": (100, [SUBMIT, FIRST_PASS, SECOND_PASS]),  # exactly BENCH_LICENCES
    "VOID": (1, [SUBMIT, FIRST_PASS, SECOND_PASS, ("void", "VOID", None)]),
    "DRAFT": (5, []),
    "FIRST_REVIEW": (5, [SUBMIT]),
    "SECOND_REVIEW": (3, [SUBMIT, FIRST_PASS]),
    "FIRST_REJECTED": (4, [SUBMIT, ("first_reject", "FIRST_REJECTED", 1)]),
    "SECOND_REJECTED": (2, [SUBMIT, FIRST_PASS, ("second_reject", "SECOND_REJECTED", 2)]),
    "REVOKED": (1, [SUBMIT, ("revoke", "REVOKED", 0)]),
}
LICENCE_OPINIONS = {
    "first_reject": "申请材料与合同不符",
    "second_reject": "进口数量超出合同约定",
}
# Currencies the goods are priced in (code, share); US dollars at the editors' rates.
LICENCE_CURRENCIES = (("USD", 70), ("EUR", 15), ("AUD", 15))
LICENCE_COUNTRIES = ("AU", "BR", "US", "CA", "AR", "ZA", "NZ", "UA")
LICENCE_SPECIFICATIONS = ("散装", "袋装", "Fe 62%", "一级", "冷冻", "48%蛋白")


def _licence_statuses(count: int, rng: random.Random) -> list[str]:
    """``count`` ISSUED, the others by their share of it, in random order."""
    statuses = []
    for status, (per_hundred, _path) in LICENCE_PATHS.items():
        statuses += [status] * (count * per_hundred // 100)
    rng.shuffle(statuses)
    return statuses


def _licence_people(bureau) -> dict:
    """The licence bureau's two reviewers (levels 1-2), its administrator and settings."""
    from portal.accounts import services as accounts
    from workflows.services import save_approval_settings

    reviewers = {
        level: accounts.create_approver(
            username=f"bench-licence-l{level}",
            password=None,
            authority=bureau,
            system=LICENCE_SYSTEM,
            level=level,
            first_name=name,
        ).user.pk
        for level, name in ((1, "孙初审"), (2, "钱复审"))
    }
    save_approval_settings(
        actor=accounts.create_authority_admin(
            username="bench-licence-admin", password=None, authority=bureau
        ).user,
        authority=bureau,
        system=LICENCE_SYSTEM,
        values={
            "name_zh": bureau.name_zh,
            "name_en": bureau.name_en,
            "phone": "010-55550200",
            "address": "北京市东城区示范路2号",
            "postcode": "100000",
            "contact": "许可证事务处",
        },
    )
    return reviewers


def _build_licences(count: int, enterprises: list, owners: list) -> int:
    """``count`` issued automatic import licences (with the drafts, pending, rejected,
    revoked and void ones beside them) of the same enterprises; returns how many rows of
    applications went in.

    Filed to the licence bureau (LB-000000), by a Zipf-like weight over the enterprises
    (ranked in another order than for drug permits); each enterprise imports a few of the
    goods under this licence (the big ones more), each application one to three of them,
    one goods line each, priced in US dollars, euros or Australian dollars.  Decided from
    1 January of last year to three days ago, evenly: the certificates' issue dates cover
    the whole of last year and this year so far.
    """
    from django.contrib.contenttypes.models import ContentType

    from documents.models import Certificate, CertificateLine
    from filings.models import AuditEntry, Filing, NumberSequence
    from portal.auto_licences.models import (
        AutoLicenceApplication,
        AutoLicenceLine,
        validity_end,
    )
    from portal.reference.models import (
        Authority,
        Country,
        Currency,
        HSCode,
        Port,
        Purpose,
        TradeMode,
    )

    postgres = _loading()
    bureau = Authority.objects.get(code=LICENCE_BUREAU)
    reviewers = _licence_people(bureau)
    rng = random.Random(11)
    goods = [
        (h.pk, h.code, h.name_zh, h.unit)
        for h in HSCode.objects.filter(
            auto_import_licence=True, electronic_licence_eligible=True
        ).order_by("code")
    ]
    rng.shuffle(goods)  # the first ones are the most imported
    goods_weights = list(accumulate(1 / (rank + 1) for rank in range(len(goods))))
    ports = [(p.pk, p.name_zh) for p in Port.objects.order_by("code")[:30]]
    purposes = [p.pk for p in Purpose.objects.filter(module=LICENCE_SYSTEM)]
    trade_mode = TradeMode.objects.get(code="0110").pk
    countries = [
        (c.pk, c.code) for c in Country.objects.filter(code__in=LICENCE_COUNTRIES).order_by("code")
    ]
    rates = {
        c.code: (c.pk, c.usd_rate, c.code) for c in Currency.objects.filter(usd_rate__isnull=False)
    }
    currencies = [rates[code] for code, _share in LICENCE_CURRENCIES]
    currency_weights = list(accumulate(share for _code, share in LICENCE_CURRENCIES))
    content_type_id = ContentType.objects.get_for_model(AutoLicenceApplication).pk

    # Who files: another ranking than the drug permits', the same Zipf-like weight; what
    # each imports: 3 to 30 of the goods (the bigger the importer, the more).
    ranked = list(zip(enterprises, owners, strict=True))
    rng.shuffle(ranked)
    portfolios = []
    for rank in range(len(ranked)):
        size = min(len(goods), max(3, 30 - rank // 10))
        chosen: dict = {}
        while len(chosen) < size:
            chosen.setdefault(rng.choices(range(len(goods)), cum_weights=goods_weights)[0])
        portfolios.append([goods[i] for i in chosen])
    weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(ranked))))
    statuses = _licence_statuses(count, rng)
    total = len(statuses)
    picks = rng.choices(range(len(ranked)), cum_weights=weights, k=total)

    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    last_decision = now - timedelta(days=3)
    first_decision = timezone.make_aware(datetime(today.year - 1, 1, 1, 9, 0))
    step = (last_decision - first_decision) / max(total, 1)

    filings = Table(
        Filing,
        "id number system enterprise_id authority_id created_by_id status "
        "created_at updated_at submitted_at".split(),
    )
    applications = Table(
        AutoLicenceApplication,
        "filing_ptr_id year one_batch hs_code_1_id hs_code_2_id hs_code_3_id port_1_id "
        "bureau_number handler import_user_name import_user_code importer_name importer_code "
        "trade_mode_id trade_country_id origin_country_id purpose_id expected_arrival "
        "price_currency_id".split(),
    )
    goods_lines = Table(
        AutoLicenceLine,
        "application_id line_number hs_code_id specification unit quantity unit_price total "
        "total_usd".split(),
    )
    entries = Table(
        AuditEntry,
        "content_type_id object_id filing_id actor_id seat_level transition from_state "
        "to_state opinion created_at".split(),
    )
    certificates = Table(
        Certificate,
        "id filing_id system number authority_id holder_name holder_uscc holder_address "
        "ports content issue_date valid_until issued_by_id created_at status voided_at".split(),
    )
    certificate_lines = Table(
        CertificateLine,
        "certificate_id line_number hs_code name quantity unit details".split(),
    )
    tables = (filings, applications, goods_lines, entries, certificates, certificate_lines)
    copier = Copier() if postgres else None
    filing_id = _next_id(Filing)
    certificate_id = _next_id(Certificate)
    sequences: dict[str, int] = {}  # the numbering service's keys, as it would leave them

    def number(prefix: str, width: int) -> str:
        sequences[prefix] = sequences.get(prefix, 0) + 1
        return f"{prefix}{sequences[prefix]:0{width}d}"

    money, thousandth = Decimal("0.01"), Decimal("0.001")
    for n in range(total):
        enterprise, owner = ranked[picks[n]]
        status = statuses[n]
        path = LICENCE_PATHS[status][1]
        # The last decision of its path at this point of the period; the rest before it.
        decided = first_decision + step * n + timedelta(seconds=rng.randint(0, 59))
        times = [decided - timedelta(hours=rng.randint(2, 40)) for _ in path]
        times.sort()
        if not path:  # a draft: saved then
            times = [decided]
        created = times[0] - timedelta(minutes=rng.randint(10, 600))
        # The licence's year: that of its issue (of its last step, if never issued).
        local = timezone.localtime(times[2] if status in ("ISSUED", "VOID") else times[-1])
        year = local.year
        yy = f"{year % 100:02d}"
        codes = rng.sample(portfolios[picks[n]], k=min(rng.choice((1, 1, 1, 2, 2, 3)), 3))
        currency_id, rate, currency = rng.choices(currencies, cum_weights=currency_weights)[0]
        origin, origin_code = rng.choice(countries)
        port_id, port_name = rng.choice(ports)
        one_batch = rng.random() < 0.7
        uscc = enterprise.uscc
        filings.add(
            filing_id,
            number(f"NA{yy}", 13),
            LICENCE_SYSTEM,
            enterprise.pk,
            bureau.pk,
            owner.pk,
            status,
            created,
            times[-1],
            times[0] if path else None,
        )
        bureau_number = number(f"{yy}{uscc[2:6]}{uscc[8:17]}", 6) if path else ""
        applications.add(
            filing_id,
            year,
            one_batch,
            *(codes[i][0] if i < len(codes) else None for i in range(3)),
            port_id,
            bureau_number,
            "王经理",
            enterprise.name_zh,
            uscc,
            enterprise.name_zh,
            uscc,
            trade_mode,
            origin,
            origin,
            rng.choice(purposes),
            local.date() + timedelta(days=45),
            currency_id,
        )
        lines = []
        for line_number, (hs_id, hs_code, hs_name, unit) in enumerate(codes, start=1):
            quantity = Decimal(rng.randint(1_000, 2_000_000_000)) / 1000
            unit_price = Decimal(rng.randint(500, 200_000)) / 10000
            value = (quantity * unit_price).quantize(money, rounding=ROUND_HALF_UP)
            value_usd = (value * rate).quantize(money, rounding=ROUND_HALF_UP)
            specification = rng.choice(LICENCE_SPECIFICATIONS)
            goods_lines.add(
                filing_id,
                line_number,
                hs_id,
                specification,
                unit,
                quantity.quantize(thousandth),
                unit_price,
                value,
                value_usd,
            )
            lines.append(
                (
                    line_number,
                    hs_code,
                    hs_name,
                    unit,
                    quantity,
                    specification,
                    unit_price,
                    value,
                    value_usd,
                )
            )
        state = "DRAFT"
        for (transition, to_state, level), at in zip(path, times[: len(path)], strict=True):
            actor = owner.pk if level == 0 else reviewers.get(level)
            entries.add(
                content_type_id,
                str(filing_id),
                filing_id,
                actor,
                level or None,
                transition,
                state,
                to_state,
                LICENCE_OPINIONS.get(transition, ""),
                at,
            )
            state = to_state
        if status in ("ISSUED", "VOID"):
            issued_at = times[2]  # second_pass
            issued = timezone.localtime(issued_at).date()
            certificates.add(
                certificate_id,
                filing_id,
                LICENCE_SYSTEM,
                number(f"{yy}-JK-", 6),
                bureau.pk,
                enterprise.name_zh,
                uscc,
                enterprise.address,
                port_name,
                {
                    "year": year,
                    "one_batch": one_batch,
                    "bureau_number": bureau_number,
                    "trade_mode": "0110",
                    "origin": origin_code,
                },
                issued,
                validity_end(issued=issued, year=year),
                reviewers[2],
                issued_at,
                status,  # ISSUED, or VOID
                times[3] if status == "VOID" else None,
            )
            for line_number, hs_code, hs_name, unit, quantity, spec, price, value, usd in lines:
                certificate_lines.add(
                    certificate_id,
                    line_number,
                    hs_code,
                    hs_name,
                    quantity,
                    unit,
                    {
                        "specification": spec,
                        "unit_price": str(price),
                        "currency": currency,
                        "total": str(value),
                        "total_usd": str(usd),
                    },
                )
            certificate_id += 1
        filing_id += 1
        if len(filings.rows) >= BATCH or n == total - 1:
            _write_batch(tables, copier)
    if copier:
        copier.close()
    for key, value in sequences.items():
        NumberSequence.objects.update_or_create(key=key, defaults={"value": value})
    _loaded(postgres)
    return total


if __name__ == "__main__":
    if not ensure_data():
        print(
            f"the benchmark database in {where()} already holds {APPLICATIONS:,} applications "
            f"and {LICENCES:,} issued licences"
        )
