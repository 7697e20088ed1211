"""Every kind of download the portal serves, through HTTP: still scoped, the bytes streamed
through the portal (never a redirect to the store), the right type, ``nosniff``, and a
``Content-Disposition`` that carries a Chinese name as RFC 6266 ``filename*=UTF-8''…``.

Under ``make test-services`` (PORTAL_S3_* set, moto's server) the same tests run against
the object store; ``test_download_headers_s3`` runs them there on purpose."""

import io
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from wagtail.documents.models import Document

from documents import jobs
from documents.models import DocumentJob
from filings import registry
from filings.selectors import attachments_of
from portal.reference.models import Module
from workflows import services

from .. import auto_licence_helpers as licence
from .. import av_import_helpers as av
from ..conftest import client_for
from ..drug_permit_helpers import complete_draft, decide_all
from ..workflows.test_hostile_pdfs import pdf as plain_pdf

pytestmark = pytest.mark.django_db

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHINESE = "营业执照（副本） 2026.pdf"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def served(response, *, content_type: str, filename: str | None = None, inline=False) -> bytes:
    """The checks every download passes; returns its bytes."""
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert response["Content-Type"].split(";")[0] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.split(";")[0] == ("inline" if inline else "attachment")
    if filename is not None:
        if filename.isascii():
            assert f'filename="{filename}"' in disposition, disposition
        else:
            assert f"filename*=utf-8''{quote(filename)}" in disposition.replace(
                "UTF-8''", "utf-8''"
            ), disposition
    assert "\n" not in disposition and "\r" not in disposition
    data = body(response)
    assert data, "a download has bytes"
    if content_type == PDF:
        assert data.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(data)).pages) >= 1
    if content_type == XLSX:
        load_workbook(io.BytesIO(data), read_only=True).close()
    return data


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_attachments_keep_their_chinese_name_and_detected_type(chain, owner, authority):
    filing = complete_draft(owner, authority)
    content = plain_pdf()
    # Replace one the helper uploaded by a file with a Chinese name.
    attachment = attachments_of(filing).first()
    services.delete_attachment(filing=filing, actor=owner, attachment=attachment)
    chinese = services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=attachment.attachment_type,
        uploaded_file=SimpleUploadedFile(CHINESE, content),
    )
    owner_client = _english(client_for(owner))
    url = reverse("drug_permits:download-attachment", args=[filing.number, chinese.pk])
    assert served(owner_client.get(url), content_type=PDF, filename=CHINESE) == content

    # The approver reads it through its own page, scoped to its authority.
    services.submit(filing=filing, actor=owner, second_factor_verified=True)
    approver = reverse("drug-permit:attachment", args=[filing.number, chinese.pk])
    assert served(client_for(chain[1]).get(approver), content_type=PDF, filename=CHINESE) == (
        content
    )
    assert client_for(chain["other-l1"]).get(approver).status_code == 404


def test_a_pdf_uploaded_as_exe_or_html_downloads_as_pdf(owner, chain, authority):
    filing = complete_draft(owner, authority)
    attachment = attachments_of(filing).first()
    kind = attachment.attachment_type
    client = client_for(owner)
    for given, shown in (("evil.exe", "evil.exe.pdf"), ("../../x.html", "x.html.pdf")):
        services.delete_attachment(
            filing=filing, actor=owner, attachment=attachments_of(filing).get(attachment_type=kind)
        )
        uploaded = services.upload_attachment(
            filing=filing,
            actor=owner,
            attachment_type=kind,
            uploaded_file=SimpleUploadedFile(given, plain_pdf()),
        )
        url = reverse("drug_permits:download-attachment", args=[filing.number, uploaded.pk])
        served(client.get(url), content_type=PDF, filename=shown)


def test_licence_and_av_attachments(owner):
    licence.chains()
    filing = licence.complete_draft(owner)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    scan = services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=None,
        uploaded_file=SimpleUploadedFile("合同扫描件.png", png),
    )
    client = client_for(owner)
    ns = licence.system().url_namespace
    url = reverse(f"{ns}:download-attachment", args=[filing.number, scan.pk])
    assert served(client.get(url), content_type="image/png", filename="合同扫描件.png") == png

    av.chains()
    draft = av.draft(owner)
    services.add_line(filing=draft, actor=owner, values=av.line())
    listing = services.upload_attachment(
        filing=draft, actor=owner, attachment_type=None, uploaded_file=av.attachment_list()
    )
    url = reverse(
        f"{av.system().url_namespace}:download-attachment", args=[draft.number, listing.pk]
    )
    served(client.get(url), content_type=XLSX, filename="附件清单.xlsx")


