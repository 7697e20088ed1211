"""The tokens page (Wagtail's APIToken): create (shown once), list with last use,
revoke; back-office users only after the second factor; throttling per token."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from wagtail.models import APIToken

from portal.accounts import services as account_services
from tests.conftest import PASSWORD, client_for, sign_in

pytestmark = pytest.mark.django_db

PAGE = "/accounts/api-tokens/"


def _english(client):
    """The portal is Chinese first: English only through the language switch's cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _created(response) -> str:
    return re.search(r'id="new-token-value">([^<]+)<', response.content.decode()).group(1)


def test_enterprise_user_creates_uses_and_revokes_a_token(owner):
    client = _english(client_for(owner, second_factor=False))
    page = client.get(PAGE)
    assert page.status_code == 200 and "Create token" in page.content.decode()
    created = client.post(PAGE, {"name": "ERP"})
    assert created.status_code == 200
    plaintext = _created(created)
    token = APIToken.objects.get(user=owner, name="ERP")
    # Only a digest is stored; the page shows the token once, never again.
    assert plaintext not in (token.key_hash, token.prefix) and plaintext.startswith(token.prefix)
    assert plaintext not in client.get(PAGE).content.decode()
    assert token.last_used_at is None

    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/me").json()["username"] == owner.username
    token.refresh_from_db()
    assert token.last_used_at is not None
    listed = client.get(PAGE).content.decode()
    assert "Never" not in listed.split(f'data-token="{token.pk}"')[1].split("</tr>")[0]

    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/me").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(owner, other_owner):
    token, _plain = APIToken.create_token(user=other_owner, name="theirs")
    client = client_for(owner, second_factor=False)
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_blank_name_is_refused(owner):
    client = client_for(owner, second_factor=False)
    assert client.post(PAGE, {"name": "  "}).status_code == 400
    assert not APIToken.objects.filter(user=owner).exists()


def test_back_office_token_needs_the_second_factor(authority):
    seat = account_services.create_approver(
        username="api-approver",
        password=PASSWORD,
        authority=authority,
        system="DRUG_PERMIT",
        level=1,
    )
    client = _english(Client())
    assert sign_in(client, "api-approver", PASSWORD)
    page = client.get(PAGE)
    assert page.status_code == 200 and 'id="token-second-factor"' in page.content.decode()
    refused = client.post(PAGE, {"name": "desk"})
    assert refused.status_code == 403
    assert not APIToken.objects.filter(user=seat.user).exists()

    verified = client_for(seat.user)
    assert verified.post(PAGE, {"name": "desk"}).status_code == 200
    assert APIToken.objects.filter(user=seat.user, name="desk").count() == 1


def test_throttling_is_per_token(owner, settings):
    settings.API_THROTTLE_RATE = "2/min"
    cache.clear()
    _t1, one = APIToken.create_token(user=owner, name="one")
    _t2, two = APIToken.create_token(user=owner, name="two")
    first = Client(HTTP_AUTHORIZATION=f"Bearer {one}")
    assert [first.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    limited = first.get("/api/v1/me")
    assert limited.status_code == 429 and limited.json()["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert Client(HTTP_AUTHORIZATION=f"Bearer {two}").get("/api/v1/me").status_code == 200
    cache.clear()


def test_the_api_token_command_prints_working_tokens_and_replaces_old_ones(owner, other_owner):
    """``manage.py api_token`` (scripts/schemathesis.sh takes the demo's tokens with it):
    one plaintext a line, in the order given; ``--replace`` revokes the earlier ones."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    def run(*users):
        out = StringIO()
        args = [a for u in users for a in ("--user", u)]
        call_command("api_token", *args, "--name", "ci", "--replace", stdout=out)
        return out.getvalue().split()

    first, second = run(owner.username, other_owner.username)

    def me(token):
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")

    assert me(first).json()["username"] == owner.username
    assert me(second).json()["username"] == other_owner.username
    (again,) = run(owner.username)
    assert me(again).status_code == 200 and me(first).status_code == 401
    assert me(second).status_code == 200  # another user's token stays
    with pytest.raises(CommandError):
        run("nobody")
