"""The customs messages: build, parse safely, validate against the XSDs, sign.

Pure (bytes and dicts in and out) so the portal and the customs simulator
share one implementation of the protocol.  Parsers never resolve entities,
never load a DTD or touch the network, refuse a DOCTYPE outright and cap the
size, so hostile XML (external entities, billion laughs, oversized input,
another namespace) is rejected with a reason and nothing else happens.
"""

import hashlib
import hmac
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

NS = "urn:cn:singlewindow:drug-permit:customs:1"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
MAX_MESSAGE_BYTES = 1_000_000
SIGNATURE_HEADER = "X-SW-Signature"
TIMESTAMP_HEADER = "X-SW-Timestamp"
MAX_CLOCK_SKEW = 300  # seconds

E = ElementMaker(namespace=NS, nsmap={None: NS})


class MessageError(ValueError):
    """The message is not acceptable; the text says why."""


class SignatureError(MessageError):
    """The sender could not be authenticated."""


def new_message_id() -> str:
    return uuid.uuid4().hex


def safe_parser(**extra) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        **extra,
    )


@cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd"), safe_parser()))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def check_root(root, *, expected: tuple[str, ...]) -> None:
    if root.getroottree().docinfo.doctype:
        raise MessageError("DOCTYPE declarations are not accepted.")
    qname = etree.QName(root)
    if qname.namespace != NS:
        raise MessageError(f"Wrong namespace {qname.namespace!r}: expected {NS!r}.")
    if qname.localname not in expected:
        raise MessageError(f"Unexpected message {qname.localname!r}.")


def validate(root, schema_name: str) -> None:
    xsd = schema(schema_name)
    if not xsd.validate(root):
        error = xsd.error_log.last_error
        raise MessageError(f"Line {error.line}: {error.message}")


def parse(data: bytes, *, schema_name: str, expected: tuple[str, ...]):
    """A validated root element of one of ``expected``, or MessageError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise MessageError(f"Message larger than {MAX_MESSAGE_BYTES} bytes.")
    if b"<!doctype" in data[:4096].lower():
        raise MessageError("DOCTYPE declarations are not accepted.")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        raise MessageError(f"Not well-formed XML: {error}") from error
    check_root(root, expected=expected)
    validate(root, schema_name)
    return root


def to_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- signing (both directions) ----------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signed_headers(secret: str, body: bytes) -> dict:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/xml; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify_signature(secret: str, timestamp: str | None, given: str | None, body: bytes) -> None:
    if not timestamp or not given:
        raise SignatureError("Missing signature.")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError as error:
        raise SignatureError("Bad timestamp.") from error
    if age > MAX_CLOCK_SKEW:
        raise SignatureError("Timestamp too old or in the future.")
    if not hmac.compare_digest(signature(secret, timestamp, body), given):
        raise SignatureError("Bad signature.")


# --- certificates -------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def certificate_element(data: dict):
    """<Certificate> from a dict shaped like ``read_certificate``'s result."""
    optional = [
        E(tag, _text(data[key]))
        for tag, key in (
            ("HolderAddress", "holder_address"),
            ("Purpose", "purpose"),
            ("Ports", "ports"),
        )
        if data.get(key)
    ]
    lines = []
    for line in data["lines"]:
        parts = [E.HsCode(line["hs_code"]), E.DrugNameZh(line["drug_name_zh"])]
        if line.get("drug_name_en"):
            parts.append(E.DrugNameEn(line["drug_name_en"]))
        if line.get("dosage_form"):
            parts.append(E.DosageForm(line["dosage_form"]))
        parts += [
            E.Specification(line["specification"]),
            E.Quantity(_text(line["quantity"])),
            E.Unit(line["unit"]),
            E.Manufacturer(line["manufacturer"]),
            E.Country(line["country"]),
        ]
        lines.append(E.Line(*parts, number=str(line["line_number"])))
    remarks = [E.Remarks(data["remarks"])] if data.get("remarks") else []
    return E.Certificate(
        E.Number(data["number"]),
        E.Revision(str(data["revision"])),
        E.Direction(data["direction"]),
        E.AuthorityCode(data["authority_code"]),
        E.HolderName(data["holder_name"]),
        E.HolderUscc(data["holder_uscc"]),
        *optional,
        E.IssueDate(_text(data["issue_date"])),
        E.ValidUntil(_text(data["valid_until"])),
        *remarks,
        E.Lines(*lines),
    )


