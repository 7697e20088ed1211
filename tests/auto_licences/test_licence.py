"""Seed 004, its core: the pre-check, the application with its defaults and numbers, goods
lines, submit, revoke, both reviews, the electronic licence and its validity, customs."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customs import services as customs
from customs import xml
from documents.models import CustomsStatus
from filings.runner import AlreadyHandled
from portal.auto_licences.models import validity_end
from portal.reference.models import Currency, HSCode

from .. import auto_licence_helpers as lic
from ..conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chains(seeded):
    return lic.chains()


def url(name, *args):
    return reverse(f"auto_licences:{name}", args=args)


def precheck(client, *codes, port="2233"):
    data = {"year": timezone.localdate().year, "one_batch": "True", "port_1": port_pk(port)}
    for n, code in enumerate(codes, start=1):
        data[f"hs_code_{n}"] = HSCode.objects.get(code=code).pk
    return client.post(url("precheck"), data).content.decode()


def shown_values(html) -> dict:
    """The values of a page's form as a browser would post them (inputs and selections)."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and "disabled" not in tag and 'type="radio"' not in tag:
            values[name.group(1)] = value.group(1)
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen:
            values[name] = chosen.group(1)
    values.pop("csrfmiddlewaretoken", None)
    return values


def country(code):
    from portal.reference.models import Country

    return Country.objects.get(code=code).pk


def port_pk(code):
    from portal.reference.models import Port

    return Port.objects.get(code=code).pk


def test_precheck_answers_for_eligible_and_ineligible_goods(owner_client, chains):
    html = precheck(owner_client, lic.IRON_ORE)
    assert "可以申请电子许可证" in html
    link = re.search(r'href="([^"]*/auto-licences/new/\?[^"]*)"', html).group(1)
    query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert query["hs_code_1"] == [lic.IRON_ORE] and query["one_batch"] == ["1"]
    # A drug is not under this licence; crude oil is, but not electronically.
    html = precheck(owner_client, "2937121000", "2709000000")
    assert "不能签发电子许可证" in html
    assert "2937121000" in html and "不属于自动进口许可" in html
    assert "2709000000" in html and "不能申请电子许可证" in html
    assert "/auto-licences/new/?" not in html
    html = precheck(owner_client, lic.IRON_ORE, lic.IRON_ORE)
    assert "重复" in html


def test_entry_from_the_precheck_with_defaults_and_the_enterprise_filled(owner_client, chains):
    html = precheck(owner_client, lic.IRON_ORE)
    link = re.search(r'href="([^"]*/auto-licences/new/\?[^"]*)"', html).group(1)
    link = link.replace("&amp;", "&")
    page = owner_client.get(link).content.decode()
    assert "一般贸易" in page and "自用" in page and "CNY" in page
    assert 'value="甲公司"' in page and "91110108MA01C2D3XY" in page
    assert "2601120000" in page  # the pre-checked code, shown fixed
    # What the browser posts: every value the page shows, plus what the filer typed.
    response = owner_client.post(link, {**shown_values(page), "handler": "王经理"}, follow=True)
    html = response.content.decode()
    filing = lic.system().model.objects.get()
    assert re.fullmatch(r"NA\d{2}\d{13}", filing.number)
    assert filing.hs_code_1.code == lic.IRON_ORE and filing.trade_mode.code == "0110"
    assert filing.price_currency.code == "CNY" and filing.purpose.code == "OWN_USE"
    assert "申报前仍需完成" in html and "预计到港时间" in html


def test_the_precheck_is_a_rule_the_services_run(owner, chains):
    with pytest.raises(ValidationError) as error:
        lic.draft(owner, hs_code_1=HSCode.objects.get(code="2937121000"))
    assert "hs_code_1" in error.value.message_dict


