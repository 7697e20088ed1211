"""Who reads an export drug archive record: the regulators of its jurisdiction (its region
and every region above it) holding the archive read right, and nobody else; never a
draft, never a change in progress.  Every regulator page and export is tried."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from filings.versions import submitted_versions
from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.accounts.validators import uscc_check_character
from portal.reference.models import Module, Region
from workflows import services

from ..conftest import PASSWORD, USCC_BEIJING, USCC_SHANGHAI, client_for, make_enterprise
from . import helpers

pytestmark = pytest.mark.django_db
ARCHIVE = Module.EXPORT_DRUG_ARCHIVE
NS = "export-drug-archive"


def uscc(division: str, serial: str = "MA01C2D3X") -> str:
    first17 = f"91{division}{serial}"
    return first17 + uscc_check_character(first17)


def regulator(username, code, modules=(ARCHIVE,), active=True):
    found = accounts.create_regulator(
        actor=None,
        username=username,
        password=PASSWORD,
        region=Region.objects.get(code=code),
        modules=list(modules),
    )
    if not active:
        admin = User.objects.create_superuser(f"{username}-admin", password=PASSWORD)
        accounts.set_regulator_active(actor=admin, regulator=found, active=False)
    return found.user


@pytest.fixture
def world(seeded):
    """Records in Haidian, Chaoyang (both Beijing) and Shanghai; Haidian's changed once
    and being changed again."""
    made = {}
    for key, code, name in (
        ("haidian", USCC_BEIJING, "海淀制药"),
        ("chaoyang", uscc("110105"), "朝阳制药"),
        ("shanghai", USCC_SHANGHAI, "浦东制药"),
    ):
        owner = make_enterprise(code, f"owner-{key}", name_zh=name).user
        helpers.complete_enterprise(owner)
        made[key] = helpers.submitted(owner, specification=f"{key}-v1")
        made[f"{key}-owner"] = owner
        made[f"{key}-draft"] = helpers.draft(
            owner, approval_number="国药准字H20269999", specification=f"{key}-draft-only"
        )
    haidian = made["haidian"]
    owner = made["haidian-owner"]
    services.start_change(filing=haidian, actor=owner)
    haidian.refresh_from_db()
    services.update_draft(filing=haidian, actor=owner, values={"specification": "haidian-v2"})
    haidian.refresh_from_db()
    services.submit(filing=haidian, actor=owner, second_factor_verified=True)
    haidian.refresh_from_db()
    services.start_change(filing=haidian, actor=owner)
    haidian.refresh_from_db()
    services.update_draft(
        filing=haidian, actor=owner, values={"specification": "haidian-unsubmitted"}
    )
    return made


# regulator -> the records it must read (by world key); everything else is unreachable
READERS = {
    ("national", "000000", True, True): {"haidian", "chaoyang", "shanghai"},
    ("beijing", "110000", True, True): {"haidian", "chaoyang"},
    ("haidian", "110108", True, True): {"haidian"},
    ("chaoyang", "110105", True, True): {"chaoyang"},
    ("shanghai", "310000", True, True): {"shanghai"},
    ("beijing-noright", "110000", False, True): set(),
    ("beijing-inactive", "110000", True, False): set(),
}


@pytest.mark.parametrize("who", list(READERS), ids=[k[0] for k in READERS])
def test_regulator_reads_exactly_its_jurisdiction(world, who):
    name, code, granted, active = who
    user = regulator(f"reg-{name}", code, (ARCHIVE,) if granted else (), active)
    client = client_for(user)
    expected = READERS[who]
    query = client.get(reverse(f"{NS}:regulator_query"))
    if not (granted and active):
        assert query.status_code in (302, 403)  # an inactive account may not enter at all
        for key in ("haidian", "chaoyang", "shanghai"):
            url = reverse(f"{NS}:regulator_detail", args=[world[key].number])
            assert client.get(url).status_code in (302, 403)
        return
    assert query.status_code == 200
    html = query.content.decode()
    for key in ("haidian", "chaoyang", "shanghai"):
        record = world[key]
        url = reverse(f"{NS}:regulator_detail", args=[record.number])
        detail = client.get(url)
        draft_url = reverse(f"{NS}:regulator_detail", args=[world[f"{key}-draft"].number])
        assert client.get(draft_url).status_code == 404  # drafts never
        assert world[f"{key}-draft"].number not in html
        if key in expected:
            assert record.number in html
            assert detail.status_code == 200
            body = detail.content.decode()
            assert "unsubmitted" not in body and "draft-only" not in body
        else:
            assert record.number not in html
            assert detail.status_code == 404
    # The export holds the same set (every version asked for), and nothing in progress.
    response = client.post(reverse(f"{NS}:regulator_query"), {"versions": "all"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row}
    for key in ("haidian", "chaoyang", "shanghai"):
        assert (world[key].number in cells) == (key in expected)
    assert not any("unsubmitted" in c or "draft-only" in c for c in cells)
    if "haidian" in expected:
        assert {"haidian-v1", "haidian-v2"} <= cells


def test_enterprises_never_reach_the_regulator_pages(world):
    url = reverse(f"{NS}:regulator_query")
    assert client_for(world["haidian-owner"]).get(url).status_code in (302, 403)
    other = client_for(world["shanghai-owner"])
    assert other.get(
        reverse(f"{NS}:regulator_detail", args=[world["haidian"].number])
    ).status_code in (302, 403)


def test_versions_and_changes_read_by_the_regulator(world):
    client = client_for(regulator("reg-bj", "110000"))
    record = world["haidian"]
    url = reverse(f"{NS}:regulator_detail", args=[record.number])
    page = client.get(url).content.decode()
    assert "haidian-v2" in page  # the version in force
    v1, v2 = submitted_versions(record)
    old = client.get(url, {"version": v1.revision_id}).content.decode()
    assert "haidian-v1" in old
    # The change in progress is a revision too, but not a submitted version: 404.
    record.refresh_from_db()
    assert client.get(url, {"version": record.latest_revision_id}).status_code == 404
    assert client.get(url, {"version": "x"}).status_code == 404


def test_another_enterprise_cannot_open_a_record(world):
    other = client_for(world["shanghai-owner"])
    url = reverse("export_drug_archives:detail", args=[world["haidian"].number])
    assert other.get(url).status_code == 404


def test_the_query_answers_bad_input_with_a_message(world):
    client = client_for(regulator("reg-bad", "110000"))
    url = reverse(f"{NS}:regulator_query")
    for query in (
        {"date_from": "abc", "date_to": "2026-02-31"},
        {"dosage_form": "x", "uscc": "<script>", "after": "not-a-cursor"},
        {"generic_name": "%" * 300, "before": "!!"},
    ):
        response = client.get(url, query)
        assert response.status_code == 200, query
    record = reverse(f"{NS}:regulator_detail", args=[world["haidian"].number])
    assert client.get(record, {"from": "x", "to": "y"}).status_code == 404
