"""An inspector's export of one filing's whole history, as one .xlsx (issue 14).

One workbook, one sheet per section, for every registered system: the audit rows
(who, when, what, from and to which status, the opinion, the SHA-256 of the document
issued), the notices and every revision of the certificate with the kept file's
SHA-256, the messages to and from customs, the write-offs, and the customs conflicts
with how they were resolved.  A certificate's history is its filing's workbook (an
imported certificate, which has no filing, gets the same sheets for itself).

The sheets are ``SECTIONS``, in order: each section is a title, its columns and a
function from the ``Subject`` to its rows, and says which systems it applies to (the
registry's declaration decides: no customs sheets for a system that sends nothing to
customs).  Another sheet is one more ``Section`` passed to ``register``.

Who may export is decided by the views, through the selectors; the export itself is
written to the audit as a read (``audit.HISTORY_EXPORTED``): nobody is notified of it,
and the pages' history leaves it out.  Headers and labels are written in the language
active when exporting (the exporter's).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from customs.models import CustomsConflict, InboundMessage, OutboundMessage, WriteOff
from documents import excel
from documents.models import (
    Certificate,
    CertificateStatus,
    CustomsStatus,
    KeptDocument,
    Notice,
)
from filings import audit, registry
from filings.models import AuditEntry, Filing
from portal.transactions import durable, top_level


@dataclass(frozen=True)
class Subject:
    """What is exported: a filing (with its certificate, if any), or an imported
    certificate on its own."""

    system: registry.System
    filing: Filing | None = None
    certificate: Certificate | None = None

    @classmethod
    def of_filing(cls, filing) -> "Subject":
        certificate = Certificate.objects.filter(filing_id=filing.pk).first()
        return cls(registry.get(filing.system), filing.specific, certificate)

    @classmethod
    def of_certificate(cls, certificate) -> "Subject":
        if certificate.filing_id:
            return cls.of_filing(certificate.filing.specific)
        return cls(registry.get(certificate.system), None, certificate)

    @property
    def target(self):
        return self.filing if self.filing is not None else self.certificate

    @property
    def number(self) -> str:
        return self.target.number

    @property
    def certificates(self) -> list[Certificate]:
        return [self.certificate] if self.certificate is not None else []


@dataclass(frozen=True)
class Section:
    """One sheet: ``rows(subject)`` yields lists of cells under ``columns``."""

    key: str
    title: object  # a lazy translation
    columns: tuple
    rows: Callable[[Subject], Iterable[list]]
    applies: Callable[[registry.System], bool] = lambda system: True


def _time(value):
    """A moment as Excel keeps it: local time (Asia/Shanghai), without a zone."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _choice(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def certificate_state(system, value: str) -> str:
    """A certificate's status or customs status in the words of its system."""
    if value in CustomsStatus.values:
        own = system.customs_status_labels.get(value)
        return str(own or CustomsStatus(value).label)
    return _choice(CertificateStatus, value)


# Rows recorded under names that are no transition of a model.


def audit_entries(subject: Subject):
    """Every audit row of the subject, oldest first: the filing's and its certificate's,
    reads included (an inspector sees who exported before)."""
    if subject.filing is not None:
        where = Q(filing_id=subject.filing.pk)
    else:
        where = Q(pk__in=[])
    for certificate in subject.certificates:
        where |= Q(
            content_type=ContentType.objects.get_for_model(Certificate),
            object_id=str(certificate.pk),
        )
    return (
        AuditEntry.objects.filter(where)
        .select_related("actor", "filing")
        .order_by("created_at", "pk")
    )


