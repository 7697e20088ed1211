"""The drug permit through the mechanism's services: the happy, supplement, refusal and
withdrawal paths, races, copies, deletes and scoping."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from filings import audit
from filings.models import ApprovalSettings, Attachment
from filings.runner import AlreadyHandled
from filings.selectors import (
    attachments_of,
    filing_for_filer,
    filings_for_authority,
    filings_for_filer,
    queue,
)
from portal.accounts import services as accounts
from portal.drug_permits.models import DrugPermitApplication
from portal.drug_permits.models import DrugPermitStatus as S
from portal.reference.models import Module
from workflows import services

from ..conftest import USCC_SHANGHAI, make_enterprise
from ..drug_permit_helpers import PDF, accept, complete_draft, decide, draft, line, pdf

DP = Module.DRUG_PERMIT


def fresh(application):
    return DrugPermitApplication.objects.get(pk=application.pk)


@pytest.mark.django_db
def test_happy_path_issues_a_certificate_with_the_authoritys_validity(chain, owner, authority):
    application = complete_draft(owner, authority)
    services.add_line(filing=application, actor=owner, values=line(quantity="20"))
    assert application.number.startswith(f"DP{timezone.localdate().year}11")
    assert application.customs_district_1.code == "2200"  # from the port

    services.submit(filing=application, actor=owner, second_factor_verified=True)
    accept(fresh(application), chain[1], number="京受1号", opinion="材料齐全")
    assert fresh(application).status == S.FIRST_REVIEW
    decide(fresh(application), chain[2], "review_agree", opinion="同意")
    decide(fresh(application), chain[3], "review_disagree", opinion="数量偏大")
    assert fresh(application).status == S.FINAL_DECISION  # disagreement passes it on too
    produced = decide(fresh(application), chain[4], "approve", opinion="准予许可")
    certificate = produced["certificate"]

    assert fresh(application).status == S.APPROVED
    assert certificate.valid_until == certificate.issue_date + timedelta(days=365)
    assert [line.name for line in certificate.lines.all()] == ["重组人胰岛素", "重组人胰岛素"]
    assert certificate.lines.first().details["dosage_form"] == "注射剂"
    history = list(audit.history(application))
    assert [(h.transition, h.seat_level) for h in history] == [
        ("submit", None),
        ("accept", 1),
        ("review_agree", 2),
        ("review_disagree", 3),
        ("approve", 4),
    ]
    assert history[1].notice_number == "京受1号"
    assert [h.actor_name for h in history[1:]] == ["张受理", "李初审", "王复审", "赵审定"]


@pytest.mark.django_db
def test_two_stage_chain_skips_the_optional_reviews(chain, owner, authority):
    ApprovalSettings.objects.filter(authority=authority, system=DP).update(levels=[1, 4])
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    accept(fresh(application), chain[1])
    assert fresh(application).status == S.FINAL_DECISION


@pytest.mark.django_db
def test_supplement_cycle(chain, owner, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    first, second = list(attachments_of(application))[:2]
    services.mark_attachment(filing=fresh(application), attachment=first, actor=chain[1])
    with pytest.raises(ValidationError):  # the first supplement notice needs its number
        decide(fresh(application), chain[1], "request_supplement", opinion="补正")
    decide(
        fresh(application),
        chain[1],
        "request_supplement",
        opinion="请补正",
        notice_number="京补1号",
    )
    application = fresh(application)
    assert application.status == S.SUPPLEMENT_REQUIRED
    assert not services.may_delete_attachment(application, second)
    with pytest.raises(ValidationError):  # not marked: stays
        services.delete_attachment(filing=application, actor=owner, attachment=second)
    with pytest.raises(ValidationError):  # replace = delete first
        services.upload_attachment(
            filing=application,
            actor=owner,
            attachment_type=first.attachment_type,
            uploaded_file=pdf(),
        )
    with pytest.raises(ValidationError):  # still marked
        services.submit(filing=application, actor=owner, second_factor_verified=True)
    first.refresh_from_db()
    assert first.needs_resubmission and services.may_delete_attachment(application, first)
    services.delete_attachment(filing=application, actor=owner, attachment=first)
    services.upload_attachment(
        filing=application,
        actor=owner,
        attachment_type=first.attachment_type,
        uploaded_file=pdf("new.pdf"),
    )
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    assert fresh(application).status == S.PENDING_ACCEPTANCE
    assert [h.transition for h in audit.history(application)][-1] == "resubmit"
    # The second time, no notice goes out: no number needed.
    produced = decide(fresh(application), chain[1], "request_supplement", opinion="再补正")
    assert produced["notice"] is None
    assert fresh(application).status == S.SUPPLEMENT_REQUIRED
    assert fresh(application).notices.count() == 1


@pytest.mark.django_db
def test_refusal_path(chain, owner, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    accept(fresh(application), chain[1])
    decide(fresh(application), chain[2], "review_agree", opinion="同意")
    decide(fresh(application), chain[3], "review_agree", opinion="同意")
    decide(fresh(application), chain[4], "refuse", opinion="不符合规定")
    assert fresh(application) in queue(chain[2], DP)
    with pytest.raises(ValidationError):
        decide(fresh(application), chain[2], "send_refusal_notice", opinion="", notice_number="")
    decide(
        fresh(application),
        chain[2],
        "send_refusal_notice",
        opinion="不予许可",
        notice_number="京不1号",
    )
    assert fresh(application).status == S.REFUSED
    assert not hasattr(fresh(application), "certificate")


@pytest.mark.django_db
def test_withdrawal_review(chain, owner, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    services.withdraw(filing=fresh(application), actor=owner)
    assert fresh(application) in queue(chain[1], DP, "withdrawals")
    assert fresh(application) not in queue(chain[1], DP)
    decide(fresh(application), chain[1], "reject_withdrawal")
    assert fresh(application).status == S.PENDING_ACCEPTANCE
    services.withdraw(filing=fresh(application), actor=owner)
    decide(fresh(application), chain[1], "approve_withdrawal")
    assert fresh(application).status == S.DRAFT
    assert fresh(application).submitted_at is None


@pytest.mark.django_db
def test_two_approvers_deciding_at_once_one_wins_and_the_other_hears_who(chain, owner, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    second_seat = accounts.create_approver(
        username="bj-l1b", password=None, authority=authority, system=DP, level=1
    ).user
    seen_by_a, seen_by_b = fresh(application), fresh(application)
    accept(seen_by_a, chain[1])
    with pytest.raises(AlreadyHandled) as excinfo:
        decide(seen_by_b, second_seat, "not_accept", opinion="不", notice_number="2")
    assert "张受理" in str(excinfo.value)
    assert fresh(application).status == S.FIRST_REVIEW
    assert len(list(audit.history(application))) == 2


@pytest.mark.django_db
def test_a_decision_from_a_stale_page_is_already_handled_not_forbidden(chain, owner, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    accept(fresh(application), chain[1])
    decide(fresh(application), chain[2], "review_agree", opinion="同意")
    # Level 2's page still shows FIRST_REVIEW; the filing moved on to SECOND_REVIEW.
    with pytest.raises(AlreadyHandled) as excinfo:
        decide(
            fresh(application),
            chain[2],
            "review_agree",
            opinion="同意",
            expected_status=S.FIRST_REVIEW,
        )
    assert "李初审" in str(excinfo.value)


@pytest.mark.django_db
def test_a_failed_upload_leaves_no_file_and_a_deletion_removes_it_only_after_commit(
    chain, owner, authority, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    def stored_pdfs(folder=""):
        """Every PDF in the media storage (a directory, or a bucket under make test-services)."""
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return set()
        found = {f"{folder}{name}" for name in files if name.endswith(".pdf")}
        for sub in folders:
            found |= stored_pdfs(f"{folder}{sub}/")
        return found

    application = draft(owner, authority)
    kind = application.purpose.attachment_types.first()
    before = stored_pdfs()

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    original = Attachment.save
    Attachment.save = failing_save
    try:
        with pytest.raises(RuntimeError):
            services.upload_attachment(
                filing=application, actor=owner, attachment_type=kind, uploaded_file=pdf()
            )
    finally:
        Attachment.save = original
    assert stored_pdfs() == before  # the file written before the row failed is gone again

    attachment = services.upload_attachment(
        filing=application, actor=owner, attachment_type=kind, uploaded_file=pdf()
    )
    name = attachment.file.name
    with default_storage.open(name) as stored:
        assert stored.read() == PDF
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delete_attachment(filing=application, actor=owner, attachment=attachment)
    assert default_storage.exists(name)  # not yet: the deletion has not committed
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_attachment_names_are_shown_never_used_to_store(chain, owner, authority):
    application = draft(owner, authority)
    kind = application.purpose.attachment_types.first()
    attachment = services.upload_attachment(
        filing=application,
        actor=owner,
        attachment_type=kind,
        uploaded_file=pdf("../../etc/pass\x00wd.pdf"),
    )
    assert attachment.original_name == "passwd.pdf"
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    assert io.BytesIO(attachment.file.read()).read() == PDF


@pytest.mark.django_db
def test_delete_only_drafts_and_copy_from_any_status(chain, owner, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    with pytest.raises(ValidationError):
        services.delete_draft(filing=fresh(application), actor=owner)
    copy = services.copy_filing(filing=fresh(application), actor=owner)
    assert copy.status == S.DRAFT and copy.number != application.number
    assert copy.goods_lines.count() == 1
    assert copy.revisions.count() >= 1
    services.delete_draft(filing=copy, actor=owner)
    assert not DrugPermitApplication.objects.filter(pk=copy.pk).exists()


@pytest.mark.django_db
def test_voiding_the_certificate_voids_the_application(chain, owner, authority):
    from customs import services as customs

    from ..drug_permit_helpers import decide_all

    application = decide_all(owner, chain, authority)
    customs.void_certificate(
        certificate=application.certificate, actor=chain[1], reason="申请单位注销"
    )
    assert fresh(application).status == S.VOID
    assert fresh(application).status_label in ("Void", "已作废")


@pytest.mark.django_db
def test_filings_are_scoped(chain, owner, agent, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    stranger = make_enterprise(USCC_SHANGHAI, "sh-owner").user
    assert list(filings_for_filer(agent.user, DP)) == [application]
    assert not filings_for_filer(stranger, DP).exists()
    with pytest.raises(Http404):
        filing_for_filer(stranger, DP, application.number)
    assert list(queue(chain[1], DP)) == [application]
    assert not queue(chain[2], DP).exists()
    assert not queue(chain["other-l1"], DP).exists()
    assert not filings_for_authority(chain["other-l1"], DP).exists()
    with pytest.raises(PermissionDenied):
        services.update_draft(filing=fresh(application), actor=stranger, values={"remarks": "x"})


@pytest.mark.django_db
def test_every_enterprise_save_and_submission_is_a_revision(chain, owner, authority):
    application = draft(owner, authority)
    services.update_draft(filing=application, actor=owner, values={"remarks": "第一版"})
    services.add_line(filing=application, actor=owner, values=line())
    assert application.revisions.count() == 3
    for kind in application.purpose.attachment_types.filter(required=True):
        services.upload_attachment(
            filing=application, actor=owner, attachment_type=kind, uploaded_file=pdf()
        )
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    submitted = [e for e in audit.history(application) if e.transition == "submit"][0]
    assert submitted.revision is not None
    assert submitted.revision.as_object().remarks == "第一版"
    assert [g.drug_name_zh for g in submitted.revision.as_object().goods_lines.all()] == [
        "重组人胰岛素"
    ]
