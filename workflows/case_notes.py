"""Case notes (the case-notes practice of the UK's import licensing system), for every
system with approval levels: an approver of the filing's authority, at any level, leaves
an internal note on a filing, with PDF attachments if needed, so the next level reads why
this one decided as it did.

Notes are append-only, audited (``audit.CASE_NOTE_ADDED``, an ``INTERNAL`` row: nobody is
notified of it, the enterprise never sees it), listed on the approvers' detail beside the
history, and exported as the "Case notes" sheet of the inspector's history export.  The
audit row holds no text: the note itself stays in its own table, read only through
``notes_for``.
"""

import hashlib
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import excel
from filings import audit
from filings.models import CaseNote, CaseNoteAttachment
from filings.selectors import authority_id_for
from portal import files
from portal.accounts.selectors import seat_of
from portal.transactions import durable, top_level

from . import rules
from .history_export import Section, Subject, _time, register

MAX_TEXT = 4000  # characters of one note
MAX_FILES = 5  # attachments of one note


def may_read(filing, user) -> bool:
    """The filing's authority's approvers (any level) and administrator."""
    return (
        filing.authority_id is not None
        and filing.status != filing.declaration.draft_state
        and authority_id_for(user, filing.system) == filing.authority_id
    )


def may_add(filing, user) -> bool:
    """Approvers holding a seat of the filing's system at its authority (any level)."""
    seat = seat_of(user, filing.system)
    return (
        seat is not None
        and seat.authority_id == filing.authority_id
        and filing.status != filing.declaration.draft_state
    )


def notes_for(filing, user):
    """The filing's notes with their attachments, oldest first; none for anyone else."""
    if not may_read(filing, user):
        return CaseNote.objects.none()
    return _notes(filing)


def _notes(filing):
    return (
        CaseNote.objects.filter(filing_id=filing.pk)
        .select_related("filing")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def attachment_for(filing, user, attachment_id: int) -> CaseNoteAttachment | None:
    """One attachment of a note of this filing, if ``user`` may read the filing's notes."""
    if not may_read(filing, user):
        return None
    return (
        CaseNoteAttachment.objects.filter(pk=attachment_id, note__filing_id=filing.pk)
        .select_related("note")
        .first()
    )


def _clean_text(text: str) -> str:
    """Line breaks and tabs kept; other control characters (which no spreadsheet or PDF
    can hold) dropped."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs")
    ).strip()


def _sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def _validate(filing, text: str, uploads) -> None:
    errors: dict[str, list] = {}
    if not text:
        errors["text"] = [_("Enter the note.")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [
            _("A note has at most %(n)s characters; this one has %(m)s.")
            % {"n": MAX_TEXT, "m": len(text)}
        ]
    if len(uploads) > MAX_FILES:
        errors["files"] = [_("Attach at most %(n)s files to one note.") % {"n": MAX_FILES}]
    else:
        limit = filing.declaration.attachment_limit
        for upload in uploads:
            name = files.display_name(upload.name)
            try:
                # The size first: a bigger file is not read any further.
                rules.check((rules.MaxSize(limit),), filing, file=upload)
                rules.check((rules.PdfOnly(),), filing, file=upload)
            except ValidationError as error:
                errors.setdefault("files", []).extend(f"{name}: {m}" for m in error.messages)
    if errors:
        raise ValidationError(errors)


@top_level(atomic=False)
def add_case_note(*, filing, actor, text: str, attachments=(), request=None) -> CaseNote:
    """Write one internal note (and its PDFs) with its audit row; the status stays.

    Only an approver of the filing's authority in its system may; the text is required
    (at most ``MAX_TEXT`` characters); each attachment is a PDF without active content,
    within the system's attachment size.  Files and rows are written together: if the
    transaction fails, the stored files are removed again."""
    if not may_add(filing, actor):
        raise PermissionDenied
    filing = filing.specific  # its audit rows are the system model's, as its decisions'
    seat = seat_of(actor, filing.system)
    text = _clean_text(text)
    uploads = [u for u in attachments if u]
    _validate(filing, text, uploads)
    with files.stored_in_transaction() as stored:
        with durable():
            note = CaseNote.objects.create(
                filing_id=filing.pk,
                author=actor,
                author_display=actor.get_full_name() or actor.get_username(),
                seat_level=seat.level,
                text=text,
            )
            for upload in uploads:
                kept = CaseNoteAttachment(
                    note=note,
                    original_name=files.display_name(upload.name),
                    size=upload.size,
                    sha256=_sha256(upload),
                )
                kept.file.save(files.stored_name(upload), upload, save=False)
                stored(kept.file)
                kept.save()
            audit.record_fact(
                target=filing,
                actor=actor,
                transition=audit.CASE_NOTE_ADDED,
                state=filing.status,
                request=request,
            )
    return note


# --- the inspector's export: a "Case notes" sheet ---------------------------------------


def _export_rows(subject: Subject):
    if subject.filing is None:
        return
    for note in _notes(subject.filing):
        kept = list(note.attachments.all())
        yield [
            _time(note.created_at),
            note.level_label,
            note.author_display,
            note.text,
            "\n".join(a.original_name for a in kept),
            "\n".join(a.sha256 for a in kept),
        ]


C = excel.Column

register(
    Section(
        "case_notes",
        gettext_lazy("Case notes"),
        (
            C(gettext_lazy("Time"), 19),
            C(gettext_lazy("Level"), 12),
            C(gettext_lazy("By"), 16),
            C(gettext_lazy("Note"), 60),
            C(gettext_lazy("Attachments"), 30),
            C(gettext_lazy("Attachment SHA-256"), 66),
        ),
        _export_rows,
        lambda system: bool(system.stages),
    ),
    before="documents",
)
