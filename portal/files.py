"""Uploaded files and transactions: never an orphan file, never a row without its file.

A file is written to storage before its row is committed; if the transaction
then fails, the file is removed again.  A file is deleted from storage only
once the deletion of its row has committed.  Names typed by users are shown,
never used to store.
"""

import mimetypes
import os
import unicodedata
import uuid
from contextlib import contextmanager

from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


@contextmanager
def stored_in_transaction():
    """Inside: ``stored(field_file)`` after saving each file.  If the block raises, those
    files are deleted.  Wrap a *durable* atomic block in it, so nothing outside can still
    roll the rows back after the block returned."""
    written = []

    def stored(field_file):
        written.append((field_file.storage, field_file.name))

    try:
        yield stored
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def delete_on_commit(field_file) -> None:
    """Delete the file once the surrounding transaction commits (never if it rolls back)."""
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


def display_name(name: str, limit: int = 120) -> str:
    """The user's file name, fit to show: no folders, no control characters, at most
    ``limit`` characters (the extension kept when it is cut)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    # No control, format or private characters (Cc, Cf: e.g. U+202E, the right-to-left
    # override that shows "evil<U+202E>fdp.exe" as "evilexe.pdf"), nor line separators.
    cleaned = "".join(
        c
        for c in base
        if unicodedata.category(c)[0] != "C" and unicodedata.category(c)[:2] not in ("Zl", "Zp")
    )
    cleaned = cleaned.strip(" .") or "file"
    if len(cleaned) > limit:
        stem, ext = os.path.splitext(cleaned)
        ext = ext if len(ext) <= 10 else ""
        cleaned = stem[: limit - len(ext)] + ext
    return cleaned


# What a file is, by its first bytes (its name is never trusted): kind -> (signatures, suffix).
SIGNATURES = {
    "PDF": ((b"%PDF-",), ".pdf"),
    "JPEG": ((b"\xff\xd8\xff",), ".jpg"),
    "PNG": ((b"\x89PNG\r\n\x1a\n",), ".png"),
    "XLSX": ((b"PK\x03\x04",), ".xlsx"),
    "XML": ((b"<?xml", b"\xef\xbb\xbf<?xml"), ".xml"),
}


def kind_of(uploaded_file) -> str | None:
    """PDF, JPEG, PNG, XLSX (a zip archive: what reads it checks the rest) or XML, by the
    file's first bytes; None for anything else."""
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    for kind, (signatures, _suffix) in SIGNATURES.items():
        # PDF and XML may start after white space (readers accept it); the others at byte 0.
        start = head.lstrip() if kind in ("PDF", "XML") else head
        if any(start.startswith(s) for s in signatures):
            return kind
    return None


def stored_name(uploaded_file) -> str:
    """A name of our own to store under: a random id and the suffix of the type the
    content shows (``.bin`` when none is recognised), never anything of the user's name."""
    kind = kind_of(uploaded_file)
    return f"{uuid.uuid4().hex}{SIGNATURES[kind][1] if kind else '.bin'}"


def download(content, filename: str, *, content_type: str = "", inline: bool = False):
    """Every file the portal serves, one way: ``content`` (bytes or an open file, streamed,
    from disk or object storage alike) as ``filename``, cleaned and sent as RFC 6266
    ``filename*=utf-8''…`` when not ASCII; the type given, or guessed from the name;
    ``nosniff``; never cached by others.  ``inline``: shown in the browser (PDFs to print)."""
    name = display_name(filename)
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if isinstance(content, (bytes, bytearray)):
        response = HttpResponse(bytes(content), content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(not inline, name)
    else:
        response = FileResponse(
            content, as_attachment=not inline, filename=name, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_download(field_file, filename: str):
    """A stored upload as a download: its type from the stored name (given by the detected
    content), never from the name the user gave; the shown name ends in that type's suffix."""
    suffix = os.path.splitext(field_file.name)[1].lower()
    # Files stored before names were generated keep the user's suffix: trust only ours.
    known = {s for _signatures, s in SIGNATURES.values()} | {".jpeg"}
    content_type = mimetypes.guess_type(f"x{suffix}")[0] if suffix in known else None
    name = display_name(filename)
    if content_type and not name.lower().endswith(suffix):
        name = f"{name}{suffix}"
    return download(
        field_file.open("rb"), name, content_type=content_type or "application/octet-stream"
    )
