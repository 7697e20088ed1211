"""The approvers' side and a whole filing by API alone: create, lines, attachments,
submit, the four decisions, the certificate."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from filings import audit
from filings.models import Filing
from portal.accounts import second_factor
from tests import drug_permit_helpers as drug
from tests.conftest import TEST_TOTP_SECRET

from .helpers import ApiClient, drug_header, drug_line

pytestmark = pytest.mark.django_db

APPS = "/drug-permits/applications"
REVIEW = "/drug-permits/review/applications"


def test_a_whole_drug_permit_by_api_alone(chain, owner):
    filer = ApiClient(owner)
    number = filer.post(APPS, drug_header(), **{"Idempotency-Key": "whole-1"}).json()["number"]
    assert filer.post(f"{APPS}/{number}/lines", drug_line()).status_code == 201
    application = Filing.objects.get(number=number).drugpermitapplication
    for kind in application.purpose.attachment_types.filter(required=True):
        uploaded = filer.upload(
            f"{APPS}/{number}/attachments",
            {"file": drug.pdf(f"{kind.pk}.pdf"), "attachment_type": kind.pk},
        )
        assert uploaded.status_code == 201, uploaded.content
    assert filer.get(f"{APPS}/{number}").json()["still_missing"] == {"zh": [], "en": []}
    second_factor.enrol_with_secret(owner, TEST_TOTP_SECRET)
    code = f"{totp(b32decode(TEST_TOTP_SECRET)):06d}"
    submitted = filer.post(
        f"{APPS}/{number}/submit", **{"Idempotency-Key": "whole-2", "X-Second-Factor": code}
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "PENDING_ACCEPTANCE"

    steps = [
        (1, "accept", {"opinion": "材料齐全，予以受理", "notice_number": "京药监受〔2026〕9号"}),
        (2, "review_agree", {"opinion": "同意"}),
        (3, "review_agree", {"opinion": "同意"}),
        (4, "approve", {"opinion": "准予许可"}),
    ]
    produced = None
    for level, decision, values in steps:
        approver = ApiClient(chain[level])
        todo = approver.get(REVIEW, queue="todo").json()["results"]
        assert [r["number"] for r in todo] == [number], level
        detail = approver.get(f"{REVIEW}/{number}").json()
        assert decision in [d["name"] for d in detail["decisions"]]
        # Another level cannot take this level's decision.
        other = ApiClient(chain[level % 4 + 1])
        refused = other.post(f"{REVIEW}/{number}/decide", {"decision": decision, **values})
        assert refused.status_code in (403, 409), (level, refused.content)
        decided = approver.post(
            f"{REVIEW}/{number}/decide",
            {"decision": decision, "expected_status": detail["status"], **values},
        )
        assert decided.status_code == 200, (level, decided.content)
        produced = decided.json()
    assert produced["application"]["status"] == "APPROVED"
    assert produced["certificate"]
    application.refresh_from_db()
    assert application.certificate.number == produced["certificate"]
    # Audited as on the page: every decision names its approver.
    actors = {entry.actor_id for entry in audit.history(application) if entry.actor_id}
    assert {chain[n].pk for n in (1, 2, 3, 4)} <= actors
    # The filer reads the result through its own endpoints: notices, the certificate, PDFs.
    assert filer.get(f"{APPS}/{number}").json()["status"] == "APPROVED"
    certificate = filer.get(f"{APPS}/{number}/certificate").json()
    assert certificate["number"] == produced["certificate"]
    pdf = filer.client.get(certificate["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(getattr(pdf, "streaming_content", [pdf.content])).startswith(b"%PDF")
    notices = filer.get(f"{APPS}/{number}/notices").json()
    assert notices and notices[0]["number"] == "京药监受〔2026〕9号"
    assert filer.client.get(notices[0]["pdf"]).status_code == 200
    # Nobody else's token reaches them.
    stranger = ApiClient(chain["other-l1"])
    assert stranger.get(f"{APPS}/{number}/certificate").status_code == 404
    assert stranger.client.get(certificate["pdf"]).status_code == 404
    assert stranger.client.get(notices[0]["pdf"]).status_code == 404


def test_review_is_scoped_to_the_seats_authority(chain, owner, authority):
    application = drug.complete_draft(owner, authority)
    drug.services.submit(filing=application, actor=owner, second_factor_verified=True)
    elsewhere = ApiClient(chain["other-l1"])  # a level-1 seat of Shanghai's authority
    assert elsewhere.get(REVIEW).json()["results"] == []
    assert elsewhere.get(REVIEW, queue="todo").json()["results"] == []
    assert elsewhere.get(f"{REVIEW}/{application.number}").status_code == 404
    decided = elsewhere.post(
        f"{REVIEW}/{application.number}/decide",
        {"decision": "accept", "opinion": "x", "notice_number": "1"},
    )
    assert decided.status_code == 404
    # The filer's token reaches no review endpoint; drafts never reach approvers.
    assert ApiClient(owner).get(f"{REVIEW}/{application.number}").status_code == 404
    draft = drug.draft(owner, authority)
    here = ApiClient(chain[1])
    assert [r["number"] for r in here.get(REVIEW).json()["results"]] == [application.number]
    assert here.get(f"{REVIEW}/{draft.number}").status_code == 404
    assert here.get(REVIEW, queue="nope").status_code == 422
    stale = here.post(
        f"{REVIEW}/{application.number}/decide",
        {"decision": "accept", "expected_status": "DRAFT", "opinion": "x", "notice_number": "1"},
    )
    assert stale.status_code == 409 and stale.json()["code"] == "already_handled"
    # Who, when and what it is now, in each language (read when shown, not once).
    said = stale.json()["messages"]
    assert said["en"][0].startswith("Already handled by") and said["zh"][0].startswith("已由")
