import pytest
from django.urls import reverse

from portal.reference.models import CustomsDistrict, Port


def search(client, kind, q, *filters):
    url = reverse("reference:search", args=[kind])
    response = client.get(url, {"q": q, "filter": list(filters)})
    assert response.status_code == 200
    return [r["code"] for r in response.json()["results"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "query", "expected"),
    [
        ("hs-codes", "2937", "2937110000"),  # digits: code prefix
        ("hs-codes", "胰岛素", "2937121000"),  # Chinese anywhere in the name
        ("countries", "de", "DE"),  # letters: code
        ("countries", "germ", "DE"),  # letters: English name
        ("countries", "deguo", "DE"),  # letters: full pinyin of 德国
        ("countries", "dg", "DE"),  # letters: pinyin initials
        ("currencies", "人民币", "CNY"),
        ("currencies", "156", "CNY"),  # ISO 4217 numeric
        ("customs-districts", "22", "2200"),
        ("ports", "浦东", "2233"),
        ("trade-modes", "0110", "0110"),
        ("dosage-forms", "胶囊", "02"),
        ("authorities", "北京", "DA-110000"),
        ("purposes", "medical", "MEDICAL"),
    ],
)
def test_picker_matches_digits_letters_and_chinese(client, seeded, kind, query, expected):
    assert expected in search(client, kind, query)


@pytest.mark.django_db
def test_short_letters_match_word_starts_only(client, seeded):
    # "sh" must not match 北京首都 ("beijingshoudu") in the middle of a word.
    codes = search(client, "ports", "sh")
    assert "2233" in codes  # 上海浦东 shanghai…
    assert "0101" not in codes


@pytest.mark.django_db
def test_designated_filter_and_port_carries_its_district(client, seeded):
    url = reverse("reference:search", args=["ports"])
    results = client.get(url, {"q": "上海", "filter": "designated"}).json()["results"]
    assert results and all(
        Port.objects.get(code=r["code"]).is_designated_drug_port for r in results
    )
    pudong = next(r for r in results if r["code"] == "2233")
    assert pudong["customs_district"]["label"].startswith("2200")


@pytest.mark.django_db
def test_drafts_are_never_offered(client, seeded):
    district = CustomsDistrict.objects.get(code="2200")
    Port.objects.create(code="2299", name_zh="草稿口岸", customs_district=district, live=False)
    assert "2299" not in search(client, "ports", "草稿")


@pytest.mark.django_db
def test_results_are_bounded_and_unknown_lists_404(client, seeded):
    assert len(search(client, "countries", "")) == 20
    assert client.get(reverse("reference:search", args=["secrets"])).status_code == 404


@pytest.mark.django_db
def test_english_labels_for_english_visitors(client, seeded):
    client.cookies["django_language"] = "en"
    url = reverse("reference:search", args=["countries"])
    result = client.get(url, {"q": "DE"}).json()["results"][0]
    assert result["label"] == "DE Germany"
