"""Authority administrators manage their authority's approver seats (user + system + level)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.accounts import services as accounts
from portal.accounts.models import ApproverSeat
from portal.reference.models import Authority, Module
from workflows import seats

from ..conftest import PASSWORD, client_for, enrol_second_factor, sign_in

DP = Module.DRUG_PERMIT


@pytest.fixture
def admin(authority):
    return accounts.create_authority_admin(username="bj-boss", password=None, authority=authority)


@pytest.mark.django_db
def test_an_administrator_adds_a_seat_and_its_approver_signs_in_to_the_to_do_list(
    chain, admin, client
):
    page = client_for(admin.user)
    response = page.post(
        reverse("approver_seat_new"),
        {
            "username": "bj-new-l2",
            "full_name": "周初审",
            "email": "zhou@bj.example.cn",
            "password": PASSWORD,
            "system": DP,
            "level": 2,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    seat = ApproverSeat.objects.get(user__username="bj-new-l2")
    assert (seat.authority, seat.system, seat.level, seat.is_active) == (
        admin.authority,
        DP,
        2,
        True,
    )
    assert "bj-new-l2" in page.get(reverse("approver_seats")).content.decode()
    assert sign_in(client, "bj-new-l2", PASSWORD)
    # A new approver enrols an authenticator before anything else (second factor).
    assert "second-factor/enrol" in client.get(reverse("drug-permit:todo"))["Location"]
    enrol_second_factor(client)
    html = client.get(reverse("drug-permit:todo")).content.decode()
    assert "初审" in html and "请先设置初始值" not in html


@pytest.mark.django_db
def test_one_seat_per_system_and_only_in_ones_own_authority(chain, admin):
    with pytest.raises(ValidationError) as excinfo:
        seats.create_seat(actor=admin.user, system=DP, level=3, username="bj-l2")
    assert "username" in excinfo.value.message_dict  # bj-l2 already sits in this system
    with pytest.raises(ValidationError):  # Shanghai's approver is not ours to seat
        seats.create_seat(actor=admin.user, system=DP, level=3, username="sh-l1")
    with pytest.raises(ValidationError):  # no such level
        seats.create_seat(
            actor=admin.user, system=DP, level=7, username="x", full_name="X", password=PASSWORD
        )
    with pytest.raises(ValidationError):  # a drug administration decides no AV imports
        seats.create_seat(
            actor=admin.user,
            system=Module.AV_IMPORT,
            level=1,
            username="y",
            full_name="Y",
            password=PASSWORD,
        )
    with pytest.raises(PermissionDenied):
        seats.create_seat(actor=chain[1], system=DP, level=1, username="z")


@pytest.mark.django_db
def test_the_last_active_seat_of_a_configured_level_cannot_be_disabled(chain, admin):
    only_l2 = ApproverSeat.objects.get(user=chain[2], system=DP)
    with pytest.raises(ValidationError):
        seats.change_seat(actor=admin.user, seat=only_l2, active=False)
    with pytest.raises(ValidationError):
        seats.change_seat(actor=admin.user, seat=only_l2, level=3)
    spare = seats.create_seat(
        actor=admin.user,
        system=DP,
        level=2,
        username="bj-l2b",
        full_name="钱初审",
        password=PASSWORD,
    )
    seats.change_seat(actor=admin.user, seat=only_l2, active=False)
    only_l2.refresh_from_db()
    assert not only_l2.is_active
    from portal.accounts.models import User

    assert User.objects.get(pk=chain[2].pk).approver_seats.filter(is_active=True).count() == 0
    assert spare.is_active


@pytest.mark.django_db
def test_a_disabled_seat_decides_nothing(chain, admin, owner, authority):
    from filings.runner import AlreadyHandled
    from workflows import services

    from ..drug_permit_helpers import complete_draft, decide

    spare = seats.create_seat(
        actor=admin.user,
        system=DP,
        level=1,
        username="bj-l1b",
        full_name="孙受理",
        password=PASSWORD,
    )
    seats.change_seat(actor=admin.user, seat=spare, active=False)
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    from portal.accounts.models import User

    with pytest.raises((PermissionDenied, AlreadyHandled)):
        decide(
            application,
            User.objects.get(pk=spare.user_id),
            "accept",
            opinion="x",
            notice_number="1",
        )


@pytest.mark.django_db
def test_seat_pages_belong_to_authority_administrators(chain, admin, approver_client):
    other = accounts.create_authority_admin(
        username="sh-boss", password=None, authority=Authority.objects.get(code="DA-310000")
    )
    seat = ApproverSeat.objects.get(user=chain[1], system=DP)
    assert (
        client_for(other.user).get(reverse("approver_seat_edit", args=[seat.pk])).status_code == 404
    )
    assert client_for(chain[1]).get(reverse("approver_seats")).status_code in (302, 403)
    html = client_for(other.user).get(reverse("approver_seats")).content.decode()
    assert "bj-l1" not in html and "sh-l1" in html
