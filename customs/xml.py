"""The customs messages: build, parse safely, validate against the XSDs, sign.

Pure (bytes and dicts in and out) so the portal and the customs simulator
share one implementation of the protocol.  One envelope serves every filing
system: a certificate names its ``system``; what a system records beyond the
common fields travels as ``<Details><Item key="…">`` (declared by the
system).  Parsers never resolve entities, never load a DTD or touch the
network, refuse a DOCTYPE outright and cap the size, so hostile XML is
rejected with a reason and nothing else happens.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from portal import signing

NS = "urn:cn:singlewindow:customs:2"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
MAX_MESSAGE_BYTES = 1_000_000
SIGNATURE_HEADER = signing.SIGNATURE_HEADER
TIMESTAMP_HEADER = signing.TIMESTAMP_HEADER

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


# --- signing (both directions) ----------------------------------------------------------

signature = signing.signature


def signed_headers(secret: str, body: bytes) -> dict:
    return signing.signed_headers(secret, body)


def verify_signature(secret: str, timestamp: str | None, given: str | None, body: bytes) -> None:
    try:
        signing.verify_signature(secret, timestamp, given, body)
    except signing.SignatureError as error:
        raise SignatureError(str(error)) from error


# --- certificates -----------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _details(values: dict):
    items = [E.Item(_text(v), key=k) for k, v in values.items() if v not in (None, "")]
    return [E.Details(*items)] if items else []


def certificate_element(data: dict):
    """<Certificate> from a dict shaped like ``read_certificate``'s result."""
    optional = [
        E(tag, _text(data[key]))
        for tag, key in (("HolderAddress", "holder_address"), ("Ports", "ports"))
        if data.get(key)
    ]
    lines = [
        E.Line(
            E.HsCode(line["hs_code"]),
            E.Name(line["name"]),
            E.Quantity(_text(line["quantity"])),
            E.Unit(line["unit"]),
            *_details(line.get("details") or {}),
            number=str(line["line_number"]),
        )
        for line in data["lines"]
    ]
    remarks = [E.Remarks(data["remarks"])] if data.get("remarks") else []
    return E.Certificate(
        E.Number(data["number"]),
        E.Revision(str(data["revision"])),
        E.AuthorityCode(data["authority_code"]),
        E.HolderName(data["holder_name"]),
        E.HolderUscc(data["holder_uscc"]),
        *optional,
        E.IssueDate(_text(data["issue_date"])),
        E.ValidUntil(_text(data["valid_until"])),
        *remarks,
        *_details(data.get("content") or {}),
        E.Lines(*lines),
        system=data["system"],
    )


def _read_details(element) -> dict:
    found = element.find(_q("Details"))
    if found is None:
        return {}
    return {item.get("key"): (item.text or "").strip() for item in found.findall(_q("Item"))}


def read_certificate(element) -> dict:
    """The values of a validated <Certificate> element."""

    def text(parent, tag, default=""):
        found = parent.find(_q(tag))
        return (found.text or "").strip() if found is not None else default

    return {
        "system": element.get("system"),
        "number": text(element, "Number"),
        "revision": int(text(element, "Revision")),
        "authority_code": text(element, "AuthorityCode"),
        "holder_name": text(element, "HolderName"),
        "holder_uscc": text(element, "HolderUscc"),
        "holder_address": text(element, "HolderAddress"),
        "ports": text(element, "Ports"),
        "issue_date": date.fromisoformat(text(element, "IssueDate")),
        "valid_until": date.fromisoformat(text(element, "ValidUntil")),
        "remarks": text(element, "Remarks"),
        "content": _read_details(element),
        "lines": [
            {
                "line_number": int(line.get("number")),
                "hs_code": text(line, "HsCode"),
                "name": text(line, "Name"),
                "quantity": Decimal(text(line, "Quantity")),
                "unit": text(line, "Unit"),
                "details": _read_details(line),
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


# --- inbound ----------------------------------------------------------------------------


def receipt(
    *, message_id, in_reply_to, system, number, accepted: bool, reason="", received_at
) -> bytes:
    parts = [
        E.Document(system=system, number=number),
        E.Result("ACCEPTED" if accepted else "REJECTED"),
    ]
    if reason:
        parts.append(E.Reason(reason[:500]))
    parts.append(E.ReceivedAt(received_at.isoformat(timespec="seconds")))
    root = E.Receipt(*parts, messageId=message_id, inReplyTo=in_reply_to)
    validate(root, "inbound")
    return to_bytes(root)


def write_off(*, message_id, declaration_number, declaration_date, port_code, documents):
    """A write-off (核销) of one declaration against one or more documents.

    ``documents``: ``[(system, number, [(line, quantity, item or None), …]), …]``.
    """
    root = E.WriteOff(
        E.DeclarationNumber(declaration_number),
        E.DeclarationDate(_text(declaration_date)),
        E.PortCode(port_code),
        *(
            E.Document(
                *(
                    E.Line(
                        number=str(line),
                        quantity=_text(Decimal(quantity)),
                        **({"item": str(item)} if item else {}),
                    )
                    for line, quantity, item in lines
                ),
                system=system,
                number=number,
            )
            for system, number, lines in documents
        ),
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
        document = root.find(_q("Document"))
        return {
            "kind": kind,
            "message_id": root.get("messageId"),
            "in_reply_to": root.get("inReplyTo"),
            "system": document.get("system"),
            "number": document.get("number"),
            "accepted": text("Result") == "ACCEPTED",
            "reason": text("Reason"),
        }
    return {
        "kind": kind,
        "message_id": root.get("messageId"),
        "declaration_number": text("DeclarationNumber"),
        "declaration_date": date.fromisoformat(text("DeclarationDate")),
        "port_code": text("PortCode"),
        "documents": [
            {
                "system": document.get("system"),
                "number": document.get("number"),
                "lines": [
                    (
                        int(line.get("number")),
                        Decimal(line.get("quantity")),
                        int(line.get("item")) if line.get("item") else None,
                    )
                    for line in document.findall(_q("Line"))
                ],
            }
            for document in root.findall(_q("Document"))
        ],
    }
