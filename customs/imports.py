"""证书导入: an authority's own system's certificates, uploaded as XML and sent on.

The file streams through lxml's iterparse (safe parser settings, one
<Certificate> at a time, each validated against the XSD and then dropped),
so its size does not matter; the check runs as a task with progress.

老版录入 (entering a certificate issued earlier on paper) goes through the same check
(``certificate_problems``) and the same creation, then is sent like any certificate.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils.translation import gettext as _
from lxml import etree

from documents import services as documents
from documents.models import (
    Certificate,
    CertificateLine,
    CertificateSource,
    legacy_entry_authority_id,
)
from filings import audit, registry
from filings.runner import AlreadyHandled
from portal import files
from portal.accounts.models import Enterprise
from portal.accounts.selectors import seat_of
from portal.accounts.validators import normalize_uscc, validate_uscc
from portal.reference.models import Authority
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


NUMBER_RE = re.compile(r"[0-9A-Z][0-9A-Z-]{5,31}")
HS_CODE_RE = re.compile(r"[0-9]{8,10}")


def certificate_problems(data: dict, *, system, authority_code: str, seen=()) -> list:
    """What is wrong with a certificate that comes from outside the approval: imported from
    an authority's own system or entered from a paper certificate (one check for both).

    ``(field, message)`` pairs: ``field`` names a certificate value, a ``content`` key,
    ``lines`` or ``lines.<n>.<field>`` (line ``n``), or is "" for the certificate as a whole.
    The number is unique within the system, so within the authority against every
    certificate it issued, imported or entered (customs knows a certificate by it).
    """
    problems = []
    if data["system"] != system.key:
        problems.append(
            (
                "",
                _("The certificate is of another system (%(system)s).")
                % {"system": data["system"]},
            )
        )
    if data["authority_code"] != authority_code:
        problems.append(
            (
                "",
                _("Authority %(code)s is not yours (%(yours)s).")
                % {"code": data["authority_code"], "yours": authority_code},
            )
        )
    number = data["number"]
    if not NUMBER_RE.fullmatch(number):
        problems.append(
            (
                "number",
                _("A certificate number is 6 to 32 capital letters, digits or hyphens."),
            )
        )
    elif number in seen:
        problems.append(("number", _("The number appears twice in this file.")))
    elif Certificate.objects.filter(system=system.key, number=number).exists():
        problems.append(("number", _("A certificate with this number already exists.")))
    try:
        validate_uscc(data["holder_uscc"])
    except ValidationError as error:
        problems += [("holder_uscc", message) for message in error.messages]
    if not data["holder_name"].strip():
        problems.append(("holder_name", _("Give the holder's name.")))
    if data["valid_until"] < data["issue_date"]:
        problems.append(("valid_until", _("Valid until is before the issue date.")))
    lines = data["lines"]
    if not lines:
        problems.append(("lines", _("A certificate needs at least one goods line.")))
    if system.max_lines is not None and len(lines) > system.max_lines:
        problems.append(
            ("lines", _("A certificate has at most %(n)s goods lines.") % {"n": system.max_lines})
        )
    for line in lines:
        at = f"lines.{line['line_number']}."
        if not HS_CODE_RE.fullmatch(line["hs_code"]):
            problems.append((at + "hs_code", _("An HS code is 8 to 10 digits.")))
        if line["quantity"] is None or line["quantity"] <= 0:
            problems.append((at + "quantity", _("The quantity must be more than zero.")))
    for problem in system.check_imported(data):
        problems.append(tuple(problem) if isinstance(problem, tuple | list) else ("", problem))
    return problems


def problem_messages(problems) -> list[str]:
    return [str(message) for _field, message in problems]


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
    problems = certificate_problems(data, system=system, authority_code=authority_code, seen=seen)
    seen.add(data["number"])
    if problems:
        record.errors = "; ".join(problem_messages(problems))[:2000]
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
    certificate = create_certificate(
        record.data,
        system=record.batch.system,
        authority_id=record.batch.authority_id,
        actor=actor,
        source=CertificateSource.IMPORTED,
    )
    ImportRecord.objects.filter(pk=record.pk).update(certificate=certificate)
    return certificate


def create_certificate(data: dict, *, system: str, authority_id: int, actor, source) -> Certificate:
    """A checked certificate from outside the approval (imported or entered), with its lines,
    first revision and verification code; inside the caller's transaction."""
    if Certificate.objects.filter(system=system, number=data["number"]).exists():
        raise ValidationError({"number": _("A certificate with this number already exists.")})
    try:
        with transaction.atomic():  # a concurrent twin: refused, not a broken transaction
            certificate = Certificate.objects.create(
                system=system,
                source=source,
                number=data["number"],
                authority_id=authority_id,
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
    except IntegrityError as error:
        raise ValidationError(
            {"number": _("A certificate with this number already exists.")}
        ) from error
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
    return certificate


# --- 老版录入: a certificate issued earlier on paper, keyed in and sent on ----------------------


def holder_for(uscc: str):
    """The registered enterprise with this USCC (the holder of an entered certificate), if any."""
    uscc = normalize_uscc(uscc)
    return Enterprise.objects.filter(uscc=uscc).first() if len(uscc) == 18 else None


def entry_data(values: dict, *, system, authority) -> dict:
    """The certificate an entry form's values describe, shaped as an imported one."""
    uscc = normalize_uscc(values.get("holder_uscc", ""))
    name = (values.get("holder_name") or "").strip()
    address = (values.get("holder_address") or "").strip()
    holder = holder_for(uscc) if not name else None
    if holder is not None:  # registered: the name and address it registered
        name, address = holder.name_zh, address or holder.address
    return {
        "system": system.key,
        "number": (values.get("number") or "").strip().upper(),
        "revision": 1,
        "authority_code": authority.code,
        "holder_name": name,
        "holder_uscc": uscc,
        "holder_address": address,
        "ports": (values.get("ports") or "").strip(),
        "issue_date": values["issue_date"],
        "valid_until": values["valid_until"],
        "remarks": (values.get("remarks") or "").strip(),
        "content": {
            key: str(values[key]).strip()
            for key in system.legacy_content_fields
            if str(values.get(key) or "").strip()
        },
        "lines": [
            {
                "line_number": number,
                "hs_code": (line.get("hs_code") or "").strip(),
                "name": (line.get("name") or "").strip(),
                "quantity": line.get("quantity"),
                "unit": (line.get("unit") or "").strip(),
                "details": {
                    key: str(line[key]).strip()
                    for key in system.legacy_line_fields
                    if str(line.get(key) or "").strip()
                },
            }
            for number, line in enumerate(values.get("lines") or [], start=1)
        ],
    }


def check_entry(values: dict, *, system, authority) -> tuple[dict, list]:
    """The entered certificate's data and its problems (as ``certificate_problems``), checked
    last against the customs schema like every certificate that leaves."""
    data = entry_data(values, system=system, authority=authority)
    problems = certificate_problems(data, system=system, authority_code=authority.code)
    if not problems:
        xsd = xml.schema("outbound")
        if not xsd.validate(xml.certificate_element(data)):
            problems = [
                ("", _("Not in the customs format: %(message)s") % {"message": error.message})
                for error in xsd.error_log
            ]
    return data, problems


@top_level
def enter_certificate(*, actor, system: str, values: dict, request=None) -> Certificate:
    """老版录入: a certificate the authority issued earlier on paper, keyed in by a final-level
    approver or the authority's administrator, checked as strictly as an imported one,
    recorded (source: entered) and sent to customs, in one transaction.

    ``values``: the common fields (holder_uscc, holder_name, holder_address, number,
    issue_date, valid_until, ports, remarks), the system's ``legacy_content_fields`` and
    ``lines`` (dicts of hs_code, name, quantity, unit and its ``legacy_line_fields``).
    Raises ValidationError keyed by field (see ``certificate_problems``)."""
    declaration = registry.get(system)
    authority_id = legacy_entry_authority_id(actor, system)
    if authority_id is None:
        raise PermissionDenied
    authority = Authority.objects.get(pk=authority_id)
    data, problems = check_entry(values, system=declaration, authority=authority)
    if problems:
        raise ValidationError(problem_dict(problems))
    certificate = create_certificate(
        data,
        system=system,
        authority_id=authority_id,
        actor=actor,
        source=CertificateSource.ENTERED,
    )
    audit.record(
        target=certificate,
        actor=actor,
        transition=audit.CERTIFICATE_ENTERED,
        from_state="",
        to_state=certificate.status,
        request=request,
    )
    services.send_certificate.within(certificate=certificate, actor=actor, request=request)
    return Certificate.objects.get(pk=certificate.pk)


def problem_dict(problems) -> dict:
    found: dict[str, list] = {}
    for field, message in problems:
        found.setdefault(field or NON_FIELD_ERRORS, []).append(str(message))
    return found