def test_goods_lines_are_of_the_prechecked_codes_and_valued_in_dollars(owner, chains):
    filing = lic.draft(owner, price_currency=Currency.objects.get(code="EUR"))
    with pytest.raises(ValidationError) as error:
        lic.services.add_line(
            filing=filing,
            actor=owner,
            values=lic.line(hs_code=HSCode.objects.get(code="2709000000")),
        )
    assert "hs_code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lic.services.add_line(filing=filing, actor=owner, values=lic.line(total="1.00"))
    assert "total" in error.value.message_dict
    line = lic.services.add_line(filing=filing, actor=owner, values=lic.line())
    assert str(line.total_usd) == "113.40"  # 105.00 EUR × 1.08


def test_submit_assigns_the_bureau_number_and_revoke_returns_it(owner, chains):
    filing = lic.complete_draft(owner)
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert filing.status == "FIRST_REVIEW"
    # Two-digit year, region code and organisation code from the USCC, a sequence.
    assert re.fullmatch(
        rf"{timezone.localdate().year % 100:02d}1101MA01C2D3X\d{{6}}", filing.bureau_number
    )
    lic.services.withdraw(filing=filing, actor=owner)
    filing.refresh_from_db()
    assert filing.status == "REVOKED" and filing.is_editable
    lic.services.delete_draft(filing=filing, actor=owner)
    assert not lic.system().model.objects.filter(pk=filing.pk).exists()


def test_both_reviews_then_the_electronic_licence_goes_to_customs(owner, owner_client, chains):
    filing = lic.complete_draft(owner)
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    with pytest.raises(ValidationError):
        lic.services.decide(filing=filing, actor=chains[1], decision="first_reject")
    with pytest.raises((AlreadyHandled, Exception)):
        lic.services.decide(filing=filing, actor=chains[2], decision="second_pass")
    lic.services.decide(filing=filing, actor=chains[1], decision="first_pass")
    lic.services.decide(filing=filing, actor=chains[2], decision="second_pass")
    filing.refresh_from_db()
    certificate = filing.certificate
    assert filing.status == "ISSUED" and certificate.number.startswith(
        f"{timezone.localdate().year % 100:02d}-JK-"
    )
    assert certificate.valid_until == validity_end(issued=certificate.issue_date, year=filing.year)
    html = owner_client.get(url("detail", filing.number)).content.decode()
    assert "已生成电子许可证" in html and certificate.number in html
    message = customs.send_certificate(certificate=certificate, actor=chains[2])
    certificate.refresh_from_db()
    assert certificate.customs_status == CustomsStatus.SENT and message.body


def test_a_first_review_rejection_needs_a_reason_and_may_be_deleted(owner, chains):
    filing = lic.complete_draft(owner)
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    lic.services.decide(filing=filing, actor=chains[1], decision="first_reject", opinion="合同不全")
    filing.refresh_from_db()
    assert filing.status == "FIRST_REJECTED"
    lic.services.delete_draft(filing=filing, actor=owner)


@pytest.mark.parametrize(
    ("issued", "year", "until"),
    [
        (date(2026, 3, 10), 2026, date(2026, 9, 10)),
        (date(2026, 8, 15), 2026, date(2026, 12, 31)),  # never past the year's end
        (date(2026, 12, 20), 2027, date(2027, 6, 20)),  # next year's licence issued early
        (date(2026, 8, 31), 2027, date(2027, 2, 28)),  # the month's last day
    ],
)
def test_validity_is_six_months_within_the_licence_year(issued, year, until):
    assert validity_end(issued=issued, year=year) == until


def test_another_enterprise_and_another_bureau_get_404(owner, other_owner, chains):
    filing = lic.complete_draft(owner)
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    assert client_for(other_owner).get(url("detail", filing.number)).status_code == 404
    other = client_for(chains["other-l1"])
    path = reverse("auto-licence:todo_detail", args=[filing.number])
    assert other.get(path).status_code == 404


