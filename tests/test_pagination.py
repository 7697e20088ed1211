"""Keyset pagination: every row exactly once, forwards and back, counts capped."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.models import Filing
from portal.pagination import InvalidCursor, KeysetPaginator

from .drug_permit_helpers import draft


@pytest.fixture
def filings(chain, owner, authority):
    made = [draft(owner, authority) for _ in range(45)]
    # Several share a creation time: the primary key breaks the tie.
    Filing.objects.filter(pk__in=[f.pk for f in made[:10]]).update(created_at=made[0].created_at)
    return made


@pytest.mark.django_db
def test_pages_cover_every_row_once_forwards_and_back(filings):
    qs = Filing.objects.filter(pk__in=[f.pk for f in filings])
    paginator = KeysetPaginator(qs, ("-created_at", "-pk"), per_page=20)
    expected = list(qs.order_by("-created_at", "-pk").values_list("pk", flat=True))
    first = paginator.page()
    second = paginator.page(after=first.next_cursor)
    third = paginator.page(after=second.next_cursor)
    seen = [f.pk for page in (first, second, third) for f in page]
    assert seen == expected
    assert (first.has_previous, first.has_next, third.has_next) == (False, True, False)
    back = paginator.page(before=third.previous_cursor)
    assert [f.pk for f in back] == [f.pk for f in second]
    assert back.has_previous and back.has_next
    assert (first.count, first.count_is_exact) == (45, True)


@pytest.mark.django_db
def test_the_count_stops_at_its_limit(filings):
    qs = Filing.objects.all()
    page = KeysetPaginator(qs, ("-created_at", "-pk"), per_page=20, count_limit=30).page()
    assert not page.count_is_exact and page.count == 30
    assert "30" in page.count_label


@pytest.mark.django_db
def test_a_page_deep_in_the_list_seeks_instead_of_offsetting(filings):
    qs = Filing.objects.all()
    paginator = KeysetPaginator(qs, ("-created_at", "-pk"), per_page=5)
    page = paginator.page()
    for _ in range(5):
        page = paginator.page(after=page.next_cursor)
    with CaptureQueriesContext(connection) as queries:
        paginator.page(after=page.next_cursor)
    listing = next(q["sql"] for q in queries if "LIMIT 6" in q["sql"])
    assert "OFFSET" not in listing.upper()
    assert re.search(r"\(.*created_at.*,.*id.*\)\s*<\s*\(", listing), listing


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["", "x", "e30", "WyIxIl0", "WyJub3QgYSBkYXRlIiwgIjEiXQ"])
def test_foreign_cursors_are_refused(filings, cursor):
    paginator = KeysetPaginator(Filing.objects.all(), ("-created_at", "-pk"))
    if cursor:
        with pytest.raises(InvalidCursor):
            paginator.page(after=cursor)


@pytest.mark.django_db
def test_the_enterprise_list_pages_with_next_and_previous_links(filings, owner_client):
    url = reverse("drug_permits:list")
    html = owner_client.get(url).content.decode()
    numbers = set(re.findall(r'data-number="(DP\d+)"', html))
    assert len(numbers) == 20
    next_link = re.search(r'rel="next" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    second = owner_client.get(f"{url}?{next_link}").content.decode()
    numbers_2 = set(re.findall(r'data-number="(DP\d+)"', second))
    assert len(numbers_2) == 20 and not numbers & numbers_2
    assert 'rel="prev"' in second
