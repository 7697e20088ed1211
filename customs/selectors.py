"""Reads of the customs exchange scoped to who is asking."""

from django.db.models import QuerySet

from documents import selectors as documents
from filings.selectors import authority_id_for

from .models import ImportBatch, OutboundMessage, WriteOff


def write_offs_for_authority(user, system: str) -> QuerySet[WriteOff]:
    return WriteOff.objects.filter(
        certificate__in=documents.certificates_for_authority(user, system)
    )


def write_offs_for_filer(user, system: str) -> QuerySet[WriteOff]:
    return WriteOff.objects.filter(certificate__in=documents.certificates_for_filer(user, system))


def import_batches_for(user, system: str) -> QuerySet[ImportBatch]:
    authority_id = authority_id_for(user, system)
    if authority_id is None:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(authority_id=authority_id, system=system)


def dead_letters_for_authority(user, system: str):
    """Messages to customs of this system that every retry failed (死信), limited to the
    certificates the user's authority issued or imported."""
    return OutboundMessage.objects.filter(
        state=OutboundMessage.State.DEAD,
        certificate__in=documents.certificates_for_authority(user, system),
    )
