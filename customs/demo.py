"""Demo data through the real customs exchange (``make run``'s demo, never production).

The certificate goes out through the outbox to the customs simulator, run here in
process; customs' receipt and a declaration's write-off come back as signed messages
through the same ``services.receive`` the inbound endpoint calls.
"""

import tempfile
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from . import services as customs
from . import xml
from .models import OutboundMessage
from .simulator import Simulator


def through_customs(certificate, *, actor, written_off) -> None:
    """Send ``certificate`` to customs, have customs accept it and write ``written_off`` of
    its first line off against one declaration."""
    message = customs.send_certificate(certificate=certificate, actor=actor)
    with tempfile.NamedTemporaryFile(suffix=".sqlite3") as db:
        simulator = Simulator(db_path=db.name, portal_url="", secret=settings.CUSTOMS_SECRET)

        def post(body, *, message_id):
            headers = {**xml.signed_headers(settings.CUSTOMS_SECRET, body)}
            headers["Idempotency-Key"] = message_id
            return simulator.accept_message(body, headers)[0]

        customs.deliver_due(post=post)
    if OutboundMessage.objects.get(pk=message.pk).state != OutboundMessage.State.DELIVERED:
        raise RuntimeError("The customs simulator did not take the demo certificate.")

    def receive(body):
        headers = xml.signed_headers(settings.CUSTOMS_SECRET, body)
        customs.receive(
            body,
            timestamp=headers.get(xml.TIMESTAMP_HEADER),
            signature=headers.get(xml.SIGNATURE_HEADER),
        )

    receive(
        xml.receipt(
            message_id=xml.new_message_id(),
            in_reply_to=message.message_id,
            system=certificate.system,
            number=certificate.number,
            accepted=True,
            received_at=datetime.now().astimezone(),
        )
    )
    line = certificate.lines.order_by("line_number").first()
    receive(
        xml.write_off(
            message_id=xml.new_message_id(),
            declaration_number="223320261000000001",
            declaration_date=timezone.localdate(),
            port_code="2233",
            documents=[
                (certificate.system, certificate.number, [(line.line_number, written_off, 1)])
            ],
        )
    )
