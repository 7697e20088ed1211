"""The documents as PDFs: text in Chinese, a subset CJK font, the overlay layout, notices
produced by decisions, and who may download what."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from documents import checks, services
from documents.models import Notice, NoticeKind, PrintRecord
from portal.reference.models import Module
from workflows import services as workflow

from ..conftest import client_for
from ..drug_permit_helpers import complete_draft, decide, decide_all

DP = Module.DRUG_PERMIT


def submit(application, owner):
    workflow.submit(filing=application, actor=owner, second_factor_verified=True)


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_of(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- notices come with the decisions --------------------------------------------


@pytest.mark.django_db
def test_each_noticed_decision_creates_its_notice(chain, owner, authority):
    application = complete_draft(owner, authority)
    submit(application, owner)
    decide(
        application, chain[1], "request_supplement", opinion="补充用途证明", notice_number="京补1号"
    )
    submit(application, owner)
    decide(application, chain[1], "request_supplement", opinion="再补")
    kinds = list(application.notices.order_by("pk").values_list("kind", "number"))
    assert kinds == [(NoticeKind.SUPPLEMENT, "京补1号")], "a second supplement sends no notice"

    refused = decide_all(owner, chain, authority, final="refuse")
    decide(
        refused, chain[2], "send_refusal_notice", opinion="用途不合规", notice_number="京不许1号"
    )
    assert set(refused.notices.values_list("kind", flat=True)) == {
        NoticeKind.ACCEPTANCE,
        NoticeKind.REFUSAL,
    }


@pytest.mark.django_db
def test_a_failed_decision_leaves_no_notice(chain, owner, authority):
    application = complete_draft(owner, authority)
    submit(application, owner)
    with pytest.raises(ValidationError):
        decide(application, chain[1], "accept", opinion="", notice_number="京受1号")
    assert not Notice.objects.exists()
    application.refresh_from_db()
    assert application.status == "PENDING_ACCEPTANCE"


# --- what the PDFs say ----------------------------------------------------------


@pytest.mark.django_db
def test_the_four_notices_carry_authority_number_opinion_and_date(chain, owner, authority):
    application = complete_draft(owner, authority)
    submit(application, owner)
    decide(
        application, chain[1], "not_accept", opinion="申请单位资质不符", notice_number="京不受7号"
    )
    accepted = decide_all(owner, chain, authority, final="refuse")
    decide(
        accepted, chain[3], "send_refusal_notice", opinion="用途证明不足", notice_number="京不许9号"
    )
    supplemented = complete_draft(owner, authority)
    submit(supplemented, owner)
    decide(
        supplemented,
        chain[1],
        "request_supplement",
        opinion="请补正购货合同",
        notice_number="京补3号",
    )
    expected = {
        NoticeKind.NON_ACCEPTANCE: ("不予受理通知书", "京不受7号", "申请单位资质不符"),
        NoticeKind.ACCEPTANCE: ("受理通知书", "京药监受〔2026〕1号", "材料齐全，予以受理"),
        NoticeKind.REFUSAL: ("不予许可决定书", "京不许9号", "用途证明不足"),
        NoticeKind.SUPPLEMENT: ("补正材料通知书", "京补3号", "请补正购货合同"),
    }
    notices = Notice.objects.select_related("filing__enterprise")
    assert {n.kind for n in notices} == set(expected)
    for notice in notices:
        title, number, opinion = expected[notice.kind]
        text = flat(text_of(services.notice_pdf(notice)))
        assert title in text
        assert number in text
        assert opinion in text
        assert "北京市药品监督管理局" in text
        assert services.chinese_date(notice.issued_on) in text
        assert notice.filing.number in text
        assert notice.filing.enterprise.name_zh in text


@pytest.mark.django_db
def test_certificate_sign_off_sheet_and_application_form(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    certificate = application.certificate

    text = flat(text_of(services.certificate_pdf(certificate)))
    for expected in (
        "蛋白同化制剂、肽类激素进口准许证",
        certificate.number,
        application.enterprise.name_zh,
        "重组人胰岛素",
        "2937121000",
        "1000支",
        "NovoNordiskA/S",
        services.chinese_date(certificate.valid_until),
        "北京市药品监督管理局",
    ):
        assert expected in text, expected

    sheet = flat(text_of(services.sign_off_pdf(application)))
    assert "行政许可审批流程表" in sheet
    for level, opinion in ((1, "材料齐全，予以受理"), (2, "同意"), (4, "准予许可")):
        assert chain[level].get_full_name() in sheet  # the real name, not the account
        assert chain[level].username not in sheet
        assert opinion in sheet
    for stage in ("受理", "初审", "复审", "审定"):
        assert stage in sheet

    draft = complete_draft(owner, authority)
    form = flat(text_of(services.application_form_pdf(draft)))
    assert "申请表" in form and draft.number in form and "（暂存）" in form
    assert "重组人胰岛素" in form and "申请单位（盖章）" in form


@pytest.mark.django_db
def test_chinese_text_is_embedded_with_a_subset_font(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    reader = PdfReader(io.BytesIO(services.notice_pdf(application.notices.get())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    source = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc").stat().st_size
    for font in fonts.values():
        font = font.get_object()
        assert re.match(r"^/[A-Z]{6}\+Noto-", font["/BaseFont"]), font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = next(descriptor[k] for k in ("/FontFile2", "/FontFile3") if k in descriptor)
        assert len(program.get_object().get_data()) < source / 10


# --- the print layout ---------------------------------------------------------------


def position_of(data: bytes, needle: str):
    """(x, y) in points where ``needle`` is drawn on the first page."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if needle in text:
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    assert found, f"{needle} not drawn"
    return found[0]