def test_copy_n_times_from_any_status(owner, owner_client, chains):
    filing = lic.issued(owner, chains)
    response = owner_client.post(
        url("action"), {"action": "copy", "selected": filing.number, "copies": "3"}, follow=True
    )
    assert "已复制为" in response.content.decode()
    copies = lic.system().model.objects.exclude(pk=filing.pk)
    assert copies.count() == 3 and {c.status for c in copies} == {"DRAFT"}
    assert all(c.goods_lines.count() == 1 and not c.bureau_number for c in copies)
    # The contract tables come along (the source keeps its own).
    assert all(c.contract.contract_number == "HT-2026-001" for c in copies)
    assert all(c.iron_ore.rows.get().name == "PB粉" for c in copies)
    assert filing.contract.pk not in {c.contract.pk for c in copies}
    for bad in ("0", "100", "三"):
        response = owner_client.post(
            url("action"), {"action": "copy", "selected": filing.number, "copies": bad}, follow=True
        )
        assert "1 至 99 之间的整数" in response.content.decode()
    assert lic.system().model.objects.count() == 4


def test_attachments_are_pdf_jpeg_or_png_by_content_at_most_1_mb(owner, chains):
    from django.core.files.uploadedfile import SimpleUploadedFile

    filing = lic.complete_draft(owner)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    lic.services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=None,
        uploaded_file=SimpleUploadedFile("scan.png", png),
    )
    for name, content, message in (
        ("contract.pdf", b"just text, renamed", "只能上传 PDF、JPEG、PNG"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024), "1 MB"),
    ):
        with pytest.raises(ValidationError) as error:
            lic.services.upload_attachment(
                filing=filing,
                actor=owner,
                attachment_type=None,
                uploaded_file=SimpleUploadedFile(name, content),
            )
        assert message in " ".join(error.value.messages)
    assert filing.attachments.count() == 1


def test_the_application_form_prints_the_numbered_fields(owner, owner_client, chains):
    import io

    from pypdf import PdfReader

    filing = lic.issued(owner, chains)
    response = owner_client.get(url("application-form", filing.number))
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\n", "")
    assert "自动进口许可证申请表" in text
    for label in ("1.申请进口单位", "14.商品代码", "21.总值折美元", "22.总计", "24.签证机关审批"):
        assert label in text.replace(" ", ""), label
    assert filing.bureau_number in text and filing.certificate.number in text
    assert "Fe 62%" in text and "2601120000" in text


def declare(client, number, declaration, quantity="10", day=None):
    """Customs writes off a declaration against the licence (a signed WriteOff message)."""
    body = xml.write_off(
        message_id=xml.new_message_id(),
        declaration_number=declaration,
        declaration_date=day or timezone.localdate(),
        port_code="2233",
        documents=[("AUTO_IMPORT_LICENCE", number, [(1, quantity, 1)])],
    )
    return post_inbound(client, body)


