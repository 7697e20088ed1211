"""A throw-away database for the benchmarks (var/bench/), filled once with bulk data."""

import os
import random
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ.setdefault("PORTAL_SQLITE_PATH", str(ROOT / "var" / "bench" / "bench.sqlite3"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

APPLICATIONS = 100_000


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


def approver():
    """The Beijing level-1 approver whose authority holds every benchmark filing."""
    from portal.accounts.models import ApproverSeat

    return ApproverSeat.objects.select_related("user").get(user__username="bench-l1").user


def ensure_data(count: int = APPLICATIONS):
    from documents.models import Certificate, DrugPermitApplication, DrugPermitGoodsLine
    from portal.accounts import services as accounts
    from portal.accounts.models import Enterprise
    from portal.reference.models import Authority, Country, DosageForm, HSCode, Port, Purpose
    from workflows.services import save_approval_settings

    call_command("migrate", verbosity=0)
    if DrugPermitApplication.objects.count() >= count:
        return
    call_command("load_reference_data", verbosity=0)
    authority = Authority.objects.get(code="DA-110000")
    seat = accounts.create_approver(
        username="bench-l1", password=None, authority=authority, level=1
    )
    save_approval_settings(
        actor=accounts.create_authority_admin(
            username="bench-admin", password=None, authority=authority
        ).user,
        authority=authority,
        module="DRUG_PERMIT",
        values={
            "first_review": True,
            "second_review": True,
            "name_zh": authority.name_zh,
            "phone": "010-83979999",
            "address": "北京市西城区",
            "postcode": "100053",
            "contact": "许可处",
        },
    )
    user = seat.user
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            name_zh=f"基准测试医药有限公司{i:03d}",
            uscc=f"91110000BENCH{i:05d}",
            province="110000",
            address="北京市朝阳区建国路1号",
            contact_name="张三",
            contact_phone="13800138000",
            contact_email=f"bench{i}@example.cn",
            trade_registration_number="01234567",
        )
        for i in range(300)
    )
    purposes = list(Purpose.objects.filter(module="DRUG_PERMIT"))
    ports = list(Port.objects.filter(is_designated_drug_port=True)[:20])
    hs_codes = list(HSCode.objects.all()[:30])
    forms = list(DosageForm.objects.all())
    countries = list(Country.objects.filter(code__in=["DK", "DE", "US", "FR", "CH", "IN"]))
    rng = random.Random(7)
    now = timezone.now()
    statuses = ["PENDING_ACCEPTANCE", "FIRST_REVIEW", "APPROVED", "APPROVED", "REFUSED"]
    batch = 5000
    for start in range(0, count, batch):
        with transaction.atomic():
            apps = DrugPermitApplication.objects.bulk_create(
                DrugPermitApplication(
                    number=f"DP{now.year}11{n:06d}",
                    enterprise=rng.choice(enterprises),
                    created_by=user,
                    authority=authority,
                    direction=rng.choice(["IMPORT", "EXPORT"]),
                    status=rng.choice(statuses),
                    purpose=rng.choice(purposes),
                    collection_method="ON_SITE",
                    import_port_1=rng.choice(ports),
                    export_port_1="",
                    submitted_at=now - timedelta(minutes=n),
                )
                for n in range(start, min(start + batch, count))
            )
            lines = []
            for app in apps:
                for line_number in range(1, rng.choice([1, 1, 2]) + 1):
                    lines.append(
                        DrugPermitGoodsLine(
                            application=app,
                            line_number=line_number,
                            hs_code=rng.choice(hs_codes),
                            drug_name_zh="重组人胰岛素",
                            drug_name_en="Recombinant human insulin",
                            dosage_form=rng.choice(forms),
                            specification="10ml:400IU",
                            quantity=Decimal(rng.randint(1, 50000)) / 10,
                            unit="支",
                            manufacturer="Novo Nordisk A/S",
                            country=rng.choice(countries),
                        )
                    )
            DrugPermitGoodsLine.objects.bulk_create(lines)
            Certificate.objects.bulk_create(
                Certificate(
                    application=app,
                    number=f"ZZ{now.year}11{app.pk:06d}",
                    issue_date=now.date(),
                    valid_until=now.date() + timedelta(days=365),
                    issued_by=user,
                )
                for app in apps
                if app.status == "APPROVED"
            )
