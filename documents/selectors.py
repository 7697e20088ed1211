"""Every read of filings that depends on who is asking."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import LEVEL_FOR_STATE, DrugPermitApplication


def drug_permits_for_filer(user) -> QuerySet[DrugPermitApplication]:
    """An enterprise user's own enterprise's drug permit filings, if granted the module."""
    membership = getattr(user, "membership", None)
    if (
        membership is None
        or not membership.is_active
        or "DRUG_PERMIT" not in membership.granted_modules()
    ):
        return DrugPermitApplication.objects.none()
    return DrugPermitApplication.objects.filter(enterprise_id=membership.enterprise_id)


def drug_permit_for_filer(user, number: str) -> DrugPermitApplication:
    """One filing by number; another enterprise's number is a 404."""
    return get_object_or_404(drug_permits_for_filer(user), number=number)


def drug_permits_for_authority(user) -> QuerySet[DrugPermitApplication]:
    """Everything filed to the approver's (or authority admin's) authority, drafts excluded."""
    holder = getattr(user, "approver_seat", None) or getattr(user, "authority_admin", None)
    if holder is None:
        return DrugPermitApplication.objects.none()
    return DrugPermitApplication.objects.filter(authority_id=holder.authority_id).exclude(
        status="DRAFT"
    )


def drug_permit_queue(user) -> QuerySet[DrugPermitApplication]:
    """The approver's to-do list: its authority's filings waiting at its level."""
    seat = getattr(user, "approver_seat", None)
    if seat is None:
        return DrugPermitApplication.objects.none()
    states = [state for state, levels in LEVEL_FOR_STATE.items() if seat.level in levels]
    return DrugPermitApplication.objects.filter(
        authority_id=seat.authority_id, status__in=states
    ).order_by("submitted_at")
