"""证书导入: an authority's own system's certificates, uploaded as XML and sent on.

The file streams through lxml's iterparse (safe parser settings, one
<Certificate> at a time, each validated against the XSD and then dropped),
so its size does not matter; the check runs as a task with progress.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _
from lxml import etree

from documents import services as documents
from documents.models import Certificate, CertificateLine, CertificateSource
from filings import registry
from filings.runner import AlreadyHandled
from portal import files
from portal.accounts.selectors import seat_of
from portal.transactions import durable, top_level

from . import services, xml
from .models import ImportBatch, ImportRecord

MAX_IMPORT_BYTES = 200 * 1024 * 1024
CHUNK = 500


@top_level(atomic=False)
def upload(*, actor, system: str, uploaded_file) -> ImportBatch:
    seat = seat_of(actor, system)
    if seat is None or not registry.get(system).imports_certificates:
        raise PermissionDenied
    if not uploaded_file.name.lower().endswith(".xml"):
        raise ValidationError(_("Upload an XML file in the published certificate format."))
    if uploaded_file.size > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 200 MB."))
    head = uploaded_file.read(4096)
    uploaded_file.seek(0)
    if b"<!doctype" in head.lower():
        raise ValidationError(_("The file declares a DOCTYPE, which is not accepted."))
    batch = ImportBatch(
        authority_id=seat.authority_id,
        system=system,
        uploaded_by=actor,
        original_name=files.display_name(uploaded_file.name),
        size=uploaded_file.size,
    )
    # Stored under a name of our own; the uploaded name is only shown.
    with files.stored_in_transaction() as stored:
        batch.file.save(files.stored_name(uploaded_file), uploaded_file, save=False)
        stored(batch.file)
        with durable():
            batch.save()
            transaction.on_commit(lambda: check_batch.enqueue(batch.pk))
    return batch


def _problems(data: dict, *, system, authority_code: str, seen: set) -> list[str]:
    problems = []
    if data["system"] != system.key:
        problems.append(
            _("The certificate is of another system (%(system)s).") % {"system": data["system"]}
        )
    if data["authority_code"] != authority_code:
        problems.append(
            _("Authority %(code)s is not yours (%(yours)s).")
            % {"code": data["authority_code"], "yours": authority_code}
        )
    if data["valid_until"] < data["issue_date"]:
        problems.append(_("Valid until is before the issue date."))
    if data["number"] in seen:
        problems.append(_("The number appears twice in this file."))
    elif Certificate.objects.filter(system=system.key, number=data["number"]).exists():
        problems.append(_("A certificate with this number already exists."))
    return problems + system.check_imported(data)


def _record(batch, position, element, *, system, authority_code, seen, xsd) -> ImportRecord:
    number = element.findtext(f"{{{xml.NS}}}Number") or ""
    holder = element.findtext(f"{{{xml.NS}}}HolderName") or ""
    record = ImportRecord(
        batch=batch,
        position=position,
        source_line=element.sourceline or 0,
        number=number[:64],
        holder_name=holder[:200],
    )
    if not xsd.validate(element):
        record.errors = "; ".join(
            _("line %(line)s: %(message)s") % {"line": error.line, "message": error.message}
            for error in xsd.error_log
        )[:2000]
        return record
    data = xml.read_certificate(element)
    problems = _problems(data, system=system, authority_code=authority_code, seen=seen)
    seen.add(data["number"])
    if problems:
        record.errors = "; ".join(problems)
        return record
    record.valid = True
    record.data = {
        **data,
        "issue_date": data["issue_date"].isoformat(),
        "valid_until": data["valid_until"].isoformat(),
        "lines": [{**line, "quantity": str(line["quantity"])} for line in data["lines"]],
    }
    return record


def check(batch: ImportBatch) -> None:
    """Read the file record by record; store each as valid (pending) or invalid with why."""
    xsd = xml.schema("outbound")
    authority_code = batch.authority.code
    system = registry.get(batch.system)
    batch_tag, certificate_tag = f"{{{xml.NS}}}CertificateBatch", f"{{{xml.NS}}}Certificate"
    seen: set[str] = set()
    pending: list[ImportRecord] = []
    counts = {"valid": 0, "invalid": 0}
    position = 0

    def flush(bytes_read):
        ImportRecord.objects.bulk_create(pending)
        for record in pending:
            counts["valid" if record.valid else "invalid"] += 1
        pending.clear()
        ImportBatch.objects.filter(pk=batch.pk).update(
            done=position,
            bytes_read=bytes_read,
            valid_count=counts["valid"],
            invalid_count=counts["invalid"],
        )

    with batch.file.open("rb") as stream:
        events = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        root = None
        for event, element in events:
            if event == "start":
                if root is None:
                    root = element
                    if element.tag != batch_tag:
                        raise xml.MessageError(
                            _("The file is not a certificate batch (%(tag)s).")
                            % {"tag": element.tag}
                        )
                continue
            if element.tag != certificate_tag or element.getparent() is not root:
                continue
            position += 1
            pending.append(
                _record(
                    batch,
                    position,
                    element,
                    system=system,
                    authority_code=authority_code,
                    seen=seen,
                    xsd=xsd,
                )
            )
            element.clear()
            while element.getprevious() is not None:
                del root[0]
            if len(pending) >= CHUNK:
                flush(stream.tell())
        flush(batch.size)
    if position == 0:
        raise xml.MessageError(_("The file holds no certificates."))


@task()
def check_batch(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("authority").get(pk=batch_id)
    if batch.state != ImportBatch.State.QUEUED:
        return
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.RUNNING)
    try:
        check(batch)
    except (etree.XMLSyntaxError, xml.MessageError) as error:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportBatch.State.FAILED, error=str(error)[:1000]
        )
        return
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.DONE)


@top_level(atomic=False)
def send_records(*, records, actor, request=None) -> tuple[list, list]:
    """提交并发往海关: each valid, unsent record becomes a certificate and goes out."""
    sent, refused = [], []
    for record in records:
        if not record.valid or record.certificate_id:
            refused.append((record.number, _("This record was already sent.")))
            continue
        try:
            with durable():  # the certificate and its sending: one transaction
                certificate = _certificate_from(record, actor)
                services.send_certificate.within(
                    certificate=certificate, actor=actor, request=request
                )
        except (AlreadyHandled, ValidationError) as error:
            refused.append((record.number, " ".join(getattr(error, "messages", [str(error)]))))
            continue
        sent.append(record.number)
    return sent, refused


def _certificate_from(record: ImportRecord, actor) -> Certificate:
    data = record.data
    system = record.batch.system
    if Certificate.objects.filter(system=system, number=data["number"]).exists():
        raise ValidationError(_("A certificate with this number already exists."))
    certificate = Certificate.objects.create(
        system=system,
        source=CertificateSource.IMPORTED,
        number=data["number"],
        authority_id=record.batch.authority_id,
        holder_name=data["holder_name"],
        holder_uscc=data["holder_uscc"],
        holder_address=data["holder_address"],
        ports=data["ports"],
        content=data["content"],
        remarks=data["remarks"],
        issue_date=data["issue_date"],
        valid_until=data["valid_until"],
        issued_by=actor,
        revision=data["revision"],
    )
    CertificateLine.objects.bulk_create(
        CertificateLine(
            certificate=certificate,
            line_number=line["line_number"],
            hs_code=line["hs_code"],
            name=line["name"],
            quantity=line["quantity"],
            unit=line["unit"],
            details=line["details"],
        )
        for line in data["lines"]
    )
    certificate = Certificate.objects.get(pk=certificate.pk)  # typed values, as stored
    certificate.save_revision(user=actor, clean=False)
    documents.issue_code(certificate, revision=certificate.revision)
    ImportRecord.objects.filter(pk=record.pk).update(certificate=certificate)
    return certificate
