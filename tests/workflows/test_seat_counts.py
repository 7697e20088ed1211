"""The approver's seats across systems, each with how many filings wait in its to-do list:
the back office's "My approval seats" and the dashboard's role panel."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.reference.models import Authority, Module
from workflows import services
from workflows.seat_queues import count_label, waiting_count

from .. import av_import_helpers as av
from .. import drug_permit_helpers as drug
from ..conftest import USCC_BEIJING, client_for, make_enterprise
from ..systems import SCENARIOS


@pytest.fixture
def two_seats(seeded):
    """An approver at level 1 of drug permits and of AV imports, one filing waiting in each."""
    owner = make_enterprise(USCC_BEIJING, "owner-a", name_zh="甲公司").user
    drug_authority = Authority.objects.get(code="DA-110000")
    approver = SCENARIOS[Module.DRUG_PERMIT].chains()[1]
    av.chains()
    accounts.create_approver(
        username=approver.username,
        password=None,
        authority=av.office(),
        system=Module.AV_IMPORT,
        level=1,
    )
    waiting = drug.complete_draft(owner, drug_authority)
    services.submit(filing=waiting, actor=owner, second_factor_verified=True)
    av_waiting = av.complete_draft(owner)
    services.submit(filing=av_waiting, actor=owner, second_factor_verified=True)
    return User.objects.get(pk=approver.pk), av_waiting


def waiting_counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-system="([A-Z_]+)".*?data-count>([^<]*)<', html, re.S))


@pytest.mark.django_db
def test_my_seats_show_each_seats_waiting_count_and_it_drops_after_a_decision(two_seats):
    approver, av_waiting = two_seats
    client = client_for(approver)
    html = client.get(reverse("my_seats")).content.decode()
    assert waiting_counts(html) == {Module.DRUG_PERMIT: "1", Module.AV_IMPORT: "1"}
    assert reverse("drug-permit:todo") in html and reverse("av-import:todo") in html
    assert av.office().name_zh in html
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = dashboard[dashboard.index("portal-role-heading") :]
    assert panel.count("待办：1") == 2
    assert reverse("drug-permit:todo") in panel and av.office().name_zh in panel

    services.decide(filing=av_waiting, actor=approver, decision="approve")
    html = client.get(reverse("my_seats")).content.decode()
    assert waiting_counts(html) == {Module.DRUG_PERMIT: "1", Module.AV_IMPORT: "0"}


@pytest.mark.django_db
def test_a_waiting_count_stops_at_its_limit(two_seats):
    approver, _av_waiting = two_seats
    assert waiting_count(approver, Module.AV_IMPORT, limit=0) == (0, False)
    assert waiting_count(approver, Module.AV_IMPORT, limit=1) == (1, True)
    with translation.override("en"):
        assert count_label(1000, False) == "more than 1,000"