def post_inbound(client, body: bytes):
    """Customs' signed message to the portal's inbound endpoint."""
    headers = xml.signed_headers(settings.CUSTOMS_SECRET, body)
    response = client.post(
        "/customs/inbound/",
        data=body,
        content_type="application/xml",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    assert response.status_code == 200, response.content
    return response


@pytest.mark.parametrize(("one_batch", "allowed"), [(True, 1), (False, 6)])
def test_a_licence_is_declared_once_or_at_most_six_times(owner, chains, client, one_batch, allowed):
    from customs.models import WriteOff

    filing = lic.complete_draft(owner, one_batch=one_batch)
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    lic.services.decide(filing=filing, actor=chains[1], decision="first_pass")
    lic.services.decide(filing=filing, actor=chains[2], decision="second_pass")
    certificate = lic.system().model.objects.get(pk=filing.pk).certificate
    for n in range(allowed + 1):
        declare(client, certificate.number, f"2233202600000{n:05d}")
    declare(client, certificate.number, "223320260000000000")  # a repeat changes nothing
    flags = list(WriteOff.objects.order_by("pk").values_list("exceeds_uses", flat=True))
    assert flags == [False] * allowed + [True]
    ledger = client_for(owner).get(url("write-offs")).content.decode()
    assert ledger.count("超出使用次数") == 1
    late = certificate.valid_until + timedelta(days=1)
    declare(client, certificate.number, "223320269999999999", day=late)
    assert WriteOff.objects.get(declaration_number="223320269999999999").after_validity


def test_batch_submit_and_delete_report_each_item(owner, owner_client, chains):
    ready = lic.complete_draft(owner)
    incomplete = lic.draft(owner)  # no goods, no contract table
    pending = lic.complete_draft(owner)
    lic.services.submit(filing=pending, actor=owner, second_factor_verified=True)
    numbers = [ready.number, incomplete.number, pending.number]
    html = owner_client.post(
        url("action"), {"action": "submit", "selected": numbers}, follow=True
    ).content.decode()
    assert f"已申报：{ready.number}。" in html
    assert f"{incomplete.number}：" in html and "请至少录入一条商品信息" in html
    assert f"{pending.number}：" in html
    html = owner_client.post(
        url("action"), {"action": "delete", "selected": numbers}, follow=True
    ).content.decode()
    assert f"已删除：{incomplete.number}。" in html
    assert f"{ready.number}：只能删除暂存状态的申请单" in html
    remaining = set(lic.system().model.objects.values_list("number", flat=True))
    assert remaining == {ready.number, pending.number}


def test_monthly_statistics_match_sums_by_hand(owner, owner_client, chains):
    import io

    from openpyxl import load_workbook

    beef = HSCode.objects.get(code="0201100000")
    lic.issued(owner, chains)  # iron ore: 1000 kg, 105.00 USD
    second = lic.complete_draft(owner)
    lic.services.add_line(
        filing=second, actor=owner, values=lic.line(quantity="500", total="52.50")
    )
    lic.services.submit(filing=second, actor=owner, second_factor_verified=True)
    lic.services.decide(filing=second, actor=chains[1], decision="first_pass")
    lic.services.decide(filing=second, actor=chains[2], decision="second_pass")
    other = lic.draft(owner, hs_code_1=beef)  # never submitted: not counted
    lic.services.add_line(filing=other, actor=owner, values=lic.line(hs_code=beef))
    today = timezone.localdate()
    query = {"year": today.year, "month": today.month}
    html = owner_client.get(url("statistics"), query).content.decode()
    row = re.search(r'<tr data-code="2601120000">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    # By hand: 1000 + 1000 + 500 kg; 105.00 + 105.00 + 52.50 USD; two applications.
    assert cells[3:] == ["2500", "262.50", "2", "2500", "262.50", "2"]
    assert "0201100000" not in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "statistics-data" in html
    # The seed's filters: issuing bureau, trade mode, trading country.
    for chosen, counted in (
        ({"authority": lic.BUREAU}, True),
        ({"authority": "LB-310000"}, False),
        ({"trade_mode": "0110"}, True),
        ({"trade_mode": "0214"}, False),
        ({"trade_country": country("AU")}, True),
        ({"trade_country": country("BR")}, False),
    ):
        lic.other_bureau()  # a second bureau to choose
        page = owner_client.get(url("statistics"), {**query, **chosen}).content.decode()
        assert ('data-code="2601120000"' in page) is counted, chosen
    for bad in ({"trade_mode": "nope"}, {"trade_country": "nope"}):
        wrong = owner_client.get(url("statistics"), {**query, **bad})
        assert wrong.status_code == 200 and "选择一个有效的选项" in wrong.content.decode()
    response = owner_client.get(url("statistics"), {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:6] == [
        "2601120000",
        "已烧结铁矿砂及其精矿",
        "千克",
        2500,
        262.5,
        2,
    ]
    bad = owner_client.get(url("statistics"), {"year": "abc", "month": "13", "hs_code": "x"})
    assert bad.status_code == 200 and "请输入 2 到 10 位商品编码" in bad.content.decode()


def test_the_query_filters_of_the_seed_and_its_columns(owner, owner_client, chains):
    from portal.reference.models import TradeMode

    licence = lic.issued(owner, chains)
    other = lic.complete_draft(owner, import_user_name="乙用户", import_user_code="X123")
    other.trade_mode = TradeMode.objects.exclude(code="0110").order_by("code").first()
    other.save()

    def shown(**query):
        html = owner_client.get(url("list"), query).content.decode()
        return {n for n in (licence.number, other.number) if f'data-number="{n}"' in html}, html

    assert shown()[0] == {licence.number, other.number}
    assert shown(import_user_name="乙")[0] == {other.number}
    assert shown(import_user_code="x12")[0] == {other.number}
    assert shown(trade_mode="0110")[0] == {licence.number}
    assert shown(licence_number=licence.certificate.number)[0] == {licence.number}
    assert shown(bureau_number=licence.bureau_number[-6:])[0] == {licence.number}
    assert shown(year=str(timezone.localdate().year + 5))[0] == set()
    found, html = shown(number=licence.number)
    row = re.search(rf'<tr data-number="{licence.number}">(.*?)</tr>', html, re.S).group(1)
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    # Bureau number, licence number, goods, quantity, unit, US dollars (the seed's columns).
    assert cells[2:8] == [
        licence.bureau_number,
        licence.certificate.number,
        "已烧结铁矿砂及其精矿",
        "1000",
        "千克",
        "105.00",
    ]
    for bad in ({"trade_mode": "nope"}, {"year": "二〇二六"}):
        response = owner_client.get(url("list"), bad)
        assert response.status_code == 200 and "error" in response.content.decode()


def test_batch_print_makes_one_pdf_of_the_selected_forms(owner, other_owner, owner_client, chains):
    import io

    import pypdf

    first, second = lic.complete_draft(owner), lic.issued(owner, chains)
    single = owner_client.get(url("application-form", first.number))
    one_form = len(pypdf.PdfReader(io.BytesIO(single.content)).pages)
    response = owner_client.post(
        url("action"), {"action": "print", "selected": [first.number, second.number]}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(page.extract_text() for page in pages)
    assert len(pages) >= 2 * one_form and first.number in text and second.number in text
    stranger = client_for(other_owner)
    selected = {"action": "print", "selected": [first.number]}
    assert stranger.post(url("action"), selected).status_code == 404


def customs_answers(client, certificate, message, *, accepted):
    """Customs' signed receipt for the message that carried the licence."""
    body = xml.receipt(
        message_id=xml.new_message_id(),
        in_reply_to=message.message_id,
        system="AUTO_IMPORT_LICENCE",
        number=certificate.number,
        accepted=accepted,
        reason="" if accepted else "商品编码不符",
        received_at=timezone.now(),
    )
    post_inbound(client, body)


def test_customs_status_clearance_and_history_queries(
    owner, other_owner, owner_client, client, chains
):
    stored, refused, waiting, unsent = (lic.issued(owner, chains) for _ in range(4))
    for filing, accepted in ((stored, True), (refused, False)):
        message = customs.send_certificate(certificate=filing.certificate, actor=chains[2])
        customs_answers(client, filing.certificate, message, accepted=accepted)
    customs.send_certificate(certificate=waiting.certificate, actor=chains[2])
    declare(client, stored.certificate.number, "223320260000000077", quantity="400")

    html = owner_client.get(url("customs-status")).content.decode()
    said = {
        filing.certificate.number: re.search(
            rf'data-certificate="{filing.certificate.number}">.*?class="customs-status">([^<]*)<',
            html,
            re.S,
        ).group(1)
        for filing in (stored, refused, waiting, unsent)
    }
    # The seed's words: 海关入库成功 / 海关入库失败 / 暂未到达海关, and "—" before sending.
    assert said == {
        stored.certificate.number: "海关入库成功",
        refused.certificate.number: "海关入库失败",
        waiting.certificate.number: "暂未到达海关",
        unsent.certificate.number: "—",
    }
    only = owner_client.get(url("customs-status"), {"customs": "ACCEPTED"}).content.decode()
    assert stored.certificate.number in only and refused.certificate.number not in only
    bad = owner_client.get(url("customs-status"), {"year": "x", "customs": "nope"})
    assert bad.status_code == 200

    # 结关数据查询: the licence number opens its declarations and what remains.
    response = owner_client.get(url("clearance"), {"number": stored.certificate.number.lower()})
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert "223320260000000077" in page and "600" in page  # 1000 licensed, 400 written off
    missing = owner_client.get(url("clearance"), {"number": "26-JK-999999"}).content.decode()
    assert "26-JK-999999" in missing and "许可证" in missing

    # 历史数据查询: a void licence stays findable there, not in the customs status query.
    customs.void_certificate(certificate=unsent.certificate, actor=chains[2], reason="重复")
    history = owner_client.get(url("certificate-history")).content.decode()
    assert unsent.certificate.number in history and "已作废" in history
    assert unsent.certificate.number not in owner_client.get(url("customs-status")).content.decode()

    # Another enterprise sees none of it.
    stranger = client_for(other_owner)
    for name in ("customs-status", "certificate-history"):
        assert stored.certificate.number not in stranger.get(url(name)).content.decode()
    assert stranger.get(url("clearance"), {"number": stored.certificate.number}).status_code == 200


def test_refresh_approval_status_answers_the_status_now(owner, owner_client, chains):
    filing = lic.complete_draft(owner)
    page = owner_client.get(url("detail", filing.number)).content.decode()
    assert "data-refresh-status" not in page  # a draft has no approval status to ask for
    lic.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    page = owner_client.get(url("detail", filing.number)).content.decode()
    assert f'data-refresh-status="{url("status", filing.number)}"' in page
    assert owner_client.get(url("status", filing.number)).json()["label"] == "待初审"
    lic.services.decide(filing=filing, actor=chains[1], decision="first_pass")
    lic.services.decide(filing=filing, actor=chains[2], decision="second_pass")
    now = owner_client.get(url("status", filing.number)).json()
    assert now["label"] == "已生成电子许可证" and now["certificate"]
    assert now["customs"] == "未发往海关"


def test_status_push_covers_the_licence(
    owner, owner_client, chains, django_capture_on_commit_callbacks
):
    from notifications.models import Notification, Subscription

    chosen, other = lic.complete_draft(owner), lic.complete_draft(owner)
    with django_capture_on_commit_callbacks(execute=True):
        lic.services.submit(filing=chosen, actor=owner, second_factor_verified=True)
        lic.services.submit(filing=other, actor=owner, second_factor_verified=True)
    page = owner_client.get("/notifications/subscriptions/").content.decode()
    assert chosen.number in page and other.number in page  # offered beside other systems'
    owner_client.post(
        "/notifications/subscriptions/",
        {"scope": "chosen", "applications": [chosen.number], "channels": ["BROWSER"]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        lic.services.decide(filing=chosen, actor=chains[1], decision="first_pass")
        lic.services.decide(filing=other, actor=chains[1], decision="first_pass")
    told = Notification.objects.filter(user=owner)
    assert [n.event.number for n in told] == [chosen.number]
    assert "待复审" in told.get().event.status_label
    ids = list(Subscription.objects.filter(user=owner).values_list("pk", flat=True))
    owner_client.post("/notifications/subscriptions/", {"action": "cancel", "selected": ids})
    with django_capture_on_commit_callbacks(execute=True):
        lic.services.decide(filing=chosen, actor=chains[2], decision="second_pass")
    assert Notification.objects.filter(user=owner).count() == 1