def read_certificate(element) -> dict:
    """The values of a validated <Certificate> element."""

    def text(parent, tag, default=""):
        found = parent.find(_q(tag))
        return (found.text or "").strip() if found is not None else default

    return {
        "number": text(element, "Number"),
        "revision": int(text(element, "Revision")),
        "direction": text(element, "Direction"),
        "authority_code": text(element, "AuthorityCode"),
        "holder_name": text(element, "HolderName"),
        "holder_uscc": text(element, "HolderUscc"),
        "holder_address": text(element, "HolderAddress"),
        "purpose": text(element, "Purpose"),
        "ports": text(element, "Ports"),
        "issue_date": date.fromisoformat(text(element, "IssueDate")),
        "valid_until": date.fromisoformat(text(element, "ValidUntil")),
        "remarks": text(element, "Remarks"),
        "lines": [
            {
                "line_number": int(line.get("number")),
                "hs_code": text(line, "HsCode"),
                "drug_name_zh": text(line, "DrugNameZh"),
                "drug_name_en": text(line, "DrugNameEn"),
                "dosage_form": text(line, "DosageForm"),
                "specification": text(line, "Specification"),
                "quantity": Decimal(text(line, "Quantity")),
                "unit": text(line, "Unit"),
                "manufacturer": text(line, "Manufacturer"),
                "country": text(line, "Country"),
            }
            for line in element.find(_q("Lines")).findall(_q("Line"))
        ],
    }


def certificate_message(
    data: dict, *, kind: str, message_id: str, sent_at: datetime, void_reason=""
) -> bytes:
    extra = [E.VoidReason(void_reason)] if void_reason else []
    root = E.CertificateMessage(
        certificate_element(data),
        *extra,
        messageId=message_id,
        kind=kind,
        sentAt=sent_at.isoformat(timespec="seconds"),
    )
    validate(root, "outbound")
    return to_bytes(root)


def certificate_batch(records: list[dict]) -> bytes:
    root = E.CertificateBatch(*(certificate_element(r) for r in records))
    validate(root, "outbound")
    return to_bytes(root)


# --- inbound ------------------------------------------------------------------------


def receipt(*, message_id, in_reply_to, number, accepted: bool, reason="", received_at) -> bytes:
    parts = [E.CertificateNumber(number), E.Result("ACCEPTED" if accepted else "REJECTED")]
    if reason:
        parts.append(E.Reason(reason[:500]))
    parts.append(E.ReceivedAt(received_at.isoformat(timespec="seconds")))
    root = E.Receipt(*parts, messageId=message_id, inReplyTo=in_reply_to)
    validate(root, "inbound")
    return to_bytes(root)


def write_off(*, message_id, declaration_number, declaration_date, port_code, number, lines):
    root = E.WriteOff(
        E.DeclarationNumber(declaration_number),
        E.DeclarationDate(_text(declaration_date)),
        E.PortCode(port_code),
        E.CertificateNumber(number),
        *(E.Line(number=str(n), quantity=_text(Decimal(q))) for n, q in lines),
        messageId=message_id,
    )
    validate(root, "inbound")
    return to_bytes(root)


def read_inbound(root) -> dict:
    kind = etree.QName(root).localname

    def text(tag):
        found = root.find(_q(tag))
        return (found.text or "").strip() if found is not None else ""

    if kind == "Receipt":
        return {
            "kind": kind,
            "message_id": root.get("messageId"),
            "in_reply_to": root.get("inReplyTo"),
            "number": text("CertificateNumber"),
            "accepted": text("Result") == "ACCEPTED",
            "reason": text("Reason"),
        }
    return {
        "kind": kind,
        "message_id": root.get("messageId"),
        "declaration_number": text("DeclarationNumber"),
        "declaration_date": date.fromisoformat(text("DeclarationDate")),
        "port_code": text("PortCode"),
        "number": text("CertificateNumber"),
        "lines": [
            (int(line.get("number")), Decimal(line.get("quantity")))
            for line in root.findall(_q("Line"))
        ],
    }
