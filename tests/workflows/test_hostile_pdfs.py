"""Hostile files: a PDF holding JavaScript, an action run on opening, a launched program or
an embedded file is refused with the reason, in every system that takes PDF uploads; a
plain PDF is accepted.  The file name is never trusted."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from portal.pdf_safety import active_content
from workflows import rules

pytestmark = pytest.mark.django_db


def pdf(build=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )


def _launch(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _javascript(writer):
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hi');"),
        }
    )
    names = ArrayObject([TextStringObject("hi"), writer._add_object(action)])
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
    )


HOSTILE = {
    "javascript": _javascript,
    "open-action": _open_action,
    "launch": _launch,
    "embedded-file": lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_active_content_is_found(kind):
    data = pdf(HOSTILE[kind])
    assert active_content(SimpleUploadedFile("a.pdf", data))


def test_names_hidden_behind_escapes_and_unparseable_files_are_still_read():
    # No xref, nothing pypdf can parse: the bytes say it, behind a #61 escape for "a".
    hidden = b"%PDF-1.4\n1 0 obj<< /OpenAction << /S /J#61vaScript >> >>endobj\n%%EOF\n"
    assert active_content(SimpleUploadedFile("x.pdf", hidden)) == {"/OpenAction", "/JavaScript"}
    # Inside a stream the bytes may spell anything (fonts, images): not judged by bytes.
    stream = b"%PDF-1.4\n1 0 obj<< /Length 4 >>stream\n/JS \nendstream endobj\n%%EOF\n"
    assert not active_content(SimpleUploadedFile("y.pdf", stream))


def test_a_plain_pdf_and_an_unparseable_one_pass():
    assert not active_content(SimpleUploadedFile("a.pdf", pdf()))
    assert not active_content(SimpleUploadedFile("b.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"))


@pytest.mark.parametrize(
    "rule", [rules.PdfOnly(), rules.FileOfType("PDF", "JPEG", "PNG")], ids=["drug", "licence"]
)
@pytest.mark.parametrize("kind", HOSTILE)
def test_every_pdf_rule_refuses_them_with_the_reason(rule, kind):
    upload = SimpleUploadedFile("report.jpg", pdf(HOSTILE[kind]))  # the name lies
    with pytest.raises(ValidationError) as error:
        rules.check([rule], None, file=upload)
    assert "active content" in " ".join(error.value.messages) or "活动内容" in " ".join(
        error.value.messages
    )
    rules.check([rule], None, file=SimpleUploadedFile("plain.pdf", pdf()))


def test_the_drug_permit_upload_refuses_a_hostile_pdf(owner, authority, chain):
    from ..drug_permit_helpers import draft, line, services

    filing = draft(owner, authority)
    services.add_line(filing=filing, actor=owner, values=line())
    kind = filing.purpose.attachment_types.filter(required=True).first()
    with pytest.raises(ValidationError):
        services.upload_attachment(
            filing=filing,
            actor=owner,
            attachment_type=kind,
            uploaded_file=SimpleUploadedFile("ok.pdf", pdf(HOSTILE["javascript"])),
        )
    assert not filing.attachments.exists()