def test_enterprise_documents_are_inline_pdfs(chain, owner, authority):
    application = decide_all(owner, chain, authority)
    notice = application.notices.get()
    client = client_for(owner)
    number = application.number
    certificate = application.certificate.number
    for url, name in (
        (f"/drug-permits/{number}/application-form/", f"application-{number}.pdf"),
        (f"/drug-permits/{number}/notices/{notice.pk}/", f"notice-{notice.pk}.pdf"),
        (f"/drug-permits/{number}/certificate/", f"{certificate}.pdf"),
        (
            reverse("drug_permits:certificate-pdf", args=[certificate]),
            f"{certificate}.pdf",
        ),
    ):
        served(client.get(url), content_type=PDF, filename=name, inline=True)
        assert client_for(chain["other-l1"]).get(url).status_code in (403, 404)
    printed = client.post(reverse("drug_permits:action"), {"selected": [number], "action": "print"})
    served(printed, content_type=PDF, filename="applications.pdf", inline=True)


def test_approver_documents_exports_and_jobs(
    chain, owner, authority, monkeypatch, django_capture_on_commit_callbacks
):
    application = decide_all(owner, chain, authority)
    notice = application.notices.get()
    client = client_for(chain[1])
    number, certificate = application.number, application.certificate.number
    for url in (
        f"/admin/drug-permit/notices/{notice.pk}/pdf/",
        f"/admin/drug-permit/sign-off/{number}/pdf/",
        f"/admin/drug-permit/certificates/{certificate}/pdf/",
        f"/admin/drug-permit/certificates/{certificate}/pdf/?mode=OVERLAY",
    ):
        served(client.get(url), content_type=PDF, inline=True)
        assert client_for(chain["other-l1"]).get(url).status_code == 404

    export = client.post("/admin/drug-permit/query/", {})
    served(export, content_type=XLSX)
    assert re.search(r'filename="applications-\d{8}-\d{4}\.xlsx"', export["Content-Disposition"])

    # Past the inline size, a job: its file is its owner's alone, served the same way.
    monkeypatch.setattr(jobs, "INLINE_EXPORT_ROWS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/drug-permit/certificates/", {"action": "export"})
    job = DocumentJob.objects.get(state=DocumentJob.State.DONE)
    download = reverse("documents_job_download", args=[job.pk])
    served(client.get(download), content_type=XLSX, filename=job.file_name)
    assert client_for(chain[2]).get(download).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/drug-permit/notices/", {"selected": [notice.pk]})
    printed = DocumentJob.objects.exclude(pk=job.pk).get()
    served(
        client.get(reverse("documents_job_download", args=[printed.pk])),
        content_type=PDF,
        filename=printed.file_name,
        inline=True,
    )


def test_templates_and_statistics_workbooks(owner):
    client = client_for(owner)
    av_ns = av.system().url_namespace
    served(
        client.get(reverse(f"{av_ns}:line-template")),
        content_type=XLSX,
        filename=f"{av.system().slug}-goods-template.xlsx",
    )
    served(
        client.get(reverse(f"{av_ns}:attachment-template")),
        content_type=XLSX,
        filename=f"{av.system().slug}-attachments-template.xlsx",
    )
    system = registry.get(Module.AUTO_IMPORT_LICENCE)
    response = client.get(
        reverse(f"{system.url_namespace}:statistics"),
        {"year": 2026, "month": 11, "format": "xlsx"},
    )
    served(response, content_type=XLSX, filename="statistics-2026-11.xlsx")


def test_help_manuals_are_streamed_with_their_chinese_name(client):
    manual = Document(title="出口药品档案信息采集操作手册")
    manual.file.save("出口药品档案操作手册.pdf", ContentFile(plain_pdf()), save=False)
    manual.save()
    response = client.get(manual.url)
    name = manual.filename
    assert not name.isascii()
    # Wagtail's own view streams it (WAGTAILDOCS_SERVE_METHOD, never a redirect to the
    # store), as a download named in full (WAGTAILDOCS_INLINE_CONTENT_TYPES), and nothing
    # in it may run.
    served(response, content_type=PDF, filename=name)
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_nothing_redirects_to_the_store(chain, owner, authority):
    """The attachment's page never hands out a storage URL (signed or not)."""
    filing = complete_draft(owner, authority)
    page = client_for(owner).get(reverse("drug_permits:detail", args=[filing.number]))
    html = page.content.decode()
    for attachment in attachments_of(filing):
        assert attachment.file.name not in html
    assert "Signature=" not in html and "AWSAccessKeyId" not in html and "/media/" not in html
