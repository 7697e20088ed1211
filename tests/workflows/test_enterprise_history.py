"""What the enterprise sees of the review (issue 15): its history shows each step, the
status it left and when, and only the opinions a notice carried to it; the opinions of
levels 2-3 and any other opinion not sent in a notice stay with the authority, on every
page, push, notification, webhook and document the enterprise can reach."""

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents.selectors import notices_of
from filings import audit
from notifications import services as push
from notifications.models import Event
from workflows import services as workflow

from ..conftest import client_for
from ..drug_permit_helpers import complete_draft, decide

# ASCII words, so a PDF's extracted text can be searched as reliably as a page's bytes.
SENT = {
    "accept": "AcceptedWithCompleteMaterials",
    "refusal": "RefusedForLackOfPurposeProof",
}
INTERNAL = {
    "l2": "InternalFirstReviewDoubtsDosage",
    "l3": "InternalSecondReviewDisagrees",
    "l4": "InternalFinalLevelReasoning",
    "approve": "InternalApprovalRemark",
}


def english(client):
    client.cookies["django_language"] = "en"
    return client


def leaks(data: bytes | str) -> list[str]:
    text = data.decode() if isinstance(data, bytes) else data
    return [value for value in INTERNAL.values() if value in text]


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def pushed(monkeypatch):
    """Every message the status push sends to any group (the live payloads)."""
    sent = []
    monkeypatch.setattr(push, "_send", lambda group, message: sent.append((group, message)))
    return sent


def _subscribed_owner(owner):
    client = english(client_for(owner))
    response = client.post(
        reverse("notifications:subscriptions"), {"scope": "all", "channels": ["BROWSER"]}
    )
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_the_enterprise_reads_the_steps_and_only_the_opinions_sent_in_a_notice(
    chain, owner, authority, pushed, django_capture_on_commit_callbacks
):
    client = _subscribed_owner(owner)
    application = complete_draft(owner, authority)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(filing=application, actor=owner, second_factor_verified=True)
        decide(
            application,
            chain[1],
            "accept",
            opinion=SENT["accept"],
            notice_number="京药受〔2026〕7号",
        )
        decide(application, chain[2], "review_agree", opinion=INTERNAL["l2"])
        decide(application, chain[3], "review_disagree", opinion=INTERNAL["l3"])
        decide(application, chain[4], "refuse", opinion=INTERNAL["l4"])
        decide(
            application,
            chain[1],
            "send_refusal_notice",
            opinion=SENT["refusal"],
            notice_number="京药不〔2026〕3号",
        )
    # The authority's side keeps every opinion.
    kept = set(audit.history(application).values_list("opinion", flat=True))
    assert {SENT["accept"], SENT["refusal"], INTERNAL["l2"], INTERNAL["l3"], INTERNAL["l4"]} <= kept

    url = reverse("drug_permits:detail", args=[application.number])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    history = page.split('id="history"')[1]
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", history.split("<tbody>")[1].split("</tbody>")[0])
    ]
    today = timezone.localdate().strftime("%Y-%m-%d")
    steps = [(r[1], r[2], r[3], r[4], r[5]) for r in rows if r[1] != "Document issued"]
    assert steps == [
        ("Submitted to the authority", "", "Pending acceptance", "", ""),
        ("Accepted", "Acceptance", "Pending first review", SENT["accept"], "京药受〔2026〕7号"),
        ("Reviewed: agree", "First review", "Pending second review", "", ""),
        ("Reviewed: disagree", "Second review", "Pending final decision", "", ""),
        ("Refused", "Final decision", "Refused, notice pending", "", ""),
        ("Refusal decision sent", "Acceptance", "Refused", SENT["refusal"], "京药不〔2026〕3号"),
    ], rows
    assert all(r[0].startswith(today) for r in rows)
    assert not leaks(page), leaks(page)
    # The approvers stay unnamed to the enterprise.
    for approver in (chain[1], chain[2], chain[3], chain[4]):
        assert approver.get_full_name() not in history

    # Everything else the enterprise reaches about this filing.
    reachable = [
        reverse("drug_permits:list"),
        reverse("my_filings"),
        reverse("drug_permits:status", args=[application.number]),
        reverse("notifications:list"),
    ]
    for address in reachable:
        response = client.get(address)
        assert response.status_code == 200, address
        assert not leaks(response.content), (address, leaks(response.content))
    assert application.number in client.get(reverse("notifications:list")).content.decode()

    # Its documents: the notices carry their own opinion, never another level's.
    notices = list(notices_of(application))
    assert len(notices) == 2
    texts = []
    for notice in notices:
        response = client.get(reverse("drug_permits:notice", args=[application.number, notice.pk]))
        assert response.status_code == 200
        texts.append(pdf_text(b"".join(response)))
    assert any(SENT["accept"] in t for t in texts) and any(SENT["refusal"] in t for t in texts)
    form = client.get(reverse("drug_permits:application-form", args=[application.number]))
    texts.append(pdf_text(b"".join(form)))
    for text in texts:
        assert not leaks(text), leaks(text)

    # The live pushes, the catch-up, the notification payloads and the webhook bodies.
    assert pushed, "nothing was pushed"
    assert not leaks(json.dumps([m for _g, m in pushed], ensure_ascii=False))
    events = Event.objects.filter(number=application.number)
    assert events.count() >= 6
    for event in events:
        assert not leaks(push.webhook_body(event))
        assert not leaks(json.dumps(event.payload("en"), ensure_ascii=False))
    assert not leaks(json.dumps(push.events_after(owner, 0), ensure_ascii=False, default=str))


