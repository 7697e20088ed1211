"""The portal's inbound endpoint for customs: receipts and write-offs."""

from django.db import OperationalError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from . import services, xml


def _reply(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def inbound(request):
    """Signed XML from customs. 200 applied (or already applied), 400 invalid, 403 unsigned."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > xml.MAX_MESSAGE_BYTES:
        return _reply("Message too large.", 413)
    try:
        outcome = services.receive(
            request.body,
            timestamp=request.headers.get(xml.TIMESTAMP_HEADER),
            signature=request.headers.get(xml.SIGNATURE_HEADER),
        )
    except xml.SignatureError as error:
        return _reply(str(error), 403)
    except xml.MessageError as error:
        return _reply(str(error), 400)
    except (ConcurrentTransition, OperationalError):
        return _reply("Busy: send the message again.", 503)
    return _reply(outcome, 200)