def _audit_rows(subject: Subject):
    system = subject.system
    certificate_type = ContentType.objects.get_for_model(Certificate)
    numbers = {str(c.pk): c.number for c in subject.certificates}
    for entry in audit_entries(subject).iterator(chunk_size=500):
        if entry.content_type_id == certificate_type.pk:
            concerns = numbers.get(entry.object_id, entry.object_id)
            state = partial(certificate_state, system)
        else:
            concerns = subject.filing.number if subject.filing else entry.object_id
            state = system.status_label
        action = entry.action_label
        yield [
            _time(entry.created_at),
            concerns,
            str(action),
            entry.level_label,
            entry.actor_name or _("The system"),
            state(entry.from_state) if entry.from_state else "",
            state(entry.to_state) if entry.to_state else "",
            entry.opinion,
            entry.notice_number,
            entry.sha256,
            entry.ip_address or "",
        ]


def _kept(model, object_ids) -> dict:
    """(object id, revision) -> KeptDocument, for these documents."""
    return {
        (k.object_id, k.revision): k
        for k in KeptDocument.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(i) for i in object_ids],
        )
    }


def _document_rows(subject: Subject):
    system = subject.system
    if subject.filing is not None:
        notices = list(Notice.objects.filter(filing_id=subject.filing.pk).order_by("created_at"))
        kept = _kept(Notice, [n.pk for n in notices])
        for notice in notices:
            found = kept.get((str(notice.pk), 1))
            yield [
                notice.get_kind_display(),
                notice.number,
                1,
                notice.issued_on,
                None,
                _time(notice.created_at),
                pgettext("revision", "Current"),
                "",
                "",
                None,
                _time(found.created_at) if found else None,
                found.sha256 if found else "",
                found.size if found else None,
            ]
    for certificate in subject.certificates:
        kept = _kept(Certificate, [certificate.pk])
        # Revision n + 1 was made by the n-th correction.
        corrections = [
            entry.created_at
            for entry in AuditEntry.objects.for_object(certificate).filter(transition="correct")
        ]
        for revision in range(1, certificate.revision + 1):
            found = kept.get((str(certificate.pk), revision))
            current = revision == certificate.revision
            made = certificate.created_at if revision == 1 else None
            if revision > 1 and len(corrections) >= revision - 1:
                made = corrections[revision - 2]
            yield [
                str(system.certificate_noun),
                certificate.number,
                revision,
                certificate.issue_date,
                certificate.valid_until,
                _time(made),
                pgettext("revision", "Current")
                if current
                else _("Superseded by revision %(n)s") % {"n": revision + 1},
                certificate.get_status_display(),
                certificate.void_reason,
                _time(certificate.voided_at),
                _time(found.created_at) if found else None,
                found.sha256 if found else "",
                found.size if found else None,
            ]


INBOUND_KINDS = {"Receipt": gettext_lazy("Receipt"), "WriteOff": gettext_lazy("Write-off")}
RESULTS = {"ACCEPTED": CustomsStatus.ACCEPTED.label, "REJECTED": CustomsStatus.REJECTED.label}


def _message_rows(subject: Subject):
    certificates = subject.certificates
    if not certificates:
        return
    out, into = pgettext("customs message", "Out"), pgettext("customs message", "In")
    rows = []
    for message in OutboundMessage.objects.filter(certificate__in=certificates).order_by(
        "created_at", "pk"
    ):
        rows.append(
            (
                message.created_at,
                [
                    out,
                    _time(message.created_at),
                    message.get_kind_display(),
                    message.message_id,
                    "",
                    message.revision,
                    message.get_state_display(),
                    message.attempts,
                    _time(message.first_attempt_at),
                    _time(message.last_attempt_at),
                    _time(message.delivered_at),
                    message.last_error,
                    "",
                    "",
                ],
            )
        )
        if message.receipt_result:
            # Customs' answer, as applied to this message.
            rows.append(
                (
                    message.receipt_at or message.created_at,
                    [
                        into,
                        _time(message.receipt_at),
                        str(INBOUND_KINDS["Receipt"]),
                        "",
                        message.message_id,
                        message.revision,
                        "",
                        None,
                        None,
                        None,
                        None,
                        "",
                        str(RESULTS.get(message.receipt_result, message.receipt_result)),
                        message.receipt_reason,
                    ],
                )
            )
    # Messages in that name these certificates: write-offs, and receipts held as conflicts.
    ids = set(
        WriteOff.objects.filter(certificate__in=certificates).values_list("message_id", flat=True)
    )
    for message_id, recorded in CustomsConflict.objects.filter(
        certificate__in=certificates
    ).values_list("message_id", "recorded"):
        ids.add(message_id)
        if recorded.get("message_id"):
            ids.add(recorded["message_id"])
    for message in InboundMessage.objects.filter(message_id__in=ids):
        rows.append(
            (
                message.received_at,
                [
                    into,
                    _time(message.received_at),
                    str(INBOUND_KINDS.get(message.kind, message.kind)),
                    message.message_id,
                    "",
                    None,
                    "",
                    None,
                    None,
                    None,
                    None,
                    "",
                    message.outcome,
                    "",
                ],
            )
        )
    rows.sort(key=lambda pair: pair[0])
    for _when, row in rows:
        yield row


