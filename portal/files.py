"""Uploaded files and transactions: never an orphan file, never a row without its file.

A file is written to storage before its row is committed; if the transaction
then fails, the file is removed again.  A file is deleted from storage only
once the deletion of its row has committed.  Names typed by users are shown,
never used to store.
"""

import os
import unicodedata
import uuid
from contextlib import contextmanager

from django.db import transaction


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


def display_name(name: str, limit: int = 255) -> str:
    """The user's file name, fit to show: no folders, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return (cleaned or "file")[:limit]


def stored_name(name: str) -> str:
    """A name of our own to store under, keeping only a plain extension."""
    ext = os.path.splitext(display_name(name))[1].lower()
    if not ext[1:].isalnum() or len(ext) > 8:
        ext = ""
    return f"{uuid.uuid4().hex}{ext}"
