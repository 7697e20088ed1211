"""The download tests again, against the object store (make test-services, moto's server):
the bytes still go through the scoped views, with the same headers; the store's own
(signed) addresses are never handed out."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.selectors import attachments_of
from workflows import services

from ..conftest import client_for
from ..drug_permit_helpers import complete_draft
from ..workflows.test_hostile_pdfs import pdf
from .test_download_headers import (  # noqa: F401  collected here too, under needs_s3
    PDF,
    served,
    test_a_pdf_uploaded_as_exe_or_html_downloads_as_pdf,
    test_approver_documents_exports_and_jobs,
    test_attachments_keep_their_chinese_name_and_detected_type,
    test_enterprise_documents_are_inline_pdfs,
    test_help_manuals_are_streamed_with_their_chinese_name,
    test_licence_and_av_attachments,
    test_nothing_redirects_to_the_store,
    test_templates_and_statistics_workbooks,
)

pytestmark = [pytest.mark.needs_s3, pytest.mark.django_db]


def test_an_attachment_in_the_bucket_is_streamed_not_redirected(chain, owner, authority):
    assert settings.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    filing = complete_draft(owner, authority)
    first = attachments_of(filing).first()
    services.delete_attachment(filing=filing, actor=owner, attachment=first)
    attachment = services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=first.attachment_type,
        uploaded_file=SimpleUploadedFile("进口药品注册证.pdf", pdf()),
    )
    # The store would hand out a signed address; the portal never does.
    assert "Signature=" in attachment.file.url
    url = reverse("drug_permits:download-attachment", args=[filing.number, attachment.pk])
    response = client_for(owner).get(url)
    assert response.streaming and "Location" not in response
    assert served(response, content_type=PDF, filename="进口药品注册证.pdf") == pdf()
