"""The language switch: remembered for a signed-in user, and the Wagtail admin follows it
(Wagtail built its snippet breadcrumb once, in the first request's language: "首页")."""

import pytest
from django.contrib.auth import get_user_model

from portal.languages import preferred_language
from portal.reference.models import Port

from .conftest import client_for


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.django_db
def test_an_english_switched_user_sees_home_in_a_snippet_pages_breadcrumb(seeded):
    user = get_user_model().objects.create_superuser("su-lang", "su@example.cn", "x")
    client = client_for(user)
    pages = [
        "/admin/snippets/reference/port/",
        f"/admin/snippets/reference/port/edit/{Port.objects.first().pk}/",
    ]
    for url in pages:
        assert "首页" in client.get(url).content.decode(), "Chinese first"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302 and preferred_language(fresh(user)) == "en"
    for url in pages:
        html = client.get(url).content.decode()
        assert "Home" in html and "首页" not in html, url
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert preferred_language(fresh(user)) == "zh-hans"
    assert "首页" in client.get(pages[0]).content.decode()


@pytest.mark.django_db
def test_an_anonymous_switch_only_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
