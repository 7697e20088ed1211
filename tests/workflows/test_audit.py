import pytest
from django.test import RequestFactory

from filings import audit
from filings.models import AuditEntry

from ..drug_permit_helpers import draft


@pytest.mark.django_db
def test_history_rows_are_recorded_in_order_and_append_only(chain, owner, authority):
    filing = draft(owner, authority)
    other = draft(owner, authority)
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    audit.record(target=filing, actor=owner, transition="submit", from_state="A", to_state="B")
    audit.record(
        target=filing,
        actor=chain[2],
        transition="review_agree",
        from_state="B",
        to_state="C",
        opinion="同意",
        notice_number="京药受〔2026〕1号",
        request=request,
    )
    audit.record(target=other, actor=None, transition="x", from_state="A", to_state="B")

    rows = list(audit.history(filing))
    assert [r.transition for r in rows] == ["submit", "review_agree"]
    assert rows[0].seat_level is None  # the enterprise holds no seat
    assert rows[1].seat_level == 2 and rows[1].ip_address == "10.1.2.3"
    assert rows[1].notice_number == "京药受〔2026〕1号" and rows[1].actor == chain[2]
    assert rows[1].filing_id == filing.pk and rows[1].actor_name == "李初审"
    assert rows[1].action_label in ("Reviewed: agree", "审核同意")
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=rows[0].pk).update(opinion="changed")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
