"""The region tree: prefixes, the range a region covers, the seed list and its picker."""

import csv
import importlib
import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.accounts.models import Enterprise
from portal.reference.loading import DATA_DIR, load_reference_data
from portal.reference.models import Region, RegionLevel, division_prefix


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("000000", ""),
        ("110000", "11"),
        ("110100", "1101"),
        ("110108", "110108"),
        ("441900", "4419"),
    ],
)
def test_prefix_drops_trailing_zero_pairs(code, prefix):
    assert division_prefix(code) == prefix


@pytest.mark.django_db
def test_saved_region_keeps_its_prefix(seeded):
    assert Region.objects.get(code="000000").prefix == ""
    assert Region.objects.get(code="110000").prefix == "11"
    assert Region.objects.get(code="110108").prefix == "110108"
    assert Region.objects.get(code="440300").prefix == "4403"


def _codes_to_try(regions) -> list[str]:
    """Every code of the tree, its edges and neighbours, and random six-digit codes."""
    rng = random.Random(2260)
    codes = set()
    for region in regions:
        codes.add(region.code)
        if region.prefix:
            low, high = region.prefix.ljust(6, "0"), region.prefix.ljust(6, "9")
            codes |= {low, high, f"{int(low) - 1:06d}", f"{min(int(high) + 1, 999999):06d}"}
    codes |= {f"{rng.randrange(1_000_000):06d}" for _ in range(300)}
    # Random codes inside the provinces of the tree, where the ranges are close together.
    for _ in range(300):
        region = rng.choice(regions)
        codes.add((region.prefix + f"{rng.randrange(1_000_000):06d}")[:6])
    return sorted(codes)


@pytest.mark.django_db
def test_scope_matches_exactly_the_codes_starting_with_the_prefix(seeded):
    regions = list(Region.objects.all())
    assert len(regions) > 100
    codes = _codes_to_try(regions)
    # Stand-in rows carrying each code as an enterprise's division code.
    Enterprise.objects.bulk_create(
        Enterprise(
            name_zh=f"区划{code}",
            uscc=f"91{code}TESTROW01",
            province="110000",
            division_code=code,
            address="-",
            contact_name="-",
            contact_phone="-",
            contact_email="x@example.cn",
        )
        for code in codes
    )
    for region in regions:
        in_sql = set(
            Enterprise.objects.filter(region.scope_q("division_code")).values_list(
                "division_code", flat=True
            )
        )
        expected = {code for code in codes if code.startswith(region.prefix)}
        assert in_sql == expected, region.code
        regions_in_sql = set(
            Region.objects.filter(region.scope_q("code")).values_list("code", flat=True)
        )
        assert regions_in_sql == {r.code for r in regions if r.code.startswith(region.prefix)}
        for other in regions:
            assert other.is_within(region) == other.code.startswith(region.prefix)
            assert region.contains_code(other.code) == other.is_within(region)


@pytest.mark.django_db
def test_tree_links_each_region_to_the_one_it_is_part_of(seeded):
    nation = Region.objects.get(code="000000")
    assert nation.level == RegionLevel.NATIONAL and nation.parent is None
    provinces = Region.objects.filter(level=RegionLevel.PROVINCE)
    assert provinces.count() == 31
    assert set(provinces.values_list("parent", flat=True)) == {nation.pk}
    haidian = Region.objects.get(code="110108")
    assert haidian.level == RegionLevel.CITY and haidian.parent.code == "110000"
    assert haidian.name_zh == "海淀区" and haidian.name_en == "Haidian District"
    for region in Region.objects.exclude(pk=nation.pk).select_related("parent"):
        assert region.code.startswith(region.parent.prefix)
    # Every district of Beijing and Shanghai; the cities of Guangdong, Zhejiang and Jiangsu.
    counts = {"11": 16, "31": 16, "44": 21, "33": 11, "32": 13}
    for province, n in counts.items():
        assert Region.objects.filter(level=RegionLevel.CITY, code__startswith=province).count() == n


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_the_migration_rows_match_the_file(seeded):
    before = list(Region.objects.order_by("pk").values())
    assert load_reference_data()["regions.csv"] == (0, 0)
    assert list(Region.objects.order_by("pk").values()) == before
    migration = importlib.import_module("portal.reference.migrations.0004_region")
    with open(DATA_DIR / "regions.csv", encoding="utf-8", newline="") as f:
        rows = {row["code"]: row for row in csv.DictReader(f)}
    for code, name_zh, name_en in [migration.NATIONAL, *migration.PROVINCES]:
        assert (rows[code]["name_zh"], rows[code]["name_en"]) == (name_zh, name_en)
    # The migration's search text is what the model would write.
    for region in Region.objects.filter(code__in=["000000", "110000", "650000"]):
        assert region.search_text == region.build_search_text()


@pytest.mark.django_db
def test_a_changed_region_row_is_put_back(seeded):
    Region.objects.filter(code="110108").update(name_zh="旧名", parent=None)
    assert load_reference_data()["regions.csv"] == (0, 1)
    haidian = Region.objects.get(code="110108")
    assert haidian.name_zh == "海淀区" and haidian.parent.code == "110000"
    assert "haidian" in haidian.search_text


@pytest.mark.django_db
def test_region_must_sit_under_its_parent(seeded):
    shanghai = Region.objects.get(code="310000")
    region = Region(code="110199", name_zh="某区", level=RegionLevel.CITY, parent=shanghai)
    with pytest.raises(ValidationError) as error:
        region.full_clean()
    assert "parent" in error.value.message_dict
    region.parent = Region.objects.get(code="110000")
    region.full_clean()
    with pytest.raises(ValidationError):
        Region(code="110199", name_zh="某区", level=RegionLevel.CITY).full_clean()


def _search(client, q, **params):
    response = client.get(reverse("reference:search", args=["regions"]), {"q": q, **params})
    assert response.status_code == 200
    return [r["code"] for r in response.json()["results"]]


@pytest.mark.django_db
def test_region_picker_finds_by_code_pinyin_and_chinese_within_a_region(client, seeded):
    assert "110108" in _search(client, "haidian")
    assert "110108" in _search(client, "海淀")
    assert _search(client, "1101")[0] == "110101"
    within = _search(client, "", within="110000")
    assert "110000" in within and "110108" in within
    assert not [c for c in within if not c.startswith("11")]
    assert _search(client, "浦东", within="110000") == []
    assert _search(client, "浦东", within="310000") == ["310115"]
    assert _search(client, "", within="999999") == []


@pytest.mark.django_db
def test_editors_keep_regions_as_a_reference_list(seeded, django_user_model):
    from ..conftest import PASSWORD, client_for

    root = django_user_model.objects.create_superuser("root", "root@example.cn", PASSWORD)
    client = client_for(root)
    listing = client.get(reverse("wagtailsnippets_reference_region:list"), {"q": "海淀"})
    assert listing.status_code == 200 and "110108" in listing.content.decode()
    haidian = Region.objects.get(code="110108")
    edit = client.get(reverse("wagtailsnippets_reference_region:edit", args=[haidian.pk]))
    assert edit.status_code == 200 and "北京市" in edit.content.decode()  # the parent's label
