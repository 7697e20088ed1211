"""Case notes (issue 15): approvers of any level of the filing's authority leave internal
notes, with PDF attachments, on a filing of any system; the notes are listed on the
approver's detail beside the history, audited, exported to inspectors as the "Case notes"
sheet, and never reach the enterprise: not its pages, notifications, pushes, webhooks or
exports; a note's attachment is refused to the enterprise and to other authorities."""

import hashlib
import io

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from documents.services import sign_off_context
from filings import audit
from filings.models import AuditEntry, CaseNote, CaseNoteAttachment
from notifications.models import Event, Notification, WebhookDelivery
from workflows import case_notes, services

from ..conftest import client_for
from ..drug_permit_helpers import PDF, accept, complete_draft, pdf
from .test_hostile_pdfs import _open_action
from .test_hostile_pdfs import pdf as build_pdf

pytestmark = pytest.mark.django_db

NOTE = "Checked the purchase contract by phone with the importer: genuine."


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def filed(owner, chain, authority):
    """A drug permit application submitted to Beijing, waiting at level 1."""
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    return application


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def admin_url(name, *args):
    return reverse(f"drug-permit:{name}", args=args)


def note_rows():
    return AuditEntry.objects.filter(transition=audit.CASE_NOTE_ADDED)


def test_only_an_approver_of_the_filings_authority_adds_a_note(filed, chain, owner):
    refused = {
        "the enterprise": owner,
        "another authority's approver": chain["other-l1"],
        "the authority's administrator (reads only)": chain["admin"],
    }
    for who, actor in refused.items():
        with pytest.raises(PermissionDenied):
            case_notes.add_case_note(filing=filed, actor=actor, text=NOTE)
        assert not CaseNote.objects.exists(), who
    # Any level of the authority may, not only the level the filing waits at.
    for level in (1, 3):
        case_notes.add_case_note(filing=filed, actor=chain[level], text=f"{NOTE} ({level})")
    assert [n.seat_level for n in CaseNote.objects.order_by("pk")] == [1, 3]
    assert note_rows().count() == 2


def test_bad_notes_are_refused_with_the_reason_and_nothing_is_kept(filed, chain, tmp_path):
    hostile = pdf("scan.pdf", build_pdf(_open_action))
    cases = [
        ({"text": "   "}, "text", "Enter the note."),
        ({"text": "x" * (case_notes.MAX_TEXT + 1)}, "text", "at most 4000 characters"),
        ({"text": NOTE, "attachments": [pdf("a.pdf", b"GIF89a...")]}, "files", "not a PDF"),
        ({"text": NOTE, "attachments": [hostile]}, "files", "active content"),
        ({"text": NOTE, "attachments": [pdf(f"{i}.pdf") for i in range(6)]}, "files", "at most 5"),
    ]
    for kwargs, field, message in cases:
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            case_notes.add_case_note(filing=filed, actor=chain[1], **kwargs)
        assert any(message in m for m in caught.value.message_dict[field]), caught.value
    assert not CaseNote.objects.exists() and not note_rows().exists()
    assert not list(tmp_path.glob("case-notes/**/*.*"))  # no orphan file of a refused note


def test_a_note_is_kept_with_its_pdf_audited_and_append_only(filed, chain):
    status = filed.status
    note = case_notes.add_case_note(
        filing=filed,
        actor=chain[1],
        text=f"  {NOTE}\r\nSecond line\x07  ",
        attachments=[pdf("电话记录 ../../x.pdf")],
    )
    assert note.text == f"{NOTE}\nSecond line"  # control characters dropped
    assert note.author_display == "张受理" and note.seat_level == 1
    kept = note.attachments.get()
    assert kept.original_name == "x.pdf" and kept.size == len(PDF)
    assert kept.sha256 == hashlib.sha256(PDF).hexdigest()
    assert kept.file.name.startswith("case-notes/") and "x.pdf" not in kept.file.name
    entry = note_rows().get()
    assert entry.actor_id == chain[1].pk and entry.seat_level == 1 and entry.filing_id == filed.pk
    assert entry.opinion == ""  # the audit row holds no text of the note
    assert entry.transition in audit.INTERNAL and entry.transition in audit.RECORD_ONLY
    filed.refresh_from_db()
    assert filed.status == status  # a note changes no status
    with pytest.raises(TypeError):
        note.save()
    with pytest.raises(TypeError):
        CaseNote.objects.filter(pk=note.pk).update(text="changed")
    with pytest.raises(TypeError):
        CaseNote.objects.filter(pk=note.pk).delete()
    with pytest.raises(TypeError):
        kept.delete()
    assert CaseNote.objects.get().text.startswith(NOTE)


