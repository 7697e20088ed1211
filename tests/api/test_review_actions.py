"""The approvers' actions beside the decisions, through the API: attachments (list,
download, mark), the notice preview, history, notices, the application form, case notes,
and the certificate on the authority's side (ledger, send, correct, void).  Each is the
page's service: the same rules and audit rows; another authority's approver and the
enterprise's own token get 404."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customs import xml
from customs.models import CustomsConflict
from documents.models import Certificate, Notice, PrintRecord
from filings import audit, registry
from filings.models import AuditEntry, CaseNote, Filing
from filings.selectors import attachments_of
from portal.accounts.models import User
from portal.reference.models import Authority
from tests import drug_permit_helpers as drug

from ..conftest import USCC_BEIJING, client_for, make_chain, make_enterprise
from .helpers import ApiClient

pytestmark = pytest.mark.django_db

REVIEW = "/drug-permits/review/applications"


@pytest.fixture(scope="module")
def world(module_db, django_db_blocker):
    """Beijing's four levels and administrator, Shanghai's level 1, an owner with one
    application waiting for acceptance and one approved (with its certificate).  Made once;
    each test rolls back what it changes."""
    with django_db_blocker.unblock():
        owner = make_enterprise(USCC_BEIJING, "owner-a", name_zh="甲公司").user
        beijing = Authority.objects.get(code="DA-110000")
        chain = make_chain(beijing, "bj")
        other = make_chain(Authority.objects.get(code="DA-310000"), "sh")
        pending = drug.complete_draft(owner, beijing)
        drug.services.submit(filing=pending, actor=owner, second_factor_verified=True)
        approved = drug.decide_all(owner, chain, beijing)
    return {
        "users": {
            "owner": owner.pk,
            "admin": chain["admin"].pk,
            "other-l1": other[1].pk,
            **{level: chain[level].pk for level in (1, 2, 3, 4)},
        },
        "pending": pending.number,
        "approved": approved.number,
    }


def api(world, role) -> ApiClient:
    return ApiClient(User.objects.get(pk=world["users"][role]))


def user(world, role):
    return User.objects.get(pk=world["users"][role])


def entries(filing_number):
    return AuditEntry.objects.filter(filing__number=filing_number)


def english(response, field=None):
    body = response.json()
    return body["fields"][field]["en"] if field else body["messages"]["en"]


def pdf_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_outsiders_reach_none_of_them(world):
    """Every action on both applications: another authority's approver and the enterprise's
    token get 404 (never 500), and nothing changes."""
    pending, approved = world["pending"], world["approved"]
    gets = [
        f"{REVIEW}/{pending}/attachments",
        f"{REVIEW}/{pending}/history",
        f"{REVIEW}/{pending}/notices",
        f"{REVIEW}/{pending}/application-form",
        f"{REVIEW}/{pending}/case-notes",
        f"{REVIEW}/{approved}/certificate",
        f"{REVIEW}/{approved}/certificate/pdf",
        f"{REVIEW}/{approved}/certificate/correction",
    ]
    attachment = attachments_of(Filing.objects.get(number=pending)).first()
    posts = [
        (f"{REVIEW}/{pending}/attachments/{attachment.pk}/mark", {}),
        (f"{REVIEW}/{pending}/notice-preview", {"decision": "accept", "notice_number": "1"}),
        (f"{REVIEW}/{approved}/certificate/send", {}),
        (f"{REVIEW}/{approved}/certificate/correct", {"reason": "x", "values": {}}),
        (f"{REVIEW}/{approved}/certificate/void", {"reason": "x"}),
    ]
    before = AuditEntry.objects.count()
    for role in ("other-l1", "owner"):
        client = api(world, role)
        for path in [*gets, f"{REVIEW}/{pending}/attachments/{attachment.pk}"]:
            response = client.get(path)
            assert response.status_code == 404, (role, path, response.content)
            assert response.json()["code"] == "not_found"
        for path, data in posts:
            response = client.post(path, data)
            assert response.status_code == 404, (role, path, response.content)
        note = client.upload(f"{REVIEW}/{pending}/case-notes", {"text": "x"})
        assert note.status_code == 404
    assert AuditEntry.objects.count() == before
    assert not CaseNote.objects.exists()
    attachment.refresh_from_db()
    assert not attachment.needs_resubmission
    assert Certificate.objects.get(filing__number=approved).status == "ISSUED"


def test_attachments_listed_downloaded_and_marked_as_on_the_page(world):
    number = world["pending"]
    level1, level2 = api(world, 1), api(world, 2)
    listed = level1.get(f"{REVIEW}/{number}/attachments")
    assert listed.status_code == 200
    rows = listed.json()
    assert len(rows) >= 2 and all(r["may_mark"] and not r["needs_resubmission"] for r in rows)
    download = level1.client.get(rows[0]["download"])
    assert download.status_code == 200 and pdf_bytes(download).startswith(b"%PDF")
    assert level1.get(f"{REVIEW}/{number}/attachments/999999").status_code == 404
    # Level 2 may not ask for a supplement now, so it may not mark either.
    assert not any(r["may_mark"] for r in level2.get(f"{REVIEW}/{number}/attachments").json())
    refused = level2.post(f"{REVIEW}/{number}/attachments/{rows[0]['id']}/mark")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert refused.json()["messages"]["zh"] and english(refused)

    # The page marks one, the API the other: the same effect, the same audit rows.
    audit_before = entries(number).count()
    page = client_for(user(world, 1)).post(
        reverse(f"{drug.system().admin_slug}:todo_detail", args=[number]),
        {"mark": rows[0]["id"]},
    )
    assert page.status_code == 302
    audit_after_page = entries(number).count()
    marked = level1.post(f"{REVIEW}/{number}/attachments/{rows[1]['id']}/mark")
    assert marked.status_code == 200, marked.content
    assert marked.json()["needs_resubmission"] and not marked.json()["may_mark"]
    assert entries(number).count() - audit_after_page == audit_after_page - audit_before
    flags = {
        r["id"]: r["needs_resubmission"]
        for r in level1.get(f"{REVIEW}/{number}/attachments").json()
    }
    assert flags[rows[0]["id"]] and flags[rows[1]["id"]]
    # The enterprise sees which ones to resubmit through its own endpoint.
    own = api(world, "owner").get(f"/drug-permits/applications/{number}/attachments").json()
    assert {r["id"] for r in own if r["needs_resubmission"]} == {rows[0]["id"], rows[1]["id"]}


def test_notice_preview_is_the_pdf_a_decision_would_send_and_saves_nothing(world):
    number = world["pending"]
    level1 = api(world, 1)
    notices, audit_rows = Notice.objects.count(), entries(number).count()
    preview = level1.post(
        f"{REVIEW}/{number}/notice-preview",
        {"decision": "accept", "opinion": "材料齐全", "notice_number": "京药监受〔2026〕7号"},
    )
    assert preview.status_code == 200, preview.content
    assert preview["Content-Type"] == "application/pdf"
    assert pdf_bytes(preview).startswith(b"%PDF")
    assert Notice.objects.count() == notices and entries(number).count() == audit_rows
    assert Filing.objects.get(number=number).status == "PENDING_ACCEPTANCE"

    # A decision this seat may not take now: the page's form refuses it.
    refused = level1.post(f"{REVIEW}/{number}/notice-preview", {"decision": "approve"})
    assert refused.status_code == 422 and refused.json()["code"] == "validation_error"
    assert "Select a valid choice" in english(refused, "decision")[0]
    assert refused.json()["fields"]["decision"]["zh"][0] != english(refused, "decision")[0]
    too_long = level1.post(
        f"{REVIEW}/{number}/notice-preview", {"decision": "accept", "notice_number": "9" * 51}
    )
    assert too_long.status_code == 422 and "notice_number" in too_long.json()["fields"]
    not_object = level1.client.post(
        f"/api/v1{REVIEW}/{number}/notice-preview",
        json.dumps(["accept"]),
        content_type="application/json",
    )
    assert not_object.status_code == 422

    # A decision that sends no notice (level 2 agreeing): said so, in both languages.
    drug.accept(Filing.objects.get(number=number).specific, user(world, 1))
    silent = api(world, 2).post(f"{REVIEW}/{number}/notice-preview", {"decision": "review_agree"})
    assert silent.status_code == 422 and silent.json()["code"] == "no_notice"
    assert english(silent) == ["This decision sends no notice."]


def test_history_notices_and_application_form(world):
    number = world["approved"]
    level2 = api(world, 2)
    history = level2.get(f"{REVIEW}/{number}/history")
    assert history.status_code == 200
    actions = [row["action"] for row in history.json()]
    assert ["accept", "review_agree", "review_agree", "approve"] == [
        a for a in actions if a in ("accept", "review_agree", "approve")
    ]
    assert len(history.json()) == audit.history(Filing.objects.get(number=number).specific).count()
    notices = level2.get(f"{REVIEW}/{number}/notices").json()
    assert [n["number"] for n in notices] == ["京药监受〔2026〕1号"]
    prints = PrintRecord.objects.count()
    pdf = level2.client.get(notices[0]["pdf"])
    assert pdf.status_code == 200 and pdf_bytes(pdf).startswith(b"%PDF")
    assert PrintRecord.objects.count() == prints + 1  # recorded, as the page's print
    assert level2.get(f"{REVIEW}/{number}/notices/999999/pdf").status_code == 404
    form = level2.client.get(f"/api/v1{REVIEW}/{number}/application-form")
    assert form.status_code == 200 and pdf_bytes(form).startswith(b"%PDF")


def test_case_notes_by_api(world):
    number = world["pending"]
    level1, level3 = api(world, 1), api(world, 3)
    added = level3.upload(
        f"{REVIEW}/{number}/case-notes",
        {"text": "用途证明需核对原件", "files": [drug.pdf("proof.pdf")]},
    )
    assert added.status_code == 201, added.content
    note = added.json()
    assert note["seat_level"] == 3 and note["attachments"][0]["name"] == "proof.pdf"
    row = entries(number).latest("pk")
    assert row.transition == audit.CASE_NOTE_ADDED and row.actor_id == user(world, 3).pk
    assert row.ip_address  # the request is recorded, as on the page
    listed = level1.get(f"{REVIEW}/{number}/case-notes").json()
    assert [n["text"] for n in listed] == ["用途证明需核对原件"]
    download = level1.client.get(note["attachments"][0]["download"])
    assert download.status_code == 200 and pdf_bytes(download).startswith(b"%PDF")
    # Another authority's approver: neither the note nor its file.
    assert api(world, "other-l1").client.get(note["attachments"][0]["download"]).status_code == 404
    empty = level1.upload(f"{REVIEW}/{number}/case-notes", {"text": "  "})
    assert empty.status_code == 422 and english(empty, "text") == ["Enter the note."]
    not_pdf = level1.upload(
        f"{REVIEW}/{number}/case-notes",
        {"text": "x", "files": [drug.pdf("a.pdf", b"GIF89a not a pdf")]},
    )
    assert not_pdf.status_code == 422 and "files" in not_pdf.json()["fields"]
    # The administrator reads them but adds none (approvers only, as the page).
    admin = api(world, "admin")
    assert len(admin.get(f"{REVIEW}/{number}/case-notes").json()) == 1
    assert admin.upload(f"{REVIEW}/{number}/case-notes", {"text": "x"}).status_code == 403
    assert CaseNote.objects.count() == 1


def test_certificate_ledger_send_correct_void(world):
    number = world["approved"]
    certificate = Certificate.objects.get(filing__number=number)
    level4, level1 = api(world, 4), api(world, 1)
    path = f"{REVIEW}/{number}/certificate"
    shown = level1.get(path)
    assert shown.status_code == 200, shown.content
    body = shown.json()
    assert body["number"] == certificate.number and body["customs_status"] == "NOT_SENT"
    assert body["actions"] == {"send": True, "correct": True, "void": True, "resolve": True}
    assert float(body["lines"][0]["quantity"]) == 1000
    assert float(body["lines"][0]["remainder"]) == float(body["lines"][0]["quantity"])
    pdf = level1.client.get(body["pdf"], {"mode": "OVERLAY"})
    assert pdf.status_code == 200 and pdf_bytes(pdf).startswith(b"%PDF")
    assert level1.get(f"{path}/pdf", mode="SIDEWAYS").status_code == 422
    # The authority's administrator reads it but acts on none of it (no seat).
    admin = api(world, "admin")
    assert admin.get(path).json()["actions"] == dict.fromkeys(
        ("send", "correct", "void", "resolve"), False
    )
    assert admin.post(f"{path}/send").status_code == 403
    assert admin.get(f"{path}/correction").status_code == 403

    correctable = level1.get(f"{path}/correction").json()["fields"]
    names = {f["name"] for f in correctable}
    assert "valid_until" in names and "line-1-quantity" in names
    no_reason = level1.post(f"{path}/correct", {"values": {"line-1-quantity": "900"}})
    assert no_reason.status_code == 422
    assert english(no_reason, "reason") == ["Enter the reason for the correction."]
    unknown = level1.post(f"{path}/correct", {"values": {"holder_name": "x"}, "reason": "r"})
    assert unknown.status_code == 422 and "values.holder_name" in unknown.json()["fields"]
    bad_date = level1.post(f"{path}/correct", {"values": {"valid_until": "soon"}, "reason": "r"})
    assert bad_date.status_code == 422
    assert english(bad_date, "valid_until") == ["Enter a date such as 2027-12-31."]
    nothing = level1.post(f"{path}/correct", {"values": {}, "reason": "r"})
    for quantity in ("NaN", "Infinity", "1e20", "abc"):
        odd = level1.post(
            f"{path}/correct", {"values": {"line-1-quantity": quantity}, "reason": "r"}
        )
        assert odd.status_code == 422 and "line-1-quantity" in odd.json()["fields"], quantity
    too_long = level1.post(f"{path}/correct", {"values": {"ports": "港" * 301}, "reason": "r"})
    assert too_long.status_code == 422 and "values.ports" in too_long.json()["fields"]
    nul = level1.post(f"{path}/correct", {"values": {"remarks": "a\x00b"}, "reason": "r"})
    assert nul.status_code == 422 and "values.remarks" in nul.json()["fields"]
    # (The English is looked up from the Chinese: two msgids share it, either may come.)
    assert nothing.status_code == 422 and english(nothing)[0].startswith("Nothing")
    corrected = level1.post(
        f"{path}/correct", {"values": {"line-1-quantity": "900"}, "reason": "数量笔误"}
    )
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["revision"] == 2 and corrected.json()["customs_status"] == "NOT_SENT"
    assert float(corrected.json()["lines"][0]["quantity"]) == 900
    row = AuditEntry.objects.filter(transition="correct").latest("pk")
    assert (row.actor_id, row.opinion) == (user(world, 1).pk, "数量笔误")

    sent = level4.post(f"{path}/send")
    assert sent.status_code == 200, sent.content
    assert sent.json()["certificate"]["customs_status"] == "SENT" and sent.json()["message_id"]
    row = AuditEntry.objects.filter(transition="send").latest("pk")
    assert (row.actor_id, row.from_state, row.to_state) == (user(world, 4).pk, "NOT_SENT", "SENT")
    assert row.filing.number == number and row.ip_address
    again = level4.post(f"{path}/send")
    assert again.status_code == 409 and again.json()["code"] == "already_handled"

    # Sent: customs has it, so no correction until customs answers (the page's rule).
    late = level1.post(f"{path}/correct", {"values": {"ports": "x"}, "reason": "r"})
    assert late.status_code == 422, late.content

    no_reason = level1.post(f"{path}/void", {"reason": " "})
    assert no_reason.status_code == 422
    assert english(no_reason, "reason") == ["Enter the reason for voiding."]
    nul = level1.post(f"{path}/void", {"reason": "a\x00"})
    assert english(nul, "reason") == ["Null characters are not allowed."]
    voided = level1.post(f"{path}/void", {"reason": "企业申请注销"})
    assert voided.status_code == 200, voided.content
    assert voided.json()["status"] in ("VOID", "VOID_REQUESTED")
    assert voided.json()["void_reason"] == "企业申请注销"
    row = AuditEntry.objects.filter(transition="void").latest("pk")
    assert (row.actor_id, row.opinion) == (user(world, 1).pk, "企业申请注销")
    assert level1.post(f"{path}/void", {"reason": "again"}).status_code == 409


def customs_write_off(number, quantity):
    """A write-off message from customs (signed, as the exchange receives it)."""
    body = xml.write_off(
        message_id=xml.new_message_id(),
        declaration_number="223320260000000001",
        declaration_date=timezone.localdate(),
        port_code="2233",
        documents=[("DRUG_PERMIT", number, [(1, quantity, 1)])],
    )
    headers = xml.signed_headers(settings.CUSTOMS_SECRET, body)
    response = Client().post(
        "/customs/inbound/",
        data=body,
        content_type="application/xml",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    assert response.status_code == 200


def test_write_offs_and_customs_conflicts(world):
    number = world["approved"]
    certificate = Certificate.objects.get(filing__number=number)
    customs_write_off(certificate.number, "300")
    customs_write_off(certificate.number, "400")  # the same declaration item, another value
    path = f"{REVIEW}/{number}/certificate"
    level2 = api(world, 2)
    body = level2.get(path).json()
    assert [float(w["quantity"]) for w in body["write_offs"]] == [300]
    assert float(body["lines"][0]["written_off"]) == 300 and body["lines"][0]["open_conflicts"]
    (conflict,) = body["conflicts"]
    assert conflict["incoming"]["quantity"] == "400.000" and body["actions"]["resolve"]
    resolve = f"{path}/conflicts/{conflict['id']}/resolve"
    assert api(world, "admin").get(path).json()["actions"]["resolve"] is False
    assert api(world, "admin").post(resolve, {"decision": "keep", "reason": "r"}).status_code == 403
    assert (
        api(world, "other-l1").post(resolve, {"decision": "keep", "reason": "r"}).status_code == 404
    )
    assert level2.post(f"{path}/conflicts/999999/resolve", {"decision": "keep"}).status_code == 404
    bad = level2.post(resolve, {"decision": "maybe"})
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"decision", "reason"}
    assert english(bad, "reason") == ["Enter the reason for the decision."]
    replaced = level2.post(resolve, {"decision": "replace", "reason": "核对海关原始数据"})
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["conflicts"] == []
    assert float(replaced.json()["lines"][0]["written_off"]) == 400
    assert CustomsConflict.objects.get(pk=conflict["id"]).state == "REPLACED"
    row = AuditEntry.objects.filter(transition="customs_conflict_replace").get()
    assert (row.actor_id, row.opinion) == (user(world, 2).pk, "核对海关原始数据")
    again = level2.post(resolve, {"decision": "keep", "reason": "r"})
    assert again.status_code == 422 and "already resolved" in english(again)[0]


def test_every_system_with_decisions_has_the_actions():
    paths = set(Client().get("/api/schema/").json()["paths"])
    for system in registry.all_systems():
        base = f"/api/v1/{system.slug}/review/applications/{{number}}"
        expected = {f"{base}/notice-preview", f"{base}/history", f"{base}/case-notes"}
        if system.attachments:
            expected.add(f"{base}/attachments/{{attachment_id}}/mark")
        if system.issues_certificate:
            expected |= {f"{base}/certificate", f"{base}/certificate/void"}
        if system.decisions:
            assert expected <= paths, system.key
        else:
            assert not expected & paths, system.key
