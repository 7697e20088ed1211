"""Seed 003 as its users go through it: basic information, goods, attachments, submit, the
query, copy, withdraw, delete, and the office's one-level review to the approval document."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents.models import Certificate, Notice, VerificationCode
from filings.runner import AlreadyHandled

from .. import av_import_helpers as av
from ..conftest import client_for, make_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chains(seeded):
    return av.chains()


def url(name, *args):
    return reverse(f"av_imports:{name}", args=args)


def test_a_draft_saves_with_empty_fields_and_says_what_is_still_needed(owner_client, chains):
    response = owner_client.post(url("create"), {"authority": av.office().pk}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    filing = av.system().model.objects.get()
    assert filing.status == "DRAFT" and filing.approval_number is None
    # Saving the header again says which required fields are still empty.
    response = owner_client.post(
        url("detail", filing.number), {"form": "header", "authority": av.office().pk}, follow=True
    )
    html = response.content.decode()
    assert "申报前仍需完成" in html
    for text in ("请填写批准单编号", "请选择入境口岸", "请至少录入一条商品信息", "请上传附件清单"):
        assert text in html, text


def test_importer_is_back_filled_in_grey_and_goods_are_greyed_until_saved(owner_client, seeded):
    make_chain(av.office(), "av", levels=(1,), system="AV_IMPORT")
    html = owner_client.get(url("create")).content.decode()
    assert 'value="甲公司"' in html and "91110108MA01C2D3XY" in html
    assert 'class="backfilled"' in html and "readonly" in html
    assert "card--disabled" in html and "请先录入基本信息并暂存" in html
    # The office is the only one taking filings: chosen for the filer.
    assert f'value="{av.office().pk}"' in html


def test_the_order_is_enforced_with_clear_messages(owner, chains):
    filing = av.draft(owner)
    with pytest.raises(ValidationError) as error:
        av.services.upload_attachment(
            filing=filing, actor=owner, attachment_type=None, uploaded_file=av.attachment_list()
        )
    assert "请先录入商品信息" in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    messages = " ".join(error.value.messages)
    assert "请至少录入一条商品信息" in messages and "请上传附件清单" in messages
    av.services.add_line(filing=filing, actor=owner, values=av.line())
    with pytest.raises(ValidationError):
        av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    av.services.upload_attachment(
        filing=filing, actor=owner, attachment_type=None, uploaded_file=av.attachment_list()
    )
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert filing.status == "PENDING" and filing.submitted_at


def test_every_goods_field_is_required_and_the_total_is_checked(owner, chains):
    filing = av.draft(owner)
    with pytest.raises(ValidationError) as error:
        av.services.add_line(filing=filing, actor=owner, values=av.line(total="1.00"))
    assert "total" in error.value.message_dict
    client = client_for(owner)
    response = client.post(url("detail", filing.number), {"form": "line", "quantity": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and html.count("此项为必填项") >= 9
    assert not filing.goods_lines.exists()


def test_a_goods_line_is_changed_in_its_own_form(owner, chains):
    filing = av.draft(owner)
    line = av.services.add_line(filing=filing, actor=owner, values=av.line())
    client = client_for(owner)
    form = {
        **{k: getattr(v, "pk", v) for k, v in av.line().items()},
        "quantity": "10",
        "total": "85.00",
    }
    response = client.post(url("edit-line", filing.number, line.pk), form)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.quantity == 10
    bad = {**form, "total": "99"}
    response = client.post(url("edit-line", filing.number, line.pk), bad)
    assert "总价必须等于数量 × 单价" in response.content.decode()


def test_the_approval_number_is_unique(owner, chains):
    av.draft(owner)
    with pytest.raises(ValidationError) as error:
        av.draft(owner)
    assert "approval_number" in error.value.message_dict


def test_copy_from_any_status_carries_no_approval_number(owner, chains):
    filing = av.complete_draft(owner)
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    av.services.decide(filing=filing, actor=chains[1], decision="approve")
    copy = av.services.copy_filing(filing=filing, actor=owner)
    assert copy.status == "DRAFT" and copy.approval_number is None
    assert copy.goods_lines.count() == 1 and copy.entry_port == filing.entry_port


def test_withdraw_goes_straight_back_to_draft_without_review(owner, owner_client, chains):
    filing = av.complete_draft(owner)
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    response = owner_client.post(
        url("action"), {"action": "withdraw", "selected": filing.number}, follow=True
    )
    assert f"已撤回：{filing.number}" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == "DRAFT" and filing.submitted_at is None
    # A draft cannot be withdrawn again; an approver never withdraws.
    with pytest.raises(AlreadyHandled):
        av.services.withdraw(filing=filing, actor=owner)


def test_only_drafts_are_deleted(owner, owner_client, chains):
    filing = av.complete_draft(owner)
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    response = owner_client.post(
        url("action"), {"action": "delete", "selected": filing.number}, follow=True
    )
    assert "只能删除暂存状态的申请单" in response.content.decode()
    assert av.system().model.objects.filter(pk=filing.pk).exists()
    draft = av.draft(owner, approval_number="AV-TEST-0002")
    owner_client.post(url("action"), {"action": "delete", "selected": draft.number})
    assert not av.system().model.objects.filter(pk=draft.pk).exists()


def test_approval_issues_the_approval_document_with_its_number_and_a_verification_code(
    owner, owner_client, chains
):
    filing = av.complete_draft(owner)
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    reviewer = client_for(chains[1])
    todo = reviewer.get(reverse("av-import:todo")).content.decode()
    assert filing.number in todo
    response = reviewer.post(
        reverse("av-import:todo_detail", args=[filing.number]),
        {"decision": "approve", "opinion": "", "seen_status": "PENDING"},
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(filing=filing)
    assert certificate.number == "AV-TEST-0001"
    pdf = owner_client.get(url("certificate", filing.number))
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    text = "".join(p.extract_text() for p in pages).replace("\n", "")
    assert "音像制品（成品）进口批准单" in text and "AV-TEST-0001" in text
    assert "贝多芬第九交响曲" in text, text
    code = VerificationCode.objects.get(
        content_type=ContentType.objects.get_for_model(Certificate), object_id=str(certificate.pk)
    ).code
    assert code in text
    verify = Client().get(f"/verify/{code}/")
    assert verify.status_code == 200 and "AV-TEST-0001" in verify.content.decode()


def test_rejection_needs_a_reason_sends_a_notice_and_is_final(owner, owner_client, chains):
    filing = av.complete_draft(owner)
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    with pytest.raises(ValidationError):
        av.services.decide(filing=filing, actor=chains[1], decision="reject", notice_number="1")
    av.services.decide(
        filing=filing,
        actor=chains[1],
        decision="reject",
        opinion="版权授权已过期",
        notice_number="音审〔2026〕1号",
    )
    filing.refresh_from_db()
    assert filing.status == "REJECTED"
    notice = Notice.objects.get(filing=filing)
    assert notice.opinion == "版权授权已过期"
    html = owner_client.get(url("detail", filing.number)).content.decode()
    assert "审核不通过" in html and "音审〔2026〕1号" in html
    with pytest.raises(AlreadyHandled):
        av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert av.services.copy_filing(filing=filing, actor=owner).status == "DRAFT"


def test_the_query_filters_by_exact_numbers_status_and_submission_dates(
    owner, owner_client, chains
):
    pending = av.complete_draft(owner)
    av.services.submit(filing=pending, actor=owner, second_factor_verified=True)
    draft = av.draft(owner, approval_number="AV-TEST-0009")
    listing = url("list")

    def numbers(query):
        html = owner_client.get(listing, query).content.decode()
        return {f.number for f in (pending, draft) if f.number in html}

    assert numbers({}) == {pending.number, draft.number}
    assert numbers({"number": pending.number}) == {pending.number}
    assert numbers({"number": pending.number[:-1]}) == set()  # exact, not "contains"
    assert numbers({"approval_number": "av-test-0009"}) == {draft.number}
    assert numbers({"status": "PENDING"}) == {pending.number}
    today = timezone.localdate(pending.submitted_at).isoformat()  # the filter reads local days
    assert numbers({"date_from": today, "date_to": today}) == {pending.number}
    response = owner_client.get(listing, {"date_from": "abc"})
    assert response.status_code == 200 and "未应用" in response.content.decode()


def test_another_enterprise_and_another_office_get_404(owner, chains, other_owner):
    filing = av.complete_draft(owner)
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    stranger = client_for(other_owner)
    for name in ("detail", "application-form", "import-lines"):
        assert stranger.get(url(name, filing.number)).status_code == 404
    line = filing.goods_lines.get()
    assert stranger.get(url("edit-line", filing.number, line.pk)).status_code == 404
    attachment = filing.attachments.get()
    assert stranger.get(url("download-attachment", filing.number, attachment.pk)).status_code == 404
    other_office = client_for(chains["other-l1"])
    for name in ("todo_detail", "query_detail"):
        assert (
            other_office.get(reverse(f"av-import:{name}", args=[filing.number])).status_code == 404
        )
    with pytest.raises((PermissionDenied, AlreadyHandled)):
        av.services.decide(filing=filing, actor=chains["other-l1"], decision="approve")
