"""Idempotency-Key on create and submit: a retry never files twice."""

from base64 import b32decode
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp

from filings.models import Filing
from portal.accounts import second_factor
from portal.api.models import IdempotencyKey, purge_expired
from tests import drug_permit_helpers as drug
from tests.conftest import TEST_TOTP_SECRET

from .helpers import ApiClient, drug_header

pytestmark = pytest.mark.django_db

APPS = "/drug-permits/applications"


def test_create_retried_with_the_same_key_and_body_files_once(chain, owner):
    api = ApiClient(owner)
    first = api.post(APPS, drug_header(remarks="a"), **{"Idempotency-Key": "order-1"})
    again = api.post(APPS, drug_header(remarks="a"), **{"Idempotency-Key": "order-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Filing.objects.filter(system="DRUG_PERMIT").count() == 1
    stored = IdempotencyKey.objects.get(user=owner, key="order-1")
    assert stored.response["number"] == first.json()["number"]


def test_the_same_key_with_another_body_is_refused(chain, owner):
    api = ApiClient(owner)
    api.post(APPS, drug_header(remarks="a"), **{"Idempotency-Key": "order-2"})
    other = api.post(APPS, drug_header(remarks="b"), **{"Idempotency-Key": "order-2"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "already used for another request" in other.json()["messages"]["en"][0]
    assert Filing.objects.filter(system="DRUG_PERMIT").count() == 1


def test_keys_are_per_user(chain, owner, other_owner):
    ApiClient(owner).post(APPS, drug_header(), **{"Idempotency-Key": "k"})
    # The other enterprise's owner holds no authority settings problem: it files its own.
    theirs = ApiClient(other_owner).post(APPS, drug_header(), **{"Idempotency-Key": "k"})
    assert theirs.status_code == 201
    assert Filing.objects.filter(system="DRUG_PERMIT").count() == 2


def test_a_create_refused_by_validation_keeps_no_key(chain, owner):
    api = ApiClient(owner)
    refused = api.post(APPS, drug_header(purpose=None), **{"Idempotency-Key": "k2"})
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.filter(key="k2").exists()
    assert api.post(APPS, drug_header(), **{"Idempotency-Key": "k2"}).status_code == 201


def test_submit_retried_with_the_same_key_submits_once(chain, owner, authority):
    application = drug.complete_draft(owner, authority)
    second_factor.enrol_with_secret(owner, TEST_TOTP_SECRET)
    api = ApiClient(owner)
    url = f"{APPS}/{application.number}/submit"
    code = f"{totp(b32decode(TEST_TOTP_SECRET)):06d}"
    first = api.post(url, **{"Idempotency-Key": "submit-1", "X-Second-Factor": code})
    assert first.status_code == 200, first.content
    # The retry replays the stored response: the code is not checked again, nothing runs.
    again = api.post(url, **{"Idempotency-Key": "submit-1"})
    assert again.status_code == 200 and again.json() == first.json()
    # Without the key the same call reaches the service, which has nothing left to do.
    fresh = api.post(url, **{"X-Second-Factor": code})
    assert fresh.status_code in (403, 409)
    # The same key on another address is another request.
    other = api.post(f"{APPS}/{application.number}/withdraw", **{"Idempotency-Key": "submit-1"})
    assert other.status_code != 500
    create_with_it = api.post(APPS, drug_header(), **{"Idempotency-Key": "submit-1"})
    assert create_with_it.status_code == 422


def test_keys_are_kept_a_day_then_purged(chain, owner):
    api = ApiClient(owner)
    api.post(APPS, drug_header(), **{"Idempotency-Key": "old"})
    assert purge_expired(now=timezone.now() + timedelta(hours=23)) == 0
    assert purge_expired(now=timezone.now() + timedelta(hours=25)) == 1


def test_a_racing_request_with_the_same_key_rolls_back_and_replays(chain, owner, monkeypatch):
    """Two requests with one key, the second looking before the first committed: its own
    transaction fails on the unique key and rolls back whole (no second filing), and it
    answers with the first one's stored response."""
    from portal.api import idempotency

    api = ApiClient(owner)
    first = api.post(APPS, drug_header(), **{"Idempotency-Key": "race"})
    real = idempotency.replay
    looked = []

    def replay_missing_once(user, key, request_hash):
        looked.append(key)
        return None if len(looked) == 1 else real(user, key, request_hash)

    monkeypatch.setattr(idempotency, "replay", replay_missing_once)
    second = api.post(APPS, drug_header(), **{"Idempotency-Key": "race"})
    assert len(looked) == 2
    assert second.status_code == 201 and second.json() == first.json()
    assert Filing.objects.filter(system="DRUG_PERMIT").count() == 1


def test_the_key_row_shares_the_submission_transaction(chain, owner, authority):
    """What the API writes in submit's ``then`` commits with the submission or not at all."""
    from workflows import services

    application = drug.complete_draft(owner, authority)

    def fail(filing):
        raise RuntimeError("the key could not be written")

    with pytest.raises(RuntimeError):
        services.submit(filing=application, actor=owner, second_factor_verified=True, then=fail)
    application.refresh_from_db()
    assert application.status == "DRAFT" and application.submitted_at is None