def _write_off_rows(subject: Subject):
    for write_off in (
        WriteOff.objects.filter(certificate__in=subject.certificates)
        .select_related("certificate", "line")
        .order_by("recorded_at", "pk")
    ):
        yield [
            write_off.certificate.number,
            write_off.line.line_number,
            write_off.line.name,
            write_off.declaration_number,
            write_off.declaration_item,
            write_off.declaration_date,
            write_off.port_code,
            write_off.quantity,
            write_off.line.unit,
            "、".join(str(p) for p in write_off.problems),
            write_off.message_id,
            _time(write_off.recorded_at),
        ]


def _values(data: dict) -> str:
    return "; ".join(f"{key}: {value}" for key, value in data.items())


def _conflict_rows(subject: Subject):
    for conflict in (
        CustomsConflict.objects.filter(certificate__in=subject.certificates)
        .select_related("certificate", "resolved_by")
        .order_by("created_at", "pk")
    ):
        yield [
            _time(conflict.created_at),
            conflict.certificate.number,
            conflict.get_kind_display(),
            conflict.message_id,
            conflict.recorded.get("declaration_number", ""),
            conflict.recorded.get("line_number", ""),
            _values(conflict.recorded),
            _values(conflict.incoming),
            conflict.get_state_display(),
            conflict.reason,
            _person(conflict.resolved_by),
            _time(conflict.resolved_at),
        ]


def _sends_to_customs(system) -> bool:
    return system.sends_to_customs


C = excel.Column

