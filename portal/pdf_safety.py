"""Active content in an uploaded PDF: JavaScript, actions run on opening or on a page,
launched programs, embedded files.  A portal that passes attachments on to approvers
must not pass these on; the filer prints the document to a plain PDF instead.

Two looks, since either alone can be fooled: the file parsed with pypdf (names inside
compressed object streams), and its raw bytes with PDF name escapes (``/J#61vaScript``)
decoded.  A PDF pypdf cannot parse is judged by its bytes alone.
"""

import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

# The names that carry active content (PDF 1.7, 12.6 actions and 7.11 embedded files).
ACTIVE = {
    "/JavaScript",
    "/JS",
    "/Launch",
    "/OpenAction",
    "/AA",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
}
NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_OBJECTS = 20000  # a page count or object graph past this is not a document we need


def _name(raw: bytes) -> str:
    return ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


STREAM = re.compile(rb"stream\r?\n.*?endstream", re.S)


def _in_bytes(data: bytes) -> set[str]:
    """Active names in the file's objects; stream contents (images, fonts, compressed
    bytes that may spell anything) are left to the parser."""
    return {name for name in map(_name, NAME.findall(STREAM.sub(b"", data))) if name in ACTIVE}


def _walk(obj, found: set, seen: set, budget: list) -> None:
    """Every dictionary key reachable from ``obj`` that names active content."""
    stack = [obj]
    while stack and budget[0] > 0:
        item = stack.pop()
        ref = getattr(item, "idnum", None)
        if ref is not None:
            if ref in seen:
                continue
            seen.add(ref)
            try:
                item = item.get_object()
            except Exception:  # noqa: BLE001  a broken reference hides nothing usable
                continue
        budget[0] -= 1
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ACTIVE:
                    found.add(str(key))
                if key == "/S" and str(value) in ACTIVE:
                    found.add(str(value))
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def active_content(uploaded_file) -> set[str]:
    """The kinds of active content in a PDF upload (empty: none found)."""
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    found = _in_bytes(data)
    try:
        reader = PdfReader(uploaded_file, strict=False)
        _walk(reader.trailer, found, set(), [MAX_OBJECTS])
    except (PdfReadError, ValueError, TypeError, KeyError, RecursionError):
        pass  # unparseable: the bytes were read above
    finally:
        uploaded_file.seek(0)
    return found