def test_approvers_list_and_add_notes_on_the_detail(filed, chain, authority):
    level1 = english(chain[1])
    detail = admin_url("todo_detail", filed.number)
    page = level1.get(detail).content.decode()
    assert 'id="case-notes"' in page and 'id="case-note-form"' in page
    assert "No case notes yet." in page
    # A bad file: the reason, and the typed text is still there.
    reply = level1.post(
        detail,
        {"case_note": "1", "text": NOTE, "files": pdf("contract.pdf", b"not a pdf")},
    )
    assert reply.status_code == 200
    body = reply.content.decode()
    assert "The note was not added:" in body and "this file is not a PDF" in body
    assert f">{NOTE}</textarea>" in body
    assert not CaseNote.objects.exists()
    # Empty text: the message, nothing written.
    body = level1.post(detail, {"case_note": "1", "text": ""}).content.decode()
    assert "Enter the note." in body and not CaseNote.objects.exists()
    # A good note with a PDF.
    reply = level1.post(detail, {"case_note": "1", "text": NOTE, "files": pdf("phone-record.pdf")})
    assert reply.status_code == 302 and reply["Location"].endswith(f"{detail}#case-notes")
    page = level1.get(detail).content.decode()
    assert NOTE in page and "张受理" in page and "Acceptance" in page
    assert "Case note added. The enterprise does not see it." in page
    kept = CaseNoteAttachment.objects.get()
    download = admin_url("case_note_attachment", filed.number, kept.pk)
    assert f'href="{download}"' in page and "phone-record.pdf" in page
    # The note beside the history: the history shows the note was added, not its text.
    history = page[page.index('id="history"') : page.index('id="case-notes"')]
    assert "Case note added" in history and NOTE not in history
    # Level 2 reads it on its query detail before the filing reaches it, and replies.
    level2 = english(chain[2])
    query = admin_url("query_detail", filed.number)
    assert NOTE in level2.get(query).content.decode()
    assert level2.post(query, {"case_note": "1", "text": "Noted."}).status_code == 302
    # The administrator reads the notes, without the form, and may not add one.
    admin = english(chain["admin"])
    page = admin.get(query).content.decode()
    assert NOTE in page and "Noted." in page and 'id="case-note-form"' not in page
    assert admin.post(query, {"case_note": "1", "text": "x"}).status_code in (302, 403)
    assert CaseNote.objects.count() == 2


def test_a_notes_attachment_downloads_only_for_the_filings_authority(filed, chain, owner):
    note = case_notes.add_case_note(
        filing=filed, actor=chain[1], text=NOTE, attachments=[pdf("record.pdf")]
    )
    kept = note.attachments.get()
    url = admin_url("case_note_attachment", filed.number, kept.pk)
    for user in (chain[2], chain["admin"]):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF
    assert client_for(chain["other-l1"]).get(url).status_code == 404
    assert client_for(owner).get(url).status_code in (302, 403, 404)
    # Another filing's number with this attachment's id: not found.
    other = complete_draft(owner, filed.authority)
    services.submit(filing=other, actor=owner, second_factor_verified=True)
    wrong = admin_url("case_note_attachment", other.number, kept.pk)
    assert client_for(chain[1]).get(wrong).status_code == 404