SECTIONS: list[Section] = [
    Section(
        "history",
        gettext_lazy("History"),
        (
            C(gettext_lazy("Time"), 19),
            C(gettext_lazy("Concerns"), 22),
            C(gettext_lazy("Action"), 24),
            C(gettext_lazy("Level"), 12),
            C(gettext_lazy("By"), 16),
            C(gettext_lazy("From status"), 18),
            C(gettext_lazy("To status"), 18),
            C(gettext_lazy("Opinion"), 40),
            C(gettext_lazy("Notice number"), 20),
            C(gettext_lazy("Document SHA-256"), 66),
            C(gettext_lazy("IP address"), 16),
        ),
        _audit_rows,
    ),
    Section(
        "documents",
        gettext_lazy("Notices and certificates"),
        (
            C(gettext_lazy("Document"), 18),
            C(gettext_lazy("Number"), 22),
            C(gettext_lazy("Revision"), 9),
            C(gettext_lazy("Date"), 12),
            C(gettext_lazy("Valid until"), 12),
            C(gettext_lazy("Issued at"), 19),
            C(gettext_lazy("Revision status"), 22),
            C(gettext_lazy("Certificate status"), 18),
            C(gettext_lazy("Reason for voiding"), 30),
            C(gettext_lazy("Voided"), 19),
            C(gettext_lazy("Kept at"), 19),
            C(gettext_lazy("Document SHA-256"), 66),
            C(gettext_lazy("Size (bytes)"), 12),
        ),
        _document_rows,
    ),
    Section(
        "customs_messages",
        gettext_lazy("Customs messages"),
        (
            C(gettext_lazy("Direction"), 9),
            C(gettext_lazy("Time"), 19),
            C(gettext_lazy("Message"), 14),
            C(gettext_lazy("Message ID"), 34),
            C(gettext_lazy("In reply to"), 34),
            C(gettext_lazy("Revision"), 9),
            C(gettext_lazy("Delivery"), 22),
            C(gettext_lazy("Attempts"), 9),
            C(gettext_lazy("First attempt"), 19),
            C(gettext_lazy("Last attempt"), 19),
            C(gettext_lazy("Delivered"), 19),
            C(gettext_lazy("Last error"), 30),
            C(gettext_lazy("Result"), 30),
            C(gettext_lazy("Reason"), 30),
        ),
        _message_rows,
        _sends_to_customs,
    ),
    Section(
        "write_offs",
        gettext_lazy("Write-offs"),
        (
            C(gettext_lazy("Certificate number"), 22),
            C(gettext_lazy("Line"), 6),
            C(gettext_lazy("Goods"), 24),
            C(gettext_lazy("Declaration number"), 20),
            C(gettext_lazy("Declaration item"), 10),
            C(gettext_lazy("Declaration date"), 12),
            C(gettext_lazy("Port"), 8),
            C(gettext_lazy("Quantity written off"), 14),
            C(gettext_lazy("Unit"), 8),
            C(gettext_lazy("Warnings"), 24),
            C(gettext_lazy("Message ID"), 34),
            C(gettext_lazy("Recorded at"), 19),
        ),
        _write_off_rows,
        _sends_to_customs,
    ),
    Section(
        "customs_conflicts",
        gettext_lazy("Customs conflicts"),
        (
            C(gettext_lazy("Time"), 19),
            C(gettext_lazy("Certificate number"), 22),
            C(gettext_lazy("Kind"), 10),
            C(gettext_lazy("Message ID"), 34),
            C(gettext_lazy("Declaration number"), 20),
            C(gettext_lazy("Line"), 6),
            C(gettext_lazy("Recorded"), 50),
            C(gettext_lazy("Incoming"), 50),
            C(gettext_lazy("Resolution"), 22),
            C(gettext_lazy("Reason"), 30),
            C(gettext_lazy("Resolved by"), 16),
            C(gettext_lazy("Resolved at"), 19),
        ),
        _conflict_rows,
        _sends_to_customs,
    ),
]


def register(section: Section, *, before: str | None = None) -> None:
    """Add a sheet (e.g. the approvers' case notes), last or before the section ``before``."""
    if any(s.key == section.key for s in SECTIONS):
        raise ValueError(f"a history section {section.key!r} exists already")
    keys = [s.key for s in SECTIONS]
    SECTIONS.insert(keys.index(before) if before in keys else len(SECTIONS), section)


def sections_for(system) -> list[Section]:
    return [s for s in SECTIONS if s.applies(system)]


def file_name(subject: Subject) -> str:
    return f"history-{subject.number}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


@top_level(atomic=False)
def export(subject: Subject, target, *, actor, request=None) -> list[int]:
    """Record the export (a read: nobody is notified), then write the workbook into
    ``target`` in the active language; returns the rows of each sheet.

    The record is committed first, so the workbook holds the row of its own export."""
    target_obj = subject.target
    with durable():
        audit.record_fact(
            target=target_obj,
            actor=actor,
            transition=audit.HISTORY_EXPORTED,
            state=target_obj.status,
            request=request,
            filing=subject.filing,
        )
    return excel.write_sheets(
        target,
        [excel.Sheet(s.title, s.columns, s.rows(subject)) for s in sections_for(subject.system)],
    )
