import pytest
from django.urls import reverse

from documents.models import DrugPermitApplication
from documents.models import DrugPermitStatus as S
from workflows import drug_permit as dp

from ..conftest import client_for
from ..drug_permit_helpers import complete_draft


def submitted(owner, authority):
    application = complete_draft(owner, authority)
    dp.submit(application=application, actor=owner)
    return application


def decide(client, application, **data):
    return client.post(reverse("drug_permit_detail", args=[application.number]), data)


@pytest.mark.django_db
def test_four_levels_decide_through_the_admin(chain, owner, authority):
    application = submitted(owner, authority)
    clients = {level: client_for(chain[level]) for level in range(1, 5)}
    todo = clients[1].get(reverse("drug_permit_todo")).content.decode()
    assert application.number in todo and "待受理" in todo
    assert application.number not in clients[2].get(reverse("drug_permit_todo")).content.decode()

    # Acceptance needs the notice number: a clear message, nothing changes.
    response = decide(clients[1], application, decision="accept", opinion="齐全")
    assert response.status_code == 200 and "请填写通知书编号。" in response.content.decode()
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE

    decide(clients[1], application, decision="accept", opinion="齐全", notice_number="京受1号")
    decide(clients[2], application, decision="agree", opinion="同意")
    decide(clients[3], application, decision="agree", opinion="同意")
    response = decide(clients[4], application, decision="approve", opinion="准予许可")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.APPROVED
    owner_page = client_for(owner).get(reverse("drug_permits:detail", args=[application.number]))
    assert application.certificate.number in owner_page.content.decode()


@pytest.mark.django_db
def test_a_level_cannot_decide_for_another(chain, owner, authority):
    application = submitted(owner, authority)
    response = decide(client_for(chain[2]), application, decision="accept", opinion="x")
    assert response.status_code in (302, 403)
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_another_authority_cannot_see_or_act(chain, owner, authority):
    application = submitted(owner, authority)
    other = client_for(chain["other-l1"])
    attachment = dp.attachments_of(application).first()
    for url in (
        reverse("drug_permit_detail", args=[application.number]),
        reverse("drug_permit_attachment", args=[application.number, attachment.pk]),
    ):
        assert other.get(url).status_code == 404
    assert (
        other.post(
            reverse("drug_permit_detail", args=[application.number]),
            {"decision": "not_accept", "opinion": "x", "notice_number": "1"},
        ).status_code
        == 404
    )
    assert application.number not in other.get(reverse("drug_permit_query")).content.decode()
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_level_one_marks_an_attachment_and_requests_supplement(chain, owner, authority):
    application = submitted(owner, authority)
    client = client_for(chain[1])
    attachment = dp.attachments_of(application).first()
    client.post(reverse("drug_permit_detail", args=[application.number]), {"mark": attachment.pk})
    attachment.refresh_from_db()
    assert attachment.needs_resubmission
    decide(client, application, decision="request_supplement", opinion="补正", notice_number="补1")
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.SUPPLEMENT_REQUIRED
    owner_page = client_for(owner).get(reverse("drug_permits:detail", args=[application.number]))
    assert "需补正" in owner_page.content.decode()


@pytest.mark.django_db
def test_notice_preview_before_the_decision(chain, owner, authority):
    application = submitted(owner, authority)
    client = client_for(chain[1])
    response = decide(
        client,
        application,
        decision="not_accept",
        opinion="材料不符合要求。",
        notice_number="京不受1号",
        preview="1",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="notice-preview"' in html
    assert "不予受理通知书" in html and "京不受1号" in html and "材料不符合要求。" in html
    # A preview decides nothing.
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_application_query_shows_each_filings_review_history(chain, owner, authority):
    application = submitted(owner, authority)
    dp.accept(
        application=DrugPermitApplication.objects.get(pk=application.pk),
        actor=chain[1],
        opinion="材料齐全",
        notice_number="京受9号",
    )
    html = client_for(chain[3]).get(reverse("drug_permit_query")).content.decode()
    assert application.number in html and "审批记录" in html
    assert "京受9号" in html and "材料齐全" in html