@pytest.mark.django_db
def test_an_approval_opinion_without_a_notice_stays_internal(chain, owner, authority):
    client = english(client_for(owner))
    application = complete_draft(owner, authority)
    workflow.submit(filing=application, actor=owner, second_factor_verified=True)
    decide(
        application, chain[1], "accept", opinion=SENT["accept"], notice_number="京药受〔2026〕8号"
    )
    decide(application, chain[2], "review_agree", opinion=INTERNAL["l2"])
    decide(application, chain[3], "review_agree", opinion=INTERNAL["l3"])
    decide(application, chain[4], "approve", opinion=INTERNAL["approve"])
    application.refresh_from_db()
    certificate = application.certificate
    page = client.get(reverse("drug_permits:detail", args=[application.number])).content
    assert SENT["accept"] in page.decode() and "Approved" in page.decode()
    assert not leaks(page), leaks(page)
    for address in (
        reverse("drug_permits:certificate-detail", args=[certificate.number]),
        reverse("drug_permits:customs-status"),
        reverse("drug_permits:certificate-history"),
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        assert not leaks(response.content), address
    response = client.get(reverse("drug_permits:certificate", args=[application.number]))
    assert response.status_code == 200
    assert not leaks(pdf_text(b"".join(response)))


@pytest.mark.django_db
def test_internal_rows_are_left_out_and_opinions_blank_without_a_notice(chain, owner, authority):
    """The shared selector, for every system: rows named in ``audit.INTERNAL`` never reach
    the enterprise; an opinion reaches it only with a notice number."""
    application = complete_draft(owner, authority)
    workflow.submit(filing=application, actor=owner, second_factor_verified=True)
    internal = next(iter(audit.INTERNAL), None)
    assert internal, "audit.INTERNAL names the internal rows"
    audit.record(
        target=application,
        actor=chain[1],
        transition=internal,
        from_state=application.status,
        to_state=application.status,
        opinion=INTERNAL["l2"],
    )
    assert audit.history(application).filter(transition=internal).exists()
    steps = audit.history_for_enterprise(application)
    assert len(steps) == 1 and steps[0].opinion == ""
    assert steps[0].status_label and steps[0].actor_name  # the filer's own step is named
