import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.selectors import attachments_of
from portal.drug_permits.models import DrugPermitApplication
from portal.drug_permits.models import DrugPermitStatus as S
from portal.reference.models import Country, DosageForm, HSCode, Port, Purpose
from workflows import services

from ..conftest import USCC_SHANGHAI, client_for, make_enterprise
from ..drug_permit_helpers import PDF, complete_draft, decide, decide_all


def header_post(authority, **overrides):
    data = {
        "authority": authority.pk,
        "purpose": Purpose.objects.get(code="MEDICAL").pk,
        "collection_method": "ON_SITE",
        "import_port_1": Port.objects.get(code="2233").pk,
        "remarks": "",
    }
    data.update(overrides)
    return data


def line_post(**overrides):
    data = {
        "form": "line",
        "hs_code": HSCode.objects.get(code="2937121000").pk,
        "drug_name_zh": "重组人胰岛素",
        "drug_name_en": "Recombinant human insulin",
        "dosage_form": DosageForm.objects.get(code="03").pk,
        "specification": "10ml:400IU",
        "quantity": "100",
        "unit": "支",
        "manufacturer": "Novo Nordisk A/S",
        "country": Country.objects.get(code="DK").pk,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_owner_files_an_import_application_through_the_pages(chain, owner_client, authority):
    response = owner_client.post(
        reverse("drug_permits:create") + "?direction=IMPORT", header_post(authority)
    )
    assert response.status_code == 302
    application = DrugPermitApplication.objects.get()
    url = reverse("drug_permits:detail", args=[application.number])
    assert response["Location"] == url

    # "Save and add" keeps the previous line's values for the next one.
    response = owner_client.post(url, {**header_post(authority), **line_post(), "form": "line_add"})
    assert response.status_code == 302 and "?copy=" in response["Location"]
    page = owner_client.get(response["Location"]).content.decode()
    assert 'value="10ml:400IU"' in page and "disabled" in page
    owner_client.post(
        url,
        {
            **header_post(authority, remarks="加行时一并暂存"),
            **line_post(quantity="5", drug_name_zh="被锁定的名字"),
        },
    )
    lines = list(application.goods_lines.all())
    assert [str(g.quantity) for g in lines] == ["100.000", "5.000"]
    assert lines[1].drug_name_zh == "重组人胰岛素"  # locked to the first line
    application.refresh_from_db()
    assert application.remarks == "加行时一并暂存"  # adding a line saved the header

    bad = owner_client.post(
        url.rstrip("/") + f"/attachments/{application.purpose.attachment_types.first().pk}/upload/",
        {"file": SimpleUploadedFile("x.pdf", b"not a pdf")},
        follow=True,
    )
    assert "只能上传PDF文件" in bad.content.decode()
    for kind in application.purpose.attachment_types.filter(required=True):
        owner_client.post(
            reverse("drug_permits:upload", args=[application.number, kind.pk]),
            {"file": SimpleUploadedFile(f"{kind.pk}.pdf", PDF)},
        )
    response = owner_client.post(reverse("drug_permits:submit", args=[application.number]))
    application.refresh_from_db()
    assert application.status == S.PENDING_ACCEPTANCE
    listing = owner_client.get(reverse("drug_permits:list"), {"status": "PENDING_ACCEPTANCE"})
    assert application.number in listing.content.decode()


@pytest.mark.django_db
def test_header_logic_checks_speak_chinese(chain, owner_client, authority):
    response = owner_client.post(
        reverse("drug_permits:create") + "?direction=IMPORT",
        header_post(
            authority,
            is_agent="on",
            principal_uscc="123",
            collection_method="MAIL",
            import_port_2=Port.objects.get(code="2233").pk,
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码应为18位" in html
    assert "委托企业名称" in html
    assert not DrugPermitApplication.objects.exists()


@pytest.mark.django_db
def test_without_trade_registration_the_module_is_blocked(chain, owner, owner_client):
    enterprise = owner.membership.enterprise
    enterprise.trade_registration_number = ""
    enterprise.save()
    response = owner_client.get(reverse("drug_permits:list"))
    assert response.status_code == 403
    assert "对外贸易经营者备案" in response.content.decode()


@pytest.mark.django_db
def test_another_enterprise_gets_404_on_every_url(chain, owner, authority):
    application = complete_draft(owner, authority)
    attachment = attachments_of(application).first()
    line = application.goods_lines.first()
    kind = application.purpose.attachment_types.first()
    stranger = client_for(make_enterprise(USCC_SHANGHAI, "sh-owner").user)
    n = application.number
    urls = [
        ("get", reverse("drug_permits:detail", args=[n])),
        ("post", reverse("drug_permits:submit", args=[n])),
        ("post", reverse("drug_permits:delete-line", args=[n, line.pk])),
        ("post", reverse("drug_permits:upload", args=[n, kind.pk])),
        ("post", reverse("drug_permits:delete-attachment", args=[n, attachment.pk])),
        ("get", reverse("drug_permits:download-attachment", args=[n, attachment.pk])),
    ]
    for method, url in urls:
        assert getattr(stranger, method)(url).status_code == 404, url
    response = stranger.post(reverse("drug_permits:action"), {"selected": [n], "action": "delete"})
    assert response.status_code == 404
    assert DrugPermitApplication.objects.filter(pk=application.pk).exists()
    assert n not in stranger.get(reverse("drug_permits:list")).content.decode()


@pytest.mark.django_db
def test_export_application_takes_free_text_ports(chain, owner_client, authority):
    url = reverse("drug_permits:create") + "?direction=EXPORT"
    data = header_post(authority)
    del data["import_port_1"]
    missing = owner_client.post(url, data)
    assert "此项为必填项。" in missing.content.decode()
    response = owner_client.post(url, {**data, "export_port_1": "上海"})
    assert response.status_code == 302
    application = DrugPermitApplication.objects.get()
    assert application.direction == "EXPORT" and application.export_port_1 == "上海"
    assert application.import_port_1 is None


@pytest.mark.django_db
def test_agent_without_the_module_is_refused(chain, owner):
    from portal.accounts import services

    invitation = services.invite_agent(
        owner=owner, name="无权", email="x@example.cn", modules=["AV_IMPORT"], accept_url_base=""
    )
    agent = services.accept_invitation(invitation=invitation, username="no-drug", password=None)
    assert client_for(agent.user).get(reverse("drug_permits:list")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "abc"},
        {"date_to": "2026-13-45"},
        {"status": "NO_SUCH_STATUS"},
        {"authority": "NOPE"},
        {"direction": "SIDEWAYS"},
        {"after": "not-a-cursor"},
        {"before": "eyJ4Ijo"},
        {"number": "x" * 5000},
    ],
)
def test_bad_filter_values_are_messages_not_errors(chain, owner, owner_client, authority, query):
    complete_draft(owner, authority)
    response = owner_client.get(reverse("drug_permits:list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    if "number" not in query:
        assert "未应用" in html or "无效" in html or "第一页" in html


@pytest.mark.django_db
def test_after_submitting_the_enterprise_still_sees_everything_it_filed(
    chain, owner, owner_client, authority
):
    application = complete_draft(owner, authority, remarks="含冷链运输", mail_address="")
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    html = owner_client.get(reverse("drug_permits:detail", args=[application.number])).content
    html = html.decode()
    for shown in ("含冷链运输", "医疗用途", "上海浦东国际机场", "重组人胰岛素", "Novo Nordisk A/S"):
        assert shown in html, shown
    assert 'name="remarks"' not in html  # read-only now
    for attachment in attachments_of(application):
        assert attachment.original_name in html


@pytest.mark.django_db
def test_delete_is_offered_only_on_attachments_that_may_be_deleted(
    chain, owner, owner_client, authority
):
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    marked, kept = list(attachments_of(application))[:2]
    services.mark_attachment(filing=application, actor=chain[1], attachment=marked)
    decide(application, chain[1], "request_supplement", opinion="补正", notice_number="补1")
    html = owner_client.get(reverse("drug_permits:detail", args=[application.number]))
    html = html.content.decode()
    assert reverse("drug_permits:delete-attachment", args=[application.number, marked.pk]) in html
    assert reverse("drug_permits:delete-attachment", args=[application.number, kept.pk]) not in html


@pytest.mark.django_db
def test_an_application_whose_certificate_is_void_shows_void(chain, owner, owner_client, authority):
    from customs import services as customs

    application = decide_all(owner, chain, authority)
    customs.void_certificate(certificate=application.certificate, actor=chain[1], reason="注销")
    listing = owner_client.get(reverse("drug_permits:list")).content.decode()
    assert "已作废" in listing
    detail = owner_client.get(reverse("drug_permits:detail", args=[application.number]))
    assert "已作废" in detail.content.decode()
