"""Uploads: each system's own size limit, refused by the service with the limit named (a
file exactly at the limit is accepted); stored names are ours, from the detected type,
never the user's; the user's name is kept only to show, cleaned."""

import io
import re
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter

from filings import registry
from filings.selectors import attachments_of
from portal import files
from portal.reference.models import Module
from workflows import services

from .. import av_import_helpers as av
from ..systems import SCENARIOS

pytestmark = pytest.mark.django_db

STORED = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|jpg|xlsx)$")


def padded_pdf(size: int) -> bytes:
    """A plain, valid PDF of exactly ``size`` bytes (a comment after the header pads it)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    head, rest = out.getvalue().split(b"\n", 1)
    pad = size - len(head) - len(rest) - 3
    assert pad >= 0
    data = head + b"\n%" + b"0" * pad + b"\n" + rest
    assert len(data) == size
    return data


def padded_png(size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0" * (size - 8)


def padded_xlsx(size: int) -> bytes:
    """The attachment list as a workbook of exactly ``size`` bytes: a stored (uncompressed)
    part no reader looks at pads the archive."""
    base = zipfile.ZipFile(io.BytesIO(av.attachment_list().read()))

    def build(pad: int) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in base.infolist():
                archive.writestr(member, base.read(member.filename))
            archive.writestr(
                zipfile.ZipInfo("docProps/padding.xml", (2026, 1, 1, 0, 0, 0)),
                b" " * pad,
                compress_type=zipfile.ZIP_STORED,
            )
        return out.getvalue()

    data = build(size - len(build(0)))
    assert len(data) == size
    return data


def _drug_permit(owner):
    SCENARIOS[Module.DRUG_PERMIT].chains()  # the authority's settings, which drafts need
    filing = SCENARIOS[Module.DRUG_PERMIT].draft(owner, SCENARIOS[Module.DRUG_PERMIT].authority())
    kind = filing.purpose.attachment_types.filter(required=True).first()
    return filing, kind, padded_pdf


def _av_import(owner):
    SCENARIOS[Module.AV_IMPORT].chains()
    filing = av.draft(owner)
    services.add_line(filing=filing, actor=owner, values=av.line())
    return filing, None, padded_xlsx


def _licence(owner):
    scenario = SCENARIOS[Module.AUTO_IMPORT_LICENCE]
    scenario.chains()
    return scenario.draft(owner, scenario.authority()), None, padded_png


# How a test gets a draft of each system taking attachments, the attachment type to upload
# under, and a valid file of a given size.  A new system adds its line here.
UPLOADS = {
    Module.DRUG_PERMIT: _drug_permit,
    Module.AV_IMPORT: _av_import,
    Module.AUTO_IMPORT_LICENCE: _licence,
}
WITH_ATTACHMENTS = [s.key for s in registry.all_systems() if s.attachments]


def test_every_system_taking_attachments_declares_its_limit():
    assert WITH_ATTACHMENTS and set(WITH_ATTACHMENTS) <= set(UPLOADS)
    for key in WITH_ATTACHMENTS:
        assert registry.get(key).attachment_max_bytes, key
    # The licence keeps seed 004's limit of 1 MB.
    assert registry.get(Module.AUTO_IMPORT_LICENCE).attachment_limit == 1024 * 1024


@pytest.mark.parametrize("key", WITH_ATTACHMENTS)
def test_the_service_refuses_a_file_over_the_systems_limit(key, owner):
    system = registry.get(key)
    limit = system.attachment_limit
    filing, kind, build = UPLOADS[key](owner)
    before = attachments_of(filing).count()
    with pytest.raises(ValidationError) as error:
        services.upload_attachment(
            filing=filing,
            actor=owner,
            attachment_type=kind,
            uploaded_file=SimpleUploadedFile("big.bin", build(limit + 1)),
        )
    # The message keeps its value and is rendered where it is shown, in that language.
    mb = system.attachment_limit_mb
    with translation.override("en"):
        assert error.value.message_dict["file"] == [f"An attachment may be at most {mb} MB."]
    with translation.override("zh-hans"):
        assert error.value.message_dict["file"] == [f"单个附件不能超过 {mb} MB。"]
    assert attachments_of(filing).count() == before

    at_limit = services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=kind,
        uploaded_file=SimpleUploadedFile("exactly.bin", build(limit)),
    )
    at_limit.refresh_from_db()
    assert at_limit.size == limit and at_limit.file.size == limit
    assert STORED.match(at_limit.file.name), at_limit.file.name
    assert at_limit.original_name == "exactly.bin"


@pytest.mark.parametrize("key", WITH_ATTACHMENTS)
def test_a_system_without_its_own_limit_takes_the_portals(key, owner, monkeypatch):
    system = registry.get(key)
    own = system.attachment_limit
    monkeypatch.setattr(system, "attachment_max_bytes", None)
    with override_settings(ATTACHMENT_MAX_BYTES=own // 2 + 7):
        limit = settings.ATTACHMENT_MAX_BYTES
        assert system.attachment_limit == limit
        filing, kind, build = UPLOADS[key](owner)
        with pytest.raises(ValidationError):
            services.upload_attachment(
                filing=filing,
                actor=owner,
                attachment_type=kind,
                uploaded_file=SimpleUploadedFile("big.bin", build(limit + 1)),
            )
        services.upload_attachment(
            filing=filing,
            actor=owner,
            attachment_type=kind,
            uploaded_file=SimpleUploadedFile("ok.bin", build(limit)),
        )


def test_the_upload_page_states_the_limit_and_the_view_refuses_with_it(owner, owner_client):
    system = registry.get(Module.AUTO_IMPORT_LICENCE)
    filing, _kind, build = _licence(owner)
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    detail = reverse(f"{system.url_namespace}:detail", args=[filing.number])
    page = owner_client.get(detail).content.decode()
    assert f'data-attachment-limit="{1024 * 1024}"' in page
    assert "An attachment may be at most 1 MB." in page
    response = owner_client.post(
        reverse(f"{system.url_namespace}:upload-free", args=[filing.number]),
        {"file": SimpleUploadedFile("scan.png", build(1024 * 1024 + 1))},
        follow=True,
    )
    assert response.status_code == 200
    assert "An attachment may be at most 1 MB." in response.content.decode()
    assert not attachments_of(filing).exists()


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("evil.exe", "evil.exe"),
        ("../../x.html", "x.html"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("营业执照\u202egpj.exe", "营业执照gpj.exe"),
        ("a\r\nContent-Type: text.pdf", "aContent-Type: text.pdf"),
        ("长" * 300 + ".pdf", "长" * 116 + ".pdf"),
    ],
)
def test_stored_names_come_from_the_detected_type_never_the_users(owner, given, shown):
    filing, kind, build = _drug_permit(owner)
    attachment = services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=kind,
        uploaded_file=SimpleUploadedFile(given, build(2000)),
    )
    attachment.refresh_from_db()
    assert STORED.match(attachment.file.name) and attachment.file.name.endswith(".pdf")
    assert attachment.original_name == shown
    with attachment.file.open("rb") as stored:
        assert stored.read() == build(2000)


def test_a_png_named_pdf_is_stored_as_png(owner):
    filing, _kind, build = _licence(owner)
    attachment = services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=None,
        uploaded_file=SimpleUploadedFile("contract.pdf", build(500)),
    )
    assert attachment.file.name.endswith(".png") and attachment.original_name == "contract.pdf"


def test_the_av_attachment_list_is_stored_as_xlsx(owner):
    filing, _kind, build = _av_import(owner)
    attachment = services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=None,
        uploaded_file=SimpleUploadedFile("../清单.exe", build(20000)),
    )
    assert STORED.match(attachment.file.name) and attachment.file.name.endswith(".xlsx")
    assert attachment.original_name == "清单.exe"


def test_the_certificate_import_file_is_stored_under_our_name(owner, chain):
    from customs import imports

    content = b'<?xml version="1.0" encoding="UTF-8"?>\n<Certificates/>\n'
    batch = imports.upload(
        actor=chain[1],
        system=Module.DRUG_PERMIT,
        uploaded_file=SimpleUploadedFile("../../证书\x00导入.xml", content),
    )
    batch.refresh_from_db()
    assert re.fullmatch(r"customs-imports/\d{4}/\d{2}/[0-9a-f]{32}\.xml", batch.file.name)
    assert batch.original_name == "证书导入.xml"
    with batch.file.open("rb") as stored:
        assert stored.read() == content


def test_display_names_are_cleaned():
    assert files.display_name("") == "file"
    assert files.display_name("..") == "file"
    assert files.display_name("/etc/passwd") == "passwd"
    assert files.display_name("C:\\Users\\a\\报告.pdf") == "报告.pdf"
    assert files.display_name("x\ty\u200b.pdf") == "xy.pdf"


def test_editors_documents_have_a_size_limit(editor_client):
    from wagtail.documents.models import Document

    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 50 * 1024 * 1024
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with override_settings(WAGTAILDOCS_MAX_UPLOAD_SIZE=4000):
        refused = editor_client.post(
            reverse("wagtaildocs:add"),
            {"title": "操作手册", "file": SimpleUploadedFile("手册.pdf", padded_pdf(4001))},
        )
        assert refused.status_code == 200
        assert "This file is too big" in refused.content.decode()
        assert not Document.objects.filter(title="操作手册").exists()
        accepted = editor_client.post(
            reverse("wagtaildocs:add"),
            {"title": "操作手册", "file": SimpleUploadedFile("手册.pdf", padded_pdf(4000))},
        )
        assert accepted.status_code == 302
        assert Document.objects.get(title="操作手册").file.size == 4000
