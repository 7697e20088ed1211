"""The inspector export of a filing's whole history (issue 14): one workbook whose sheets
hold the filing's real audit rows, its notices and certificate revisions with the kept
files' SHA-256, the customs messages, write-offs and conflicts; reachable by the filing's
authority (from the application and from the certificate) and by regulators of its
region holding the read right; nobody else."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from customs import conflicts, xml
from customs import services as customs
from customs.models import CustomsConflict, OutboundMessage, WriteOff
from documents import services as documents
from documents.models import Certificate, CertificateStatus, CustomsStatus
from filings import audit, registry
from filings.models import AuditEntry
from portal.accounts.validators import uscc_check_character
from portal.reference.models import Module
from workflows.history_export import SECTIONS, Section, register, sections_for

from ..conftest import client_for, make_enterprise
from ..drug_permit_helpers import decide_all
from ..export_drug_archives import helpers as archive

pytestmark = pytest.mark.django_db

SHEETS_EN = ["History", "Case notes", "Notices and certificates", "Customs messages", "Write-offs"]
SHEETS_EN.append("Customs conflicts")


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    # Kept PDFs are files: each test gets its own media directory.
    settings.MEDIA_ROOT = tmp_path


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name, number, slug="drug-permit"):
    return reverse(f"{slug}:{name}", args=[number])


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet):
    found = list(sheet.iter_rows(values_only=True))
    return found[0], [list(r) for r in found[1:]]


def exports():
    return AuditEntry.objects.filter(transition=audit.HISTORY_EXPORTED)


def post_inbound(client, body):
    headers = xml.signed_headers(settings.CUSTOMS_SECRET, body)
    response = client.post(
        "/customs/inbound/",
        data=body,
        content_type="application/xml",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    assert response.status_code == 200
    return response


def write_off(client, number, quantity):
    message_id = xml.new_message_id()
    post_inbound(
        client,
        xml.write_off(
            message_id=message_id,
            declaration_number="223320260000000001",
            declaration_date=timezone.localdate(),
            port_code="2233",
            documents=[("DRUG_PERMIT", number, [(1, quantity, 1)])],
        ),
    )
    return message_id


def receipt(client, message, accepted=True, reason=""):
    post_inbound(
        client,
        xml.receipt(
            message_id=xml.new_message_id(),
            in_reply_to=message.message_id,
            system=message.certificate.system,
            number=message.certificate.number,
            accepted=accepted,
            reason=reason,
            received_at=timezone.now(),
        ),
    )


@pytest.fixture
def lived(chain, owner, authority, client, django_capture_on_commit_callbacks):
    """A drug permit with a whole life: submitted, decided at four levels (a notice and a
    certificate issued and kept), sent to customs and received, written off, written off
    again with another quantity (a conflict, kept), corrected (revision 2) and voided."""
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        application = decide_all(owner, chain, authority)
    certificate = application.certificate
    message = customs.send_certificate(certificate=certificate, actor=chain[4])
    assert customs.deliver_due(post=lambda body, *, message_id: 200) == 1
    receipt(client, message)
    first = write_off(client, certificate.number, "300")
    second = write_off(client, certificate.number, "400")
    conflict = CustomsConflict.objects.get()
    conflicts.resolve(
        conflict=conflict, actor=chain[4], decision="keep", reason="checked with customs"
    )
    certificate.refresh_from_db()
    values = customs.correctable_values(certificate)
    values.update({"remarks": "更正数量", "line-1-quantity": "800"})
    with capture(execute=True):
        customs.correct_certificate(
            certificate=certificate, actor=chain[4], values=values, reason="企业申请更正数量"
        )
    certificate.refresh_from_db()
    customs.void_certificate(certificate=certificate, actor=chain[4], reason="企业申请注销")
    certificate.refresh_from_db()
    application.refresh_from_db()
    assert certificate.revision == 2 and certificate.status == CertificateStatus.VOID
    return {
        "application": application,
        "certificate": certificate,
        "message": OutboundMessage.objects.get(pk=message.pk),
        "write_off_ids": (first, second),
        "conflict": CustomsConflict.objects.get(),
    }


def history_entries(application, certificate):
    certificate_type = ContentType.objects.get_for_model(Certificate)
    return list(
        AuditEntry.objects.filter(
            Q(filing_id=application.pk)
            | Q(content_type=certificate_type, object_id=str(certificate.pk))
        ).order_by("created_at", "pk")
    )


def state_label(entry, system):
    if entry.content_type.model_class() is Certificate:
        if entry.to_state in CustomsStatus.values:
            return str(CustomsStatus(entry.from_state).label), str(
                CustomsStatus(entry.to_state).label
            )
        return str(CertificateStatus(entry.from_state).label), str(
            CertificateStatus(entry.to_state).label
        )
    return system.status_label(entry.from_state), system.status_label(entry.to_state)


def test_the_workbook_holds_the_filings_whole_history(lived, chain):
    application, certificate = lived["application"], lived["certificate"]
    approver = english(chain[4])
    response = approver.post(url("history_export", application.number))
    book = workbook(response)
    assert book.sheetnames == SHEETS_EN
    system = registry.get(Module.DRUG_PERMIT)

    # (a) every audit row of the filing and its certificate, oldest first, this export last.
    header, history = rows(book["History"])
    assert list(header) == [
        "Time",
        "Concerns",
        "Action",
        "Level",
        "By",
        "From status",
        "To status",
        "Opinion",
        "Notice number",
        "Document SHA-256",
        "IP address",
    ]
    entries = history_entries(application, certificate)
    assert entries[-1].transition == audit.HISTORY_EXPORTED
    assert entries[-1].actor_id == chain[4].pk
    assert [e.transition for e in entries] == [
        "submit",
        "accept",
        "review_agree",
        "review_agree",
        "approve",
        "document_issued",  # the notice
        "document_issued",  # the certificate
        "send",
        "customs_accept",
        "customs_conflict_keep",
        "correct",
        "document_issued",  # its revision 2
        "void",  # the certificate
        "void",  # the filing with it
        "history_exported",
    ]
    assert len(history) == len(entries)
    with translation.override("en"):
        for row, entry in zip(history, entries, strict=True):
            when = timezone.localtime(entry.created_at).replace(tzinfo=None)
            assert abs(row[0] - when) < timedelta(seconds=1)
            on_certificate = entry.content_type.model_class() is Certificate
            assert row[1] == (certificate.number if on_certificate else application.number)
            assert row[4] == (entry.actor_display or "The system")
            assert (row[5], row[6]) == state_label(entry, system)
            assert (row[7] or "") == entry.opinion
            assert (row[8] or "") == entry.notice_number
            assert (row[9] or "") == entry.sha256
    actions = [row[2] for row in history]
    assert actions[-1] == "History exported" and history[-1][4] == "赵审定"
    assert "Customs conflict: recorded data kept" in actions
    assert not any("_" in action for action in actions), "no raw transition names"
    decided = 0
    with translation.override("en"):
        for row, entry in zip(history, entries, strict=True):
            if entry.transition in ("accept", "review_agree", "approve"):
                decided += 1
                assert row[3] and (row[2], row[3]) == (entry.action_label, entry.level_label)
    assert decided == 4
    notice = application.notices.get()
    kept_notice = documents.kept_for(notice)
    kept = {r: documents.kept_for(certificate, r) for r in (1, 2)}
    issued = [row for row in history if row[2] == "Document issued and kept"]
    assert {(row[1], row[9]) for row in issued} == {
        (application.number, kept_notice.sha256),
        (certificate.number, kept[1].sha256),
        (certificate.number, kept[2].sha256),
    }
    kept_row = next(row for row in issued if row[9] == kept_notice.sha256)
    assert kept_row[8] == notice.number

    # (b) the notice and both certificate revisions, with the kept bytes' SHA-256.
    header, docs = rows(book["Notices and certificates"])
    assert header[:3] == ("Document", "Number", "Revision")
    assert header[11] == "Document SHA-256"
    by_number = {(row[1], row[2]): row for row in docs}
    assert len(docs) == 3
    assert by_number[(notice.number, 1)][11] == kept_notice.sha256
    first, second = by_number[(certificate.number, 1)], by_number[(certificate.number, 2)]
    assert (first[11], second[11]) == (kept[1].sha256, kept[2].sha256)
    assert first[6] == "Superseded by revision 2" and second[6] == "Current"
    assert first[7] == second[7] == "Void" and second[8] == "企业申请注销"
    assert second[12] == kept[2].size and first[3].date() == certificate.issue_date

    # (c) the message out, customs' receipt, and the write-off messages in.
    message = lived["message"]
    header, messages = rows(book["Customs messages"])
    assert header[:4] == ("Direction", "Time", "Message", "Message ID")
    out = [row for row in messages if row[0] == "Out"]
    assert [(row[3], row[6], row[7]) for row in out] == [(message.message_id, "Delivered", 1)]
    assert out[0][8] is not None and out[0][9] is not None and out[0][10] is not None
    answers = [row for row in messages if row[0] == "In" and row[4] == message.message_id]
    assert [(row[2], row[12]) for row in answers] == [("Receipt", "Received by customs")]
    inbound = {row[3]: row for row in messages if row[0] == "In" and row[3]}
    assert set(inbound) == set(lived["write_off_ids"])
    assert all(row[2] == "Write-off" for row in inbound.values())
    assert "conflict recorded" in inbound[lived["write_off_ids"][1]][12]

    # (d) the write-off as recorded, and the conflict with its resolution.
    header, offs = rows(book["Write-offs"])
    (recorded,) = WriteOff.objects.all()
    assert len(offs) == 1
    assert offs[0][0] == certificate.number and offs[0][3] == recorded.declaration_number
    assert offs[0][7] == 300 and offs[0][10] == lived["write_off_ids"][0]
    header, found = rows(book["Customs conflicts"])
    assert len(found) == 1
    (row,) = found
    assert row[1] == certificate.number and row[2] == "Write-off"
    assert row[3] == lived["write_off_ids"][1]
    assert "quantity: 300.000" in row[6] and "quantity: 400.000" in row[7]
    assert row[8:11] == ["Recorded data kept", "checked with customs", "赵审定"]
    assert row[11] is not None

    # The export is a read: recorded, told to nobody, not in the pages' history.
    (entry,) = exports()
    assert entry.transition in audit.RECORD_ONLY
    assert entry.filing_id == application.pk and entry.actor_display == "赵审定"
    assert not any(e.transition == audit.HISTORY_EXPORTED for e in audit.history(application))


def test_the_certificate_exports_its_filings_workbook(lived, chain):
    application, certificate = lived["application"], lived["certificate"]
    page = english(chain[4]).get(url("certificate", certificate.number)).content.decode()
    action = url("certificate_history_export", certificate.number)
    assert f'action="{action}"' in page and "Export history (.xlsx)" in page
    book = workbook(english(chain[1]).post(action))
    assert book.sheetnames == SHEETS_EN
    _header, history = rows(book["History"])
    assert {row[1] for row in history} == {application.number, certificate.number}
    assert history[0][1] == application.number and history[-1][2] == "History exported"
    assert len(history) == len(history_entries(application, certificate))
    assert exports().get().actor_id == chain[1].pk


def test_chinese_by_default_english_with_the_cookie(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    export = url("history_export", application.number)
    chinese = workbook(client_for(chain[2]).post(export))
    english_book = workbook(english(chain[2]).post(export))
    assert english_book.sheetnames == SHEETS_EN
    # Headers whose Chinese the catalogue already holds (the history table's own).
    with translation.override("zh-hans"):
        expected = [gettext(w) for w in ("Time", "Action", "Level", "By", "Opinion")]
        statuses = {registry.get(Module.DRUG_PERMIT).status_label(application.status)}
    assert expected != ["Time", "Action", "Level", "By", "Opinion"]
    header, history = rows(chinese.worksheets[0])
    assert [header[i] for i in (0, 2, 3, 4, 7)] == expected
    assert history[-2][6] in statuses  # the final decision's status, in Chinese
    header, _history = rows(english_book.worksheets[0])
    assert [header[i] for i in (0, 2, 3, 4, 7)] == ["Time", "Action", "Level", "By", "Opinion"]


def test_the_button_is_on_the_approver_detail_page(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    export = url("history_export", application.number)
    for name in ("query_detail",):
        page = english(chain[1]).get(url(name, application.number)).content.decode()
        assert f'action="{export}"' in page and "Export history (.xlsx)" in page


def test_who_may_export_a_filing(chain, owner, other_owner, authority, make_regulator):
    application = decide_all(owner, chain, authority)
    certificate = application.certificate
    filing_url = url("history_export", application.number)
    certificate_url = url("certificate_history_export", certificate.number)
    # The filing's authority: its approvers and its administrator.
    for user in (chain[1], chain["admin"]):
        assert client_for(user).post(filing_url).status_code == 200
    assert exports().count() == 2
    # Another authority's approver and its administrator: as if it did not exist.
    for user in (chain["other-l1"], chain["other"]["admin"]):
        assert client_for(user).post(filing_url).status_code == 404
        assert client_for(user).post(certificate_url).status_code == 404
    # A regulator (even of Beijing, with a read right) reads no approver's filing.
    regulator = make_regulator("regulator-dp", "110000", modules=(Module.DRUG_PERMIT,)).user
    assert client_for(regulator).post(filing_url).status_code == 404
    # Enterprises (the filer itself too) never enter the back office: refused before any view.
    for user in (owner, other_owner):
        response = client_for(user).post(filing_url)
        assert response.status_code in (302, 403, 404)
        assert not response.get("Content-Type", "").startswith("application/vnd")
    # Anonymous: to the sign-in page.
    response = Client().post(filing_url)
    assert response.status_code == 302 and "login" in response["Location"]
    # A bogus number is a 404, never a 500; a GET changes nothing.
    approver = client_for(chain[1])
    for bogus in ("NOPE", "..", "号码' OR 1=1", "9" * 200, "%00"):
        assert approver.post(url("history_export", bogus)).status_code == 404
        assert approver.post(url("certificate_history_export", bogus)).status_code == 404
    assert approver.get(filing_url).status_code == 405
    assert exports().count() == 2, "no refused attempt was recorded"
    # The enterprise is not told who inspected its filing.
    page = english(owner).get(f"/drug-permits/{application.number}/").content.decode()
    assert 'id="history"' in page
    assert "History exported" not in page and audit.HISTORY_EXPORTED not in page


@pytest.fixture
def archive_records(seeded):
    def uscc(division):  # of an enterprise registered in that division
        first17 = f"91{division}MA01C2D3X"
        return first17 + uscc_check_character(first17)

    beijing = make_enterprise(uscc("110105"), "owner-bj", name_zh="北京制药").user
    shanghai = make_enterprise(uscc("310115"), "owner-sh", name_zh="上海制药").user
    return {
        "beijing": archive.submitted_by_complete(beijing),
        "beijing-owner": beijing,
        "shanghai": archive.submitted_by_complete(shanghai),
    }


def test_regulators_export_what_they_may_read(archive_records, make_regulator, chain):
    ns = registry.get(Module.EXPORT_DRUG_ARCHIVE).admin_slug
    record = archive_records["beijing"]
    export = url("regulator_history_export", record.number, slug=ns)
    reader = make_regulator("reg-bj").user
    page = english(reader).get(url("regulator_detail", record.number, slug=ns)).content.decode()
    assert f'action="{export}"' in page and "Export history (.xlsx)" in page
    book = workbook(english(reader).post(export))
    # This system sends nothing to customs and has no notices: two sheets, from the registry.
    assert book.sheetnames == ["History", "Notices and certificates"]
    _header, history = rows(book["History"])
    assert [row[2] for row in history][-1] == "History exported"
    assert history[0][1] == record.number and len(history) == 2
    assert exports().get().actor_id == reader.pk
    # Out of its region, without the read right, an approver, an enterprise: nothing.
    shanghai = archive_records["shanghai"]
    out_of_region = url("regulator_history_export", shanghai.number, slug=ns)
    assert client_for(reader).post(out_of_region).status_code == 404
    no_right = make_regulator("reg-none", "110000", modules=()).user
    assert client_for(no_right).post(export).status_code == 404
    elsewhere = make_regulator("reg-sh", "310000").user
    assert client_for(elsewhere).post(export).status_code == 404
    assert client_for(chain[1]).post(export).status_code == 404
    owner = client_for(archive_records["beijing-owner"]).post(export)
    assert owner.status_code in (302, 403, 404)
    assert (
        client_for(reader).post(url("regulator_history_export", "NOPE", slug=ns)).status_code == 404
    )
    assert exports().count() == 1


def test_sections_are_an_extensible_list():
    system = registry.get(Module.DRUG_PERMIT)
    keys = [s.key for s in sections_for(system)]
    assert keys == [
        "history",
        "case_notes",  # workflows.case_notes registers it, for systems with approvers
        "documents",
        "customs_messages",
        "write_offs",
        "customs_conflicts",
    ]
    assert [s.key for s in sections_for(registry.get(Module.EXPORT_DRUG_ARCHIVE))] == [
        "history",
        "documents",
    ]
    notes = Section("remarks", "Remarks", (), lambda subject: iter(()))
    register(notes, before="documents")
    try:
        assert [s.key for s in sections_for(system)][:4] == [
            "history",
            "case_notes",
            "remarks",
            "documents",
        ]
        with pytest.raises(ValueError):
            register(notes)
    finally:
        SECTIONS.remove(notes)


def test_an_imported_certificate_exports_its_own_history(chain, authority):
    """Imported from the authority's own system, it has no filing: its own sheets."""
    imported = Certificate.objects.create(
        system=Module.DRUG_PERMIT,
        source="IMPORTED",
        number="IMP2026000001",
        authority=authority,
        holder_name="甲公司",
        holder_uscc="91110108MA01C2D3XY",
        issue_date=timezone.localdate(),
        valid_until=timezone.localdate() + timedelta(days=90),
        issued_by=chain[1],
    )
    customs.void_certificate(certificate=imported, actor=chain[1], reason="重复导入")
    book = workbook(english(chain[1]).post(url("certificate_history_export", imported.number)))
    _header, history = rows(book["History"])
    assert [(row[1], row[2], row[4]) for row in history] == [
        ("IMP2026000001", "Certificate voided", "张受理"),
        ("IMP2026000001", "History exported", "张受理"),
    ]
    assert history[0][5:8] == ["Issued", "Void", "重复导入"]
    _header, docs = rows(book["Notices and certificates"])
    assert [(row[1], row[2], row[7]) for row in docs] == [("IMP2026000001", 1, "Void")]
    entry = exports().get()
    assert entry.filing_id is None and entry.object_id == str(imported.pk)
    # Another authority's approver cannot reach it either.
    other = client_for(chain["other-l1"])
    assert other.post(url("certificate_history_export", imported.number)).status_code == 404


def test_typed_text_is_never_a_formula(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    hostile = '=HYPERLINK("http://evil.example/","open")'
    customs.void_certificate(certificate=application.certificate, actor=chain[4], reason=hostile)
    response = english(chain[4]).post(url("history_export", application.number))
    book = workbook(response)
    cells = [c for row in book["History"].iter_rows(min_row=2) for c in row if c.value == hostile]
    assert len(cells) == 2  # the certificate's void and the filing's, as the opinion
    assert all(c.data_type == "s" for c in cells)
    void = [c for row in book["Notices and certificates"].iter_rows() for c in row]
    assert [c.data_type for c in void if c.value == hostile] == ["s"]