def test_the_inspectors_export_has_a_case_notes_sheet(filed, chain):
    note = case_notes.add_case_note(
        filing=filed, actor=chain[1], text=NOTE, attachments=[pdf("record.pdf")]
    )
    response = english(chain[2]).post(admin_url("history_export", filed.number))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Case notes"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Time", "Level", "By", "Note", "Attachments", "Attachment SHA-256"]
    assert rows[1][1:] == [
        "Acceptance",
        "张受理",
        NOTE,
        "record.pdf",
        hashlib.sha256(PDF).hexdigest(),
    ]
    assert rows[1][0] is not None and len(rows) == 2
    history = [list(r) for r in book["History"].iter_rows(values_only=True)]
    assert "Case note added" in [r[2] for r in history]
    assert note.pk


def test_an_enterprise_never_reaches_a_case_note(
    filed, chain, owner, django_capture_on_commit_callbacks
):
    before = (Event.objects.count(), Notification.objects.count(), WebhookDelivery.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        case_notes.add_case_note(
            filing=filed, actor=chain[1], text=NOTE, attachments=[pdf("record.pdf")]
        )
    # Nothing is pushed, notified or sent for a note.
    assert (
        Event.objects.count(),
        Notification.objects.count(),
        WebhookDelivery.objects.count(),
    ) == before
    with django_capture_on_commit_callbacks(execute=True):
        accept(filed, chain[1])  # a decision that is told to the enterprise
    assert Event.objects.count() > before[0]
    told = " ".join(
        str(value)
        for model in (Event, Notification, WebhookDelivery)
        for row in model.objects.values()
        for value in row.values()
    )
    assert NOTE not in told and "record.pdf" not in told
    enterprise = english(owner)
    pages = [
        reverse("drug_permits:detail", args=[filed.number]),
        reverse("drug_permits:status", args=[filed.number]),
        reverse("drug_permits:list"),
        reverse("my_filings"),
        "/notifications/",
    ]
    for url in pages:
        response = enterprise.get(url)
        assert response.status_code == 200, url
        assert NOTE not in response.content.decode(), url
        assert "record.pdf" not in response.content.decode(), url
    detail = enterprise.get(reverse("drug_permits:detail", args=[filed.number])).content.decode()
    assert "Acceptance" in detail and "Case note added" not in detail  # not even that one exists
    # The enterprise's own print of the application (its export of the filing).
    form = enterprise.get(reverse("drug_permits:application-form", args=[filed.number]))
    assert form.status_code == 200
    data = b"".join(getattr(form, "streaming_content", [form.content]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert filed.number in text and NOTE not in text
    # The back-office export and download are refused to it.
    assert enterprise.post(admin_url("history_export", filed.number)).status_code in (
        302,
        403,
        404,
    )
    kept = CaseNoteAttachment.objects.get()
    download = admin_url("case_note_attachment", filed.number, kept.pk)
    assert enterprise.get(download).status_code in (302, 403, 404)


def test_a_draft_withdrawn_and_deleted_keeps_its_notes(filed, chain, owner):
    """The enterprise deletes its draft without learning of notes; the notes stay on record."""
    case_notes.add_case_note(filing=filed, actor=chain[1], text=NOTE)
    services.withdraw(filing=filed, actor=owner)
    services.decide(filing=filed, actor=chain[1], decision="approve_withdrawal", opinion="同意")
    filed.refresh_from_db()
    assert filed.status == filed.declaration.draft_state
    with pytest.raises(PermissionDenied):  # a draft is the enterprise's again: no new note
        case_notes.add_case_note(filing=filed, actor=chain[1], text=NOTE)
    services.delete_draft(filing=filed, actor=owner)
    assert CaseNote.objects.get().text == NOTE


def test_the_sign_off_sheet_lists_decisions_not_notes(filed, chain):
    case_notes.add_case_note(filing=filed, actor=chain[1], text=NOTE)
    accept(filed, chain[1])
    rows = sign_off_context(filed)["rows"]
    assert [row["opinion"] for row in rows] == ["材料齐全，予以受理"]
