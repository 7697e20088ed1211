"""Certificates across applications, write-offs and statistics through the API: the
same selectors and filters as the enterprise's and the authority's pages; another
enterprise or bureau sees nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests import auto_licence_helpers as lic
from tests.auto_licences.test_licence import declare

from .helpers import ApiClient

pytestmark = pytest.mark.django_db

BASE = "/auto-licences"


@pytest.fixture
def chains(seeded):
    return lic.chains()


@pytest.fixture
def licence(owner, chains, client):
    filing = lic.issued(owner, chains)  # one line: iron ore, 1000 kg, 105.00 USD
    declare(client, filing.certificate.number, "223320260000000001", quantity="400")
    return filing


def test_the_enterprise_queries_its_certificates_and_write_offs(owner, licence):
    api = ApiClient(owner)
    number = licence.certificate.number

    history = api.get(f"{BASE}/certificates").json()["results"]
    assert [c["number"] for c in history] == [number]
    row = history[0]
    assert row["application"] == licence.number and row["status"] == "ISSUED"
    assert row["source_label"]["en"] == "Issued on approval"
    assert row["source_label"]["zh"] != row["source_label"]["en"]
    assert api.get(f"{BASE}/certificates", number=number[-4:]).json()["results"]
    assert not api.get(f"{BASE}/certificates", number="NOPE").json()["results"]

    detail = api.get(f"{BASE}/certificates/{number}").json()
    (line,) = detail["lines"]
    assert Decimal(line["quantity"]) == 1000
    assert Decimal(line["written_off"]) == 400 and Decimal(line["remainder"]) == 600
    assert api.get(f"/auto-licences/applications/{licence.number}/certificate").json() == detail
    pdf = api.get(detail["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    in_force = api.get(f"{BASE}/customs-status").json()["results"]
    assert [c["number"] for c in in_force] == [number]
    assert not api.get(f"{BASE}/customs-status", customs="ACCEPTED").json()["results"]

    (write_off,) = api.get(f"{BASE}/write-offs").json()["results"]
    assert write_off["certificate"] == number and write_off["line_number"] == 1
    assert Decimal(write_off["quantity"]) == 400 and write_off["flags"] == []
    assert write_off["declaration_number"] == "223320260000000001"
    assert not api.get(f"{BASE}/write-offs", flagged="1").json()["results"]

    bad = api.get(f"{BASE}/write-offs", date_from="yesterday")
    assert bad.status_code == 422
    assert bad.json()["fields"]["date_from"]["en"] and bad.json()["fields"]["date_from"]["zh"]


def test_another_enterprise_and_another_bureau_see_nothing(licence, other_owner, chains):
    number = licence.certificate.number
    stranger = ApiClient(other_owner)
    for path in ("certificates", "customs-status", "write-offs"):
        assert stranger.get(f"{BASE}/{path}").json()["results"] == [], path
    for path in (f"certificates/{number}", f"certificates/{number}/pdf"):
        response = stranger.get(f"{BASE}/{path}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    # The bureau that issued it lists it and its write-off; another bureau does not.
    bureau = ApiClient(chains[1])
    assert [c["number"] for c in bureau.get(f"{BASE}/review/certificates").json()["results"]] == [
        number
    ]
    assert len(bureau.get(f"{BASE}/review/write-offs").json()["results"]) == 1
    other = ApiClient(chains["other-l1"])
    assert other.get(f"{BASE}/review/certificates").json()["results"] == []
    assert other.get(f"{BASE}/review/write-offs").json()["results"] == []
    # An enterprise token reads nothing on the authority's lists.
    assert stranger.get(f"{BASE}/review/certificates").json()["results"] == []


def test_statistics_match_the_sums_by_hand(owner, other_owner, chains):
    lic.issued(owner, chains)
    second = lic.complete_draft(owner)
    lic.services.add_line(
        filing=second, actor=owner, values=lic.line(quantity="500", total="52.50")
    )
    lic.services.submit(filing=second, actor=owner, second_factor_verified=True)
    lic.services.decide(filing=second, actor=chains[1], decision="first_pass")
    lic.services.decide(filing=second, actor=chains[2], decision="second_pass")
    api = ApiClient(owner)

    today = timezone.localdate()
    found = api.get(f"{BASE}/statistics").json()  # this month by default
    assert (found["year"], found["month"]) == (today.year, today.month)
    (row,) = found["rows"]
    assert row["hs_code"] == "2601120000" and row["goods"]["zh"] == "已烧结铁矿砂及其精矿"
    # By hand: 1000 + 1000 + 500 kg; 105.00 + 105.00 + 52.50 USD; two applications.
    assert Decimal(row["month_quantity"]) == 2500 and Decimal(row["year_usd"]) == Decimal("262.5")
    assert row["month_count"] == row["year_count"] == 2
    assert api.get(f"{BASE}/statistics", authority="LB-310000").json()["rows"] == []
    assert api.get(f"{BASE}/statistics", authority="NOPE").status_code == 422
    assert api.get(f"{BASE}/statistics", hs_code="0201").json()["rows"] == []

    bad = api.get(f"{BASE}/statistics", year="abc", hs_code="x")
    assert bad.status_code == 422
    body = bad.json()
    assert body["fields"]["hs_code"]["en"] == ["Enter 2 to 10 digits of an HS code."]
    assert body["fields"]["hs_code"]["zh"] == ["请输入 2 到 10 位商品编码。"]

    # Another enterprise's statistics are its own (none); a bureau's staff holds none: 403.
    assert ApiClient(other_owner).get(f"{BASE}/statistics").json()["rows"] == []
    refused = ApiClient(chains[1]).get(f"{BASE}/statistics")
    assert refused.status_code == 403 and refused.json()["code"] == "module_not_granted"
