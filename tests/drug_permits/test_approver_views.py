import pytest
from django.urls import reverse

from filings.selectors import attachments_of
from portal.drug_permits.models import DrugPermitApplication
from portal.drug_permits.models import DrugPermitStatus as S
from workflows import services

from ..conftest import client_for
from ..drug_permit_helpers import accept, complete_draft


def submitted(owner, authority):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    return application


def detail(application):
    return reverse("drug-permit:todo_detail", args=[application.number])


def decide(client, application, **data):
    data.setdefault("seen_status", DrugPermitApplication.objects.get(pk=application.pk).status)
    return client.post(detail(application), data)


@pytest.mark.django_db
def test_four_levels_decide_through_the_admin(chain, owner, authority):
    application = submitted(owner, authority)
    clients = {level: client_for(chain[level]) for level in range(1, 5)}
    todo = clients[1].get(reverse("drug-permit:todo")).content.decode()
    assert application.number in todo and "受理" in todo
    assert application.number not in clients[2].get(reverse("drug-permit:todo")).content.decode()

    # Acceptance needs the notice number: a clear message, nothing changes.
    response = decide(clients[1], application, decision="accept", opinion="齐全")
    assert response.status_code == 200 and "请填写通知书编号。" in response.content.decode()
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE

    response = decide(
        clients[1], application, decision="accept", opinion="齐全", notice_number="京受1号"
    )
    notice = application.notices.get()
    assert response["Location"] == reverse("drug-permit:notice", args=[notice.pk])
    decide(clients[2], application, decision="review_agree", opinion="同意")
    decide(clients[3], application, decision="review_agree", opinion="同意")
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
def test_a_decision_from_a_stale_page_says_who_handled_it(chain, owner, authority):
    application = submitted(owner, authority)
    stale = DrugPermitApplication.objects.get(pk=application.pk).status
    accept(application, chain[1])
    response = client_for(chain[1]).post(
        detail(application),
        {"decision": "not_accept", "opinion": "x", "notice_number": "2", "seen_status": stale},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "张受理" in html and "初审" in html  # who, and the status it has now
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.FIRST_REVIEW


@pytest.mark.django_db
def test_another_authority_cannot_see_or_act(chain, owner, authority):
    application = submitted(owner, authority)
    other = client_for(chain["other-l1"])
    attachment = attachments_of(application).first()
    for url in (
        detail(application),
        reverse("drug-permit:query_detail", args=[application.number]),
        reverse("drug-permit:attachment", args=[application.number, attachment.pk]),
        reverse("drug-permit:sign_off_pdf", args=[application.number]),
    ):
        assert other.get(url).status_code == 404, url
    assert (
        other.post(
            detail(application), {"decision": "not_accept", "opinion": "x", "notice_number": "1"}
        ).status_code
        == 404
    )
    assert application.number not in other.get(reverse("drug-permit:query")).content.decode()
    assert application.number not in other.get(reverse("drug-permit:todo")).content.decode()
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_level_one_marks_an_attachment_and_requests_supplement(chain, owner, authority):
    application = submitted(owner, authority)
    client = client_for(chain[1])
    attachment = attachments_of(application).first()
    client.post(detail(application), {"mark": attachment.pk})
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
def test_the_query_detail_is_read_only(chain, owner, authority):
    application = submitted(owner, authority)
    client = client_for(chain[1])
    url = reverse("drug-permit:query_detail", args=[application.number])
    html = client.get(url).content.decode()
    assert 'id="decision"' not in html and "Mark" not in html and "标记" not in html
    response = client.post(url, {"decision": "accept", "opinion": "x", "notice_number": "1"})
    assert response.status_code in (302, 403)  # Wagtail answers "no permission" with a redirect
    assert DrugPermitApplication.objects.get(pk=application.pk).status == S.PENDING_ACCEPTANCE
    assert 'id="decision"' in client.get(detail(application)).content.decode()


@pytest.mark.django_db
def test_the_approver_detail_shows_both_customs_districts(chain, owner, authority):
    from portal.reference.models import Port

    second = Port.objects.filter(is_designated_drug_port=True).exclude(code="2233").first()
    application = complete_draft(owner, authority, import_port_2=second)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    html = client_for(chain[1]).get(detail(application)).content.decode()
    assert str(application.import_port_1.customs_district) in html
    assert str(second.customs_district) in html


@pytest.mark.django_db
def test_the_to_do_list_searches_by_number_enterprise_direction_and_dates(chain, owner, authority):
    importing = submitted(owner, authority)
    exporting = complete_draft(
        owner, authority, direction="EXPORT", import_port_1=None, export_port_1="上海"
    )
    services.submit(filing=exporting, actor=owner, second_factor_verified=True)
    client = client_for(chain[1])
    url = reverse("drug-permit:todo")

    def shown(**query):
        html = client.get(url, query).content.decode()
        return {a.number for a in (importing, exporting) if a.number in html}

    assert shown() == {importing.number, exporting.number}
    assert shown(number=exporting.number[-4:]) == {exporting.number}
    assert shown(direction="EXPORT") == {exporting.number}
    assert shown(enterprise="甲公司") == {importing.number, exporting.number}
    assert shown(enterprise="乙公司") == set()
    assert shown(date_from="2000-01-01", date_to="2000-01-02") == set()
    response = client.get(url, {"date_from": "abc"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_application_query_shows_each_filings_review_history_with_real_names(
    chain, owner, authority
):
    application = submitted(owner, authority)
    accept(application, chain[1], number="京受9号", opinion="材料齐全")
    client = client_for(chain[3])
    html = client.get(reverse("drug-permit:query")).content.decode()
    url = reverse("drug-permit:history", args=[application.number])
    assert application.number in html and "审批记录" in html and f'data-history="{url}"' in html
    popup = client.get(url).content.decode()  # fetched when the pop-up opens
    assert "京受9号" in popup and "材料齐全" in popup and "张受理" in popup
    assert "bj-l1" not in popup
    assert client_for(chain["other-l1"]).get(url).status_code == 404


@pytest.mark.django_db
def test_a_resubmission_shows_what_changed_since_the_previous_submission(chain, owner, authority):
    from ..drug_permit_helpers import line, pdf

    application = submitted(owner, authority)
    marked = attachments_of(application).first()
    services.mark_attachment(filing=application, actor=chain[1], attachment=marked)
    decide(
        client_for(chain[1]),
        application,
        decision="request_supplement",
        opinion="请补正合同",
        notice_number="补7号",
    )
    html = client_for(chain[1]).get(detail(application)).content.decode()
    assert 'id="changes"' not in html  # one submission only: nothing to compare yet
    application.refresh_from_db()
    services.update_draft(filing=application, actor=owner, values={"remarks": "已补正合同"})
    services.add_line(filing=application, actor=owner, values=line(quantity="30"))
    services.delete_attachment(filing=application, actor=owner, attachment=marked)
    services.upload_attachment(
        filing=application,
        actor=owner,
        attachment_type=marked.attachment_type,
        uploaded_file=pdf("合同-补正.pdf"),
    )
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    html = client_for(chain[1]).get(detail(application)).content.decode()
    changes = html[html.index('id="changes"') : html.index('id="goods"')]
    assert "<ins>已补正合同</ins>" in changes  # the remarks, before and after
    assert "第 2 条商品信息" in changes  # the new line
    assert "30" in changes
    assert "合同-补正.pdf" in changes and marked.original_name in changes
