"""Every read of filings that depends on who is asking."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import (
    LEVEL_FOR_STATE,
    Attachment,
    Certificate,
    DocumentJob,
    DrugPermitApplication,
    Notice,
)


def drug_permit_membership(user):
    """The user's active membership if it was granted the drug permit module, else None."""
    membership = getattr(user, "membership", None)
    if (
        membership is None
        or not membership.is_active
        or "DRUG_PERMIT" not in membership.granted_modules()
    ):
        return None
    return membership


def drug_permits_for_filer(user) -> QuerySet[DrugPermitApplication]:
    """An enterprise user's own enterprise's drug permit filings, if granted the module."""
    membership = drug_permit_membership(user)
    if membership is None:
        return DrugPermitApplication.objects.none()
    return DrugPermitApplication.objects.filter(enterprise_id=membership.enterprise_id)


def drug_permit_for_filer(user, number: str) -> DrugPermitApplication:
    """One filing by number; another enterprise's number is a 404."""
    return get_object_or_404(drug_permits_for_filer(user), number=number)


def authority_id_of(user) -> int | None:
    """The authority an approver seat or an authority administrator works for."""
    holder = getattr(user, "approver_seat", None) or getattr(user, "authority_admin", None)
    return holder.authority_id if holder else None


def drug_permits_for_authority(user) -> QuerySet[DrugPermitApplication]:
    """Everything filed to the approver's (or authority admin's) authority, drafts excluded."""
    authority_id = authority_id_of(user)
    if authority_id is None:
        return DrugPermitApplication.objects.none()
    return DrugPermitApplication.objects.filter(authority_id=authority_id).exclude(status="DRAFT")


def certificates_for_authority(user) -> QuerySet[Certificate]:
    authority_id = authority_id_of(user)
    if authority_id is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(authority_id=authority_id)


def certificates_for_filer(user) -> QuerySet[Certificate]:
    """The certificates an enterprise holds: issued on its filings or imported in its name."""
    membership = drug_permit_membership(user)
    if membership is None:
        return Certificate.objects.none()
    enterprise = membership.enterprise
    return Certificate.objects.filter(
        Q(application__enterprise_id=enterprise.pk) | Q(holder_uscc=enterprise.uscc)
    )


def notices_for_authority(user) -> QuerySet[Notice]:
    authority_id = authority_id_of(user)
    if authority_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(authority_id=authority_id)


def notices_for_filer(user, application) -> QuerySet[Notice]:
    """The notices of a filing already scoped to the user by ``drug_permit_for_filer``."""
    return Notice.objects.filter(
        application__in=drug_permits_for_filer(user), application=application
    )


def jobs_of(user) -> QuerySet[DocumentJob]:
    return DocumentJob.objects.filter(owner_id=user.pk)


def drug_permit_queue(user) -> QuerySet[DrugPermitApplication]:
    """The approver's to-do list: its authority's filings waiting at its level."""
    seat = getattr(user, "approver_seat", None)
    if seat is None:
        return DrugPermitApplication.objects.none()
    states = [state for state, levels in LEVEL_FOR_STATE.items() if seat.level in levels]
    return DrugPermitApplication.objects.filter(
        authority_id=seat.authority_id, status__in=states
    ).order_by("submitted_at")


def attachments_of(filing) -> QuerySet[Attachment]:
    """A filing's attachments (the filing itself was scoped by one of the selectors above)."""
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(filing), object_id=str(filing.pk)
    )
