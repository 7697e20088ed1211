"""Reads of the customs exchange scoped to who is asking."""

from django.db.models import QuerySet

from documents import selectors as documents

from .models import ImportBatch, WriteOff


def write_offs_for_authority(user) -> QuerySet[WriteOff]:
    return WriteOff.objects.filter(certificate__in=documents.certificates_for_authority(user))


def write_offs_for_filer(user) -> QuerySet[WriteOff]:
    return WriteOff.objects.filter(certificate__in=documents.certificates_for_filer(user))


def import_batches_for(user) -> QuerySet[ImportBatch]:
    authority_id = documents.authority_id_of(user)
    if authority_id is None:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(authority_id=authority_id)
