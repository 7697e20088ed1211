"""The drug permit workflow through its services: every state × transition × role,
the happy, supplement, refusal and withdrawal paths, races and scoping."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from documents import selectors
from documents.models import DrugPermitApplication, DrugPermitStatus
from documents.models import DrugPermitStatus as S
from portal.accounts import services as accounts
from workflows import drug_permit as dp
from workflows.models import AuditEntry

from ..conftest import USCC_SHANGHAI, make_enterprise
from ..drug_permit_helpers import PDF, complete_draft, header, line, pdf


def fresh(application):
    return DrugPermitApplication.objects.get(pk=application.pk)


# --- the matrix ---------------------------------------------------------------

ALLOWED = {
    "submit": ({S.DRAFT}, {"owner", "agent"}),
    "resubmit": ({S.SUPPLEMENT_REQUIRED}, {"owner", "agent"}),
    "request_withdrawal": ({S.PENDING_ACCEPTANCE}, {"owner", "agent"}),
    "accept": ({S.PENDING_ACCEPTANCE}, {1}),
    "not_accept": ({S.PENDING_ACCEPTANCE}, {1}),
    "request_supplement": ({S.PENDING_ACCEPTANCE}, {1}),
    "approve_withdrawal": ({S.WITHDRAWAL_PENDING}, {1}),
    "reject_withdrawal": ({S.WITHDRAWAL_PENDING}, {1}),
    "review": ({S.FIRST_REVIEW, S.SECOND_REVIEW}, {2, 3}),
    "approve": ({S.FINAL_DECISION}, {4}),
    "refuse": ({S.FINAL_DECISION}, {4}),
    "send_refusal_notice": ({S.REFUSED_PENDING_NOTICE}, {1, 2, 3}),
}
LEVEL_OF_REVIEW_STATE = {S.FIRST_REVIEW: 2, S.SECOND_REVIEW: 3}
ROLES = ["owner", "agent", "ungranted-agent", "other-owner", 1, 2, 3, 4, "other-l1"]


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(DrugPermitStatus))
@pytest.mark.parametrize("name", list(ALLOWED))
def test_every_state_transition_and_role(state, name, chain, owner, agent, authority):
    ungranted = accounts.accept_invitation(
        invitation=accounts.invite_agent(
            owner=owner,
            name="无权",
            email="n@example.cn",
            modules=["AV_IMPORT"],
            accept_url_base="",
        ),
        username="ungranted",
        password=None,
    ).user
    actors = {
        "owner": owner,
        "agent": agent.user,
        "ungranted-agent": ungranted,
        "other-owner": make_enterprise(USCC_SHANGHAI, "sh-owner").user,
        **chain,
    }
    application = dp.create_draft(actor=owner, values=header(authority))
    DrugPermitApplication.objects.filter(pk=application.pk).update(status=state)
    states, roles = ALLOWED[name]
    for role in ROLES:
        subject = fresh(application)
        kwargs = {}
        if name == "accept":
            kwargs["next_level"] = 2
        if name == "review":
            kwargs["next_level"] = LEVEL_OF_REVIEW_STATE.get(state, 2) + 1
        permitted = state in states and (
            role in roles and (name != "review" or LEVEL_OF_REVIEW_STATE.get(state) == role)
        )
        if permitted:
            dp.run_transition(application=subject, actor=actors[role], name=name, **kwargs)
            assert fresh(application).status != state or name == "nothing"
            DrugPermitApplication.objects.filter(pk=application.pk).update(status=state)
        else:
            with pytest.raises((PermissionDenied, dp.AlreadyHandled)):
                dp.run_transition(application=subject, actor=actors[role], name=name, **kwargs)
            assert fresh(application).status == state


# --- paths ------------------------------------------------------------------------


@pytest.mark.django_db
def test_happy_path_issues_a_certificate_with_the_authoritys_validity(chain, owner, authority):
    application = complete_draft(owner, authority)
    dp.add_goods_line(application=application, actor=owner, values=line(quantity="20"))
    assert application.number.startswith(f"DP{timezone.localdate().year}11")
    assert application.customs_district_1.code == "2200"  # from the port

    dp.submit(application=application, actor=owner)
    dp.accept(
        application=fresh(application), actor=chain[1], opinion="材料齐全", notice_number="京受1号"
    )
    assert fresh(application).status == S.FIRST_REVIEW
    dp.review(application=fresh(application), actor=chain[2], agree=True, opinion="同意")
    dp.review(application=fresh(application), actor=chain[3], agree=False, opinion="数量偏大")
    assert fresh(application).status == S.FINAL_DECISION  # disagreement passes it on too
    certificate = dp.approve(application=fresh(application), actor=chain[4], opinion="准予许可")

    assert fresh(application).status == S.APPROVED
    assert certificate.valid_until == certificate.issue_date + timedelta(days=365)
    history = list(AuditEntry.objects.for_object(application))
    assert [(h.transition, h.seat_level) for h in history] == [
        ("submit", None),
        ("accept", 1),
        ("review_agree", 2),
        ("review_disagree", 3),
        ("approve", 4),
    ]
    assert history[1].notice_number == "京受1号"


@pytest.mark.django_db
def test_two_stage_chain_skips_the_optional_reviews(chain, owner, authority):
    from workflows.models import ApprovalSettings

    ApprovalSettings.objects.filter(authority=authority).update(
        first_review=False, second_review=False
    )
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    dp.accept(application=fresh(application), actor=chain[1], opinion="受理", notice_number="1")
    assert fresh(application).status == S.FINAL_DECISION


@pytest.mark.django_db
def test_supplement_cycle(chain, owner, authority):
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    first, second = list(dp.attachments_of(application))[:2]
    dp.mark_attachment(application=fresh(application), attachment=first, actor=chain[1])
    with pytest.raises(ValidationError):  # the first supplement notice needs its number
        dp.request_supplement(application=fresh(application), actor=chain[1], opinion="补正")
    dp.request_supplement(
        application=fresh(application), actor=chain[1], opinion="请补正", notice_number="京补1号"
    )
    application = fresh(application)
    assert application.status == S.SUPPLEMENT_REQUIRED
    with pytest.raises(ValidationError):  # not marked: stays
        dp.delete_attachment(application=application, actor=owner, attachment=second)
    with pytest.raises(ValidationError):  # replace = delete first
        dp.upload_attachment(
            application=application,
            actor=owner,
            attachment_type=first.attachment_type,
            uploaded_file=pdf(),
        )
    with pytest.raises(ValidationError):  # still marked
        dp.resubmit(application=application, actor=owner)
    first.refresh_from_db()
    assert first.needs_resubmission
    dp.delete_attachment(application=application, actor=owner, attachment=first)
    dp.upload_attachment(
        application=application,
        actor=owner,
        attachment_type=first.attachment_type,
        uploaded_file=pdf("new.pdf"),
    )
    dp.resubmit(application=application, actor=owner)
    assert fresh(application).status == S.PENDING_ACCEPTANCE
    # The second time, no notice goes out: no number needed.
    dp.request_supplement(application=fresh(application), actor=chain[1], opinion="再补正")
    assert fresh(application).status == S.SUPPLEMENT_REQUIRED


@pytest.mark.django_db
def test_refusal_path(chain, owner, authority):
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    dp.accept(application=fresh(application), actor=chain[1], opinion="受理", notice_number="1")
    dp.review(application=fresh(application), actor=chain[2], agree=True, opinion="同意")
    dp.review(application=fresh(application), actor=chain[3], agree=True, opinion="同意")
    dp.refuse(application=fresh(application), actor=chain[4], opinion="不符合规定")
    assert fresh(application) in selectors.drug_permit_queue(chain[2])
    with pytest.raises(ValidationError):
        dp.send_refusal_notice(
            application=fresh(application), actor=chain[2], opinion="", notice_number=""
        )
    dp.send_refusal_notice(
        application=fresh(application), actor=chain[2], opinion="不予许可", notice_number="京不1号"
    )
    assert fresh(application).status == S.REFUSED
    assert not hasattr(fresh(application), "certificate")


@pytest.mark.django_db
def test_withdrawal_review(chain, owner, authority):
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    dp.request_withdrawal(application=fresh(application), actor=owner)
    dp.reject_withdrawal(application=fresh(application), actor=chain[1])
    assert fresh(application).status == S.PENDING_ACCEPTANCE
    dp.request_withdrawal(application=fresh(application), actor=owner)
    dp.approve_withdrawal(application=fresh(application), actor=chain[1])
    assert fresh(application).status == S.DRAFT


@pytest.mark.django_db
def test_two_approvers_deciding_at_once_one_wins(chain, owner, authority):
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    second_seat = accounts.create_approver(
        username="bj-l1b", password=None, authority=authority, level=1
    ).user
    seen_by_a, seen_by_b = fresh(application), fresh(application)
    dp.accept(application=seen_by_a, actor=chain[1], opinion="受理", notice_number="1")
    with pytest.raises(dp.AlreadyHandled):
        dp.not_accept(application=seen_by_b, actor=second_seat, opinion="不", notice_number="2")
    assert fresh(application).status == S.FIRST_REVIEW
    assert AuditEntry.objects.for_object(application).count() == 2


# --- drafts ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_incomplete_drafts_cannot_be_submitted(chain, owner, authority):
    application = dp.create_draft(actor=owner, values=header(authority))
    with pytest.raises(ValidationError) as excinfo:
        dp.submit(application=application, actor=owner)
    messages = " ".join(excinfo.value.messages)
    assert "至少" in messages or "goods line" in messages
    assert fresh(application).status == S.DRAFT


@pytest.mark.django_db
def test_goods_lines_at_most_four_and_bound_to_the_first_drug(chain, owner, authority):
    application = dp.create_draft(actor=owner, values=header(authority))
    dp.add_goods_line(application=application, actor=owner, values=line())
    with pytest.raises(ValidationError):
        dp.add_goods_line(application=application, actor=owner, values=line(drug_name_zh="别的药"))
    for _ in range(3):
        dp.add_goods_line(application=application, actor=owner, values=line())
    with pytest.raises(ValidationError):
        dp.add_goods_line(application=application, actor=owner, values=line())
    assert application.goods_lines.count() == 4


@pytest.mark.django_db
def test_attachments_must_really_be_pdf_and_small(chain, owner, authority):
    application = dp.create_draft(actor=owner, values=header(authority))
    kind = application.purpose.attachment_types.first()
    fake = SimpleUploadedFile("scan.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        dp.upload_attachment(
            application=application, actor=owner, attachment_type=kind, uploaded_file=fake
        )
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (dp.MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(ValidationError):
        dp.upload_attachment(
            application=application, actor=owner, attachment_type=kind, uploaded_file=big
        )
    dp.upload_attachment(
        application=application, actor=owner, attachment_type=kind, uploaded_file=pdf()
    )
    assert dp.attachments_of(application).count() == 1
    assert io.BytesIO(dp.attachments_of(application).get().file.read()).read() == PDF


@pytest.mark.django_db
def test_delete_only_drafts_and_copy_from_any_status(chain, owner, authority):
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    with pytest.raises(ValidationError):
        dp.delete_draft(application=fresh(application), actor=owner)
    copy = dp.copy_application(application=fresh(application), actor=owner)
    assert copy.status == S.DRAFT and copy.number != application.number
    assert copy.goods_lines.count() == 1
    dp.delete_draft(application=copy, actor=owner)
    assert not DrugPermitApplication.objects.filter(pk=copy.pk).exists()


@pytest.mark.django_db
def test_filings_are_scoped(chain, owner, agent, authority):
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    stranger = make_enterprise(USCC_SHANGHAI, "sh-owner").user
    assert list(selectors.drug_permits_for_filer(agent.user)) == [application]
    assert not selectors.drug_permits_for_filer(stranger).exists()
    with pytest.raises(Http404):
        selectors.drug_permit_for_filer(stranger, application.number)
    assert list(selectors.drug_permit_queue(chain[1])) == [application]
    assert not selectors.drug_permit_queue(chain[2]).exists()
    assert not selectors.drug_permit_queue(chain["other-l1"]).exists()
    assert not selectors.drug_permits_for_authority(chain["other-l1"]).exists()
    with pytest.raises(PermissionDenied):
        dp.update_draft(application=fresh(application), actor=stranger, values={"remarks": "x"})