@pytest.mark.django_db
def test_overlay_moves_a_field_when_its_offset_changes(chain, owner, authority):
    certificate = decide_all(owner, chain, authority).certificate
    before = position_of(
        services.certificate_pdf(certificate, mode=PrintRecord.Mode.OVERLAY), certificate.number
    )
    values = {
        f"{name}-{key}": spec[key]
        for name, spec in services.certificate_layout(authority, DP).items()
        for key in ("x", "y", "size")
    }
    values["certificate_number-x"] = str(values["certificate_number-x"] - 20)
    values["certificate_number-y"] = str(values["certificate_number-y"] + 10)
    services.save_certificate_layout(authority=authority, system=DP, actor=chain[1], values=values)
    after = position_of(
        services.certificate_pdf(certificate, mode=PrintRecord.Mode.OVERLAY), certificate.number
    )
    mm = 72 / 25.4
    assert after[0] == pytest.approx(before[0] - 20 * mm, abs=0.5)
    assert after[1] == pytest.approx(before[1] - 10 * mm, abs=0.5)  # PDF y grows upwards


@pytest.mark.django_db
def test_layout_page_applies_and_keeps_bad_input(chain, owner, authority):
    decide_all(owner, chain, authority)
    client = client_for(chain[2])
    page = client.get("/admin/drug-permit/certificates/layout/")
    assert page.status_code == 200
    assert 'data-preview="certificate_number"' in page.content.decode()
    values = {
        f"{name}-{key}": spec[key]
        for name, spec in services.certificate_layout(authority, DP).items()
        for key in ("x", "y", "size")
    }
    bad = {**values, "issue_date-x": "abc", "remarks-size": "99", "action": "apply"}
    response = client.post("/admin/drug-permit/certificates/layout/", bad)
    body = response.content.decode()
    assert response.status_code == 200
    assert "请输入数字" in body or "enter a number" in body
    assert 'value="abc"' in body, "what the user typed survives"
    response = client.post(
        "/admin/drug-permit/certificates/layout/",
        {**values, "hs_code-x": "101.5", "action": "apply"},
    )
    assert response.status_code == 302
    assert services.certificate_layout(authority, DP)["hs_code"]["x"] == 101.5
    preview = client.post(
        "/admin/drug-permit/certificates/layout/",
        {**values, "hs_code-x": "30", "action": "preview"},
    )
    assert pdf_of(preview)
    assert services.certificate_layout(authority, DP)["hs_code"]["x"] == 101.5, "saves nothing"


