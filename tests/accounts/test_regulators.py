"""Regulators at every level read their own region and everything under it, and only
with the read right; administrators manage the regulators of their own region only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.accounts import selectors, services
from portal.accounts.models import Enterprise, Regulator
from portal.accounts.validators import uscc_check_character
from portal.reference.models import Authority, Module, Region

from ..conftest import PASSWORD, client_for, make_enterprise

ARCHIVE = Module.EXPORT_DRUG_ARCHIVE


def uscc(division: str, serial: str = "MA7RGN01X") -> str:
    first17 = f"91{division}{serial}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def enterprises(seeded):
    """One enterprise in Haidian, one in Chaoyang (its sibling district), one in Shanghai."""
    return {
        name: make_enterprise(uscc(code), f"owner-{name}", name_zh=f"{name}公司").enterprise
        for name, code in (("haidian", "110108"), ("chaoyang", "110105"), ("pudong", "310115"))
    }


@pytest.fixture
def regulators(make_regulator):
    found = {
        "national": make_regulator("reg-national", "000000"),
        "beijing": make_regulator("reg-beijing", "110000"),
        "haidian": make_regulator("reg-haidian", "110108"),
        "chaoyang": make_regulator("reg-chaoyang", "110105"),
        "shanghai": make_regulator("reg-shanghai", "310000"),
        "noright": make_regulator("reg-noright", "110000", modules=()),
        "inactive": make_regulator("reg-inactive", "110000"),
    }
    Regulator.objects.filter(pk=found["inactive"].pk).update(is_active=False)
    return found


def beijing_admin(seeded):
    return services.create_authority_admin(
        username="bj-admin", password=PASSWORD, authority=Authority.objects.get(code="DA-110000")
    ).user


def test_registration_keeps_the_division_code(enterprises):
    assert enterprises["haidian"].division_code == "110108"
    assert Enterprise.objects.get(pk=enterprises["pudong"].pk).division_code == "310115"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("regulator", "readable"),
    [
        ("national", {"haidian", "chaoyang", "pudong"}),
        ("beijing", {"haidian", "chaoyang"}),
        ("haidian", {"haidian"}),
        ("chaoyang", {"chaoyang"}),
        ("shanghai", {"pudong"}),
        ("noright", set()),
        ("inactive", set()),
    ],
)
def test_each_regulator_reads_exactly_its_region(enterprises, regulators, regulator, readable):
    user = regulators[regulator].user
    names = {e.name_zh.removesuffix("公司") for e in enterprises.values()}
    found = selectors.enterprises_for_regulator(user=user, module=ARCHIVE)
    assert {e.name_zh.removesuffix("公司") for e in found} & names == readable
    assert selectors.regulator_may_read(user, ARCHIVE) == (regulator not in {"noright", "inactive"})
    assert not selectors.regulator_may_read(user, Module.DRUG_PERMIT)
    # Without a module: the region alone (the jurisdiction's enterprise list).
    scope = {e.name_zh.removesuffix("公司") for e in selectors.enterprises_for_regulator(user=user)}
    if regulator == "inactive":
        assert selectors.jurisdiction_of(user) is None and not scope & names
    else:
        assert selectors.jurisdiction_of(user) == regulators[regulator].region
        expected = {"national": names, "noright": {"haidian", "chaoyang"}}.get(regulator, readable)
        assert scope & names == expected


def test_others_read_nothing(enterprises, owner, authority_admin_client):
    from django.contrib.auth.models import AnonymousUser

    for user in (owner, AnonymousUser(), None):
        assert not selectors.enterprises_for_regulator(user=user, module=ARCHIVE).exists()
        assert not selectors.enterprises_for_regulator(user=user).exists()
        assert selectors.jurisdiction_of(user) is None
        assert not selectors.regulator_may_read(user, ARCHIVE)


def test_revoking_and_disabling_take_effect_at_once(enterprises, regulators):
    admin = beijing_admin(None)
    regulator = regulators["haidian"]
    user = regulator.user
    assert selectors.enterprises_for_regulator(user=user, module=ARCHIVE).exists()
    services.set_regulator_modules(actor=admin, regulator=regulator, modules=[])
    assert not selectors.enterprises_for_regulator(user=user, module=ARCHIVE).exists()
    services.set_regulator_modules(actor=admin, regulator=regulator, modules=[ARCHIVE])
    assert selectors.regulator_may_read(user, ARCHIVE)
    assert regulator.grants.get().granted_by == admin
    services.set_regulator_active(actor=admin, regulator=regulator, active=False)
    assert not selectors.enterprises_for_regulator(user=user).exists()
    user.refresh_from_db()
    assert not user.is_active


def test_administrators_see_the_regulators_of_their_region(regulators, django_user_model):
    admin = beijing_admin(None)
    mine = set(selectors.regulators_of_admin(admin).values_list("user__username", flat=True))
    assert mine == {"reg-beijing", "reg-haidian", "reg-chaoyang", "reg-noright", "reg-inactive"}
    root = django_user_model.objects.create_superuser("root", "root@example.cn", PASSWORD)
    assert selectors.regulators_of_admin(root).count() == len(regulators)
    assert selectors.administrable_region(root).code == "000000"
    licence_admin = services.create_authority_admin(
        username="lic-admin",
        password=PASSWORD,
        authority=Authority.objects.exclude(kind="DRUG_ADMINISTRATION").first(),
    ).user
    for user in (licence_admin, regulators["national"].user):
        assert selectors.administrable_region(user) is None
        assert not selectors.regulators_of_admin(user).exists()


def test_beijing_administrator_cannot_touch_a_shanghai_regulator(regulators):
    admin = beijing_admin(None)
    shanghai = regulators["shanghai"]
    with pytest.raises(PermissionDenied):
        services.create_regulator(
            actor=admin,
            username="reg-new",
            password=PASSWORD,
            region=Region.objects.get(code="310115"),
            modules=[ARCHIVE],
        )
    with pytest.raises(PermissionDenied):
        services.create_regulator(
            actor=admin,
            username="reg-new",
            password=PASSWORD,
            region=Region.objects.get(code="000000"),
        )
    with pytest.raises(PermissionDenied):
        services.set_regulator_modules(actor=admin, regulator=shanghai, modules=[])
    with pytest.raises(PermissionDenied):
        services.set_regulator_active(actor=admin, regulator=shanghai, active=False)
    shanghai.refresh_from_db()
    assert shanghai.is_active and shanghai.granted_modules() == [ARCHIVE]
    assert not Regulator.objects.filter(user__username="reg-new").exists()
    created = services.create_regulator(
        actor=admin,
        username="reg-new",
        password=PASSWORD,
        region=Region.objects.get(code="110108"),
        modules=[ARCHIVE],
    )
    assert created.user.groups.filter(name="Regulators").exists()
    assert selectors.regulator_may_read(created.user, ARCHIVE)


# --- pages ---------------------------------------------------------------------------------------


def test_regulator_pages_for_the_beijing_administrator(regulators, authority_admin_client):
    client = authority_admin_client
    html = client.get(reverse("regulators")).content.decode()
    assert 'data-regulator="reg-haidian"' in html and 'data-regulator="reg-beijing"' in html
    assert "reg-shanghai" not in html and "reg-national" not in html
    shanghai = regulators["shanghai"]
    assert client.get(reverse("regulator_edit", args=[shanghai.pk])).status_code == 404
    response = client.post(
        reverse("regulator_edit", args=[shanghai.pk]), {"modules": [], "is_active": ""}
    )
    assert response.status_code == 404
    shanghai.refresh_from_db()
    assert shanghai.is_active and shanghai.granted_modules() == [ARCHIVE]

    # A region outside Beijing is refused by the form, whatever the picker offered.
    form = client.get(reverse("regulator_new"))
    assert "within=110000" in form.content.decode()
    response = client.post(
        reverse("regulator_new"),
        {
            "username": "reg-pudong",
            "password": PASSWORD,
            "region": Region.objects.get(code="310115").pk,
            "modules": [ARCHIVE],
        },
    )
    assert response.status_code == 200
    assert not Regulator.objects.filter(user__username="reg-pudong").exists()

    response = client.post(
        reverse("regulator_new"),
        {
            "username": "reg-xicheng",
            "password": PASSWORD,
            "region": Region.objects.get(code="110102").pk,
            "modules": [ARCHIVE],
        },
    )
    assert response.status_code == 302
    created = Regulator.objects.get(user__username="reg-xicheng")
    assert created.region.code == "110102" and created.granted_modules() == [ARCHIVE]

    haidian = regulators["haidian"]
    page = client.get(reverse("regulator_edit", args=[haidian.pk])).content.decode()
    assert "checked" in page
    region = haidian.region_id
    response = client.post(
        reverse("regulator_edit", args=[haidian.pk]), {"region": region, "modules": []}
    )
    assert response.status_code == 302
    haidian.refresh_from_db()
    assert not haidian.is_active and haidian.granted_modules() == []
    client.post(
        reverse("regulator_edit", args=[haidian.pk]),
        {"region": region, "modules": [ARCHIVE], "is_active": "on"},
    )
    haidian.refresh_from_db()
    assert haidian.is_active and haidian.granted_modules() == [ARCHIVE]

    # Moved within Beijing: it reads its new district at once; outside Beijing: refused.
    chaoyang = Region.objects.get(code="110105")
    edit = reverse("regulator_edit", args=[haidian.pk])
    kept = {"modules": [ARCHIVE], "is_active": "on"}
    assert client.post(edit, {"region": chaoyang.pk, **kept}).status_code == 302
    haidian.refresh_from_db()
    assert haidian.region == chaoyang
    pudong = Region.objects.get(code="310115")
    response = client.post(edit, {"region": pudong.pk, **kept})
    assert (
        response.status_code == 200
        and "errorlist" in response.content.decode()
        or ('role="alert"' in response.content.decode())
    )
    haidian.refresh_from_db()
    assert haidian.region == chaoyang
    with pytest.raises(PermissionDenied):
        services.set_regulator_region(
            actor=haidian.user, regulator=regulators["beijing"], region=chaoyang
        )


def test_superuser_administers_every_regulator(regulators, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.cn", PASSWORD)
    client = client_for(root)
    html = client.get(reverse("regulators")).content.decode()
    assert all(f'data-regulator="{r.user.username}"' in html for r in regulators.values())
    shanghai = regulators["shanghai"]
    assert client.get(reverse("regulator_edit", args=[shanghai.pk])).status_code == 200
    response = client.post(
        reverse("regulator_new"),
        {
            "username": "reg-nation-2",
            "password": PASSWORD,
            "region": Region.objects.get(code="000000").pk,
            "modules": [ARCHIVE],
        },
    )
    assert response.status_code == 302
    assert Regulator.objects.get(user__username="reg-nation-2").region.code == "000000"


def test_only_administrators_reach_the_regulator_pages(regulators, regulator_client, editor_client):
    from .test_roles import menu_names

    for client in (regulator_client, editor_client):
        assert client.get(reverse("regulators")).status_code in (302, 403)
        assert client.get(reverse("regulator_new")).status_code in (302, 403)
        assert "regulators" not in menu_names(client)
    admin = beijing_admin(None)
    assert "regulators" in menu_names(client_for(admin))


def test_jurisdiction_enterprises_are_paged(regulator_client, enterprises):
    Enterprise.objects.bulk_create(
        Enterprise(
            name_zh=f"批量公司{i:03d}",
            uscc=f"91110105BULK{i:05d}X",
            province="110000",
            division_code="110105",
            address="-",
            contact_name="-",
            contact_phone="-",
            contact_email="x@example.cn",
        )
        for i in range(55)
    )
    first = regulator_client.get(reverse("jurisdiction_enterprises"))
    html = first.content.decode()
    assert 'rel="next"' in html and "pudong公司" not in html
    assert html.index("chaoyang公司") < html.index("批量公司000")  # by division code
    cursor = html.split("after=")[1].split('"')[0]
    second = regulator_client.get(reverse("jurisdiction_enterprises"), {"after": cursor})
    assert "haidian公司" in second.content.decode()
    bad = regulator_client.get(reverse("jurisdiction_enterprises"), {"after": "nonsense"})
    assert bad.status_code == 200
