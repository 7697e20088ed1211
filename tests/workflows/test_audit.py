import pytest
from django.test import RequestFactory

from portal.reference.models import Authority
from workflows import audit
from workflows.models import AuditEntry


@pytest.mark.django_db
def test_history_rows_are_recorded_in_order_and_append_only(authority, approver_client):
    approver_client(level=2)
    from portal.accounts.models import User

    actor = User.objects.get(username="approver-2")
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    audit.record(target=authority, actor=actor, transition="submit", from_state="A", to_state="B")
    audit.record(
        target=authority,
        actor=actor,
        transition="accept",
        from_state="B",
        to_state="C",
        opinion="同意",
        notice_number="京药受〔2026〕1号",
        request=request,
    )
    other = Authority.objects.get(code="DA-310000")
    audit.record(target=other, actor=None, transition="x", from_state="A", to_state="B")

    rows = list(AuditEntry.objects.for_object(authority))
    assert [r.transition for r in rows] == ["submit", "accept"]
    assert rows[1].seat_level == 2 and rows[1].ip_address == "10.1.2.3"
    assert rows[1].notice_number == "京药受〔2026〕1号" and rows[1].actor == actor
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=rows[0].pk).update(opinion="changed")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