def drawn(data: bytes, needle: str) -> list:
    """(x, y) in points of every piece of text containing ``needle`` on the first page."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if needle in text:
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], font_size * tm[0]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.django_db
def test_overlay_keeps_every_value_inside_its_box_however_long(chain, owner, authority):
    from ..drug_permit_helpers import accept

    application = complete_draft(owner, authority, remarks="长" * 400)
    submit(application, owner)
    accept(application, chain[1])
    decide(application, chain[2], "review_agree", opinion="同意")
    decide(application, chain[3], "review_agree", opinion="同意")
    certificate = decide(application, chain[4], "approve", opinion="准予")["certificate"]
    box = services.certificate_layout(authority, DP)["remarks"]
    data = services.certificate_pdf(certificate, mode=PrintRecord.Mode.OVERLAY)
    pieces = drawn(data, "长")
    assert sum(1 for _ in pieces) >= 5, "the value wraps onto several lines"
    mm = 72 / 25.4
    page_height = 297 * mm
    left, right = box["x"] * mm, (box["x"] + box["w"]) * mm
    top, bottom = page_height - box["y"] * mm, page_height - (box["y"] + box["h"]) * mm
    for x, y, _size in pieces:
        assert left - 0.5 <= x <= right, (x, left, right)
        assert bottom <= y <= top, (y, bottom, top)  # every line's baseline is inside the box
    spacing = pieces[0][1] - pieces[1][1]
    assert spacing / 1.3 < box["size"]  # the font was shrunk to make it fit


# --- where users get them, and who may --------------------------------------------------


@pytest.mark.django_db
def test_enterprise_downloads_its_documents_and_nobody_elses(
    chain, owner, owner_client, other_owner, authority
):
    application = decide_all(owner, chain, authority)
    notice = application.notices.get()
    urls = [
        f"/drug-permits/{application.number}/application-form/",
        f"/drug-permits/{application.number}/notices/{notice.pk}/",
        f"/drug-permits/{application.number}/certificate/",
    ]
    listing = owner_client.get("/drug-permits/").content.decode()
    detail = owner_client.get(f"/drug-permits/{application.number}/").content.decode()
    for url in urls:
        assert url in listing and url in detail
        assert text_of(pdf_of(owner_client.get(url)))
    stranger = client_for(other_owner)
    for url in urls:
        assert stranger.get(url).status_code == 404
    # Another filing's notice under this filing's number is not found either.
    other = decide_all(owner, chain, authority)
    wrong = f"/drug-permits/{application.number}/notices/{other.notices.get().pk}/"
    assert owner_client.get(wrong).status_code == 404


@pytest.mark.django_db
def test_approver_documents_stay_within_the_authority(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    notice = application.notices.get()
    urls = [
        f"/admin/drug-permit/notices/{notice.pk}/pdf/",
        f"/admin/drug-permit/sign-off/{application.number}/pdf/",
        f"/admin/drug-permit/certificates/{application.certificate.number}/pdf/",
        f"/admin/drug-permit/certificates/{application.certificate.number}/pdf/?mode=OVERLAY",
    ]
    own = client_for(chain[3])
    for url in urls:
        assert text_of(pdf_of(own.get(url)))
    foreign = client_for(chain["other-l1"])
    for url in urls:
        assert foreign.get(url).status_code == 404
    records = PrintRecord.objects.filter(kind=PrintRecord.Kind.CERTIFICATE)
    assert [r.mode for r in records.order_by("pk")] == ["FULL", "OVERLAY"]
    listing = own.get("/admin/drug-permit/certificates/").content.decode()
    assert application.certificate.number in listing
    foreign_listing = foreign.get("/admin/drug-permit/certificates/").content.decode()
    assert application.certificate.number not in foreign_listing


@pytest.mark.django_db
def test_decision_preview_then_print(chain, owner, authority):
    application = complete_draft(owner, authority)
    submit(application, owner)
    client = client_for(chain[1])
    url = f"/admin/drug-permit/todo/{application.number}/"
    form = {"decision": "accept", "opinion": "材料齐全", "notice_number": "京受42号"}
    preview = client.post(url, {**form, "preview": "1"})
    assert preview.status_code == 200
    assert "受理通知书" in preview.content.decode() and "京受42号" in preview.content.decode()
    as_pdf = client.post(url, {**form, "preview_pdf": "1"})
    assert "预览" in text_of(pdf_of(as_pdf))
    assert not Notice.objects.exists(), "previews send nothing"
    done = client.post(url, {**form, "decide": "1"})
    notice = Notice.objects.get()
    assert done.status_code == 302 and done.url == f"/admin/drug-permit/notices/{notice.pk}/"
    page = client.get(done.url).content.decode()
    assert f"/admin/drug-permit/notices/{notice.pk}/pdf/" in page
    assert notice.revisions.count() == 1
    with pytest.raises(TypeError):  # a sent notice never changes
        notice.opinion = "改"
        notice.save()
    with pytest.raises(TypeError):
        Notice.objects.filter(pk=notice.pk).update(opinion="改")


# --- the system check -----------------------------------------------------------------


def test_pdf_check_passes_here_and_fails_without_harfbuzz_or_fonts(monkeypatch):
    assert checks.pdf_dependencies() == []
    from weasyprint.text import ffi

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    assert [e.id for e in checks.pdf_dependencies()] == ["documents.E001"]
    monkeypatch.undo()
    monkeypatch.setattr(checks, "cjk_fonts", lambda: ["DejaVu Sans"])
    assert [e.id for e in checks.pdf_dependencies()] == ["documents.E002"]
