"""Every uploaded .xlsx is checked as a zip before openpyxl reads it (portal/spreadsheets.py)."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from portal.spreadsheets import UnreadableWorkbook, open_workbook


def xlsx(extra=None) -> bytes:
    """A real workbook with extra members added to its archive."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bomb_members(count: int) -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"xl/media/part{i}.txt", b"")
    return buffer.getvalue()


CASES = {
    # 150 MB of zeros deflates to ~150 KB: a ratio of about a thousand.
    "inflating": (xlsx({"xl/worksheets/big.xml": b"\0" * (150 * 1024 * 1024)}), "zip bomb"),
    "many-entries": (bomb_members(600), "too many parts"),
    "external-link": (
        xlsx({"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
        "links to other files",
    ),
    "nested-archive": (xlsx({"xl/embeddings/inner.zip": b"PK\x05\x06" + b"\0" * 18}), "archives"),
}


@pytest.mark.parametrize("kind", CASES)
def test_crafted_archives_are_refused_before_reading(kind):
    content, message = CASES[kind]
    tracemalloc.start()
    with translation.override("en"), pytest.raises(UnreadableWorkbook) as error:
        open_workbook(SimpleUploadedFile("goods.xlsx", content))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert message in str(error.value)
    assert peak < 5 * len(content) + 10 * 1024 * 1024  # nothing was inflated


def test_a_plain_workbook_is_read():
    workbook, sheet = open_workbook(SimpleUploadedFile("goods.xlsx", xlsx()))
    assert sheet is workbook.worksheets[0]
