"""Every read of filings that depends on who is asking.

An enterprise user sees its own enterprise's filings of the modules it holds;
an approver or authority administrator its authority's, in the systems that
authority decides; nobody else anything.  Views, jobs, documents, customs and
notifications all read through these.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.accounts.selectors import enterprises_for_regulator, membership_of, seat_of
from portal.reference.models import Authority

from . import registry
from .models import ApprovalSettings, Attachment, Filing


def filer_membership(user, system_key: str):
    """The user's active membership if it holds ``system_key``, else None."""
    membership = membership_of(user)
    if membership is None or system_key not in membership.granted_modules():
        return None
    return membership


def filings_for_filer(user, system_key: str) -> QuerySet:
    """The user's enterprise's filings of one system, as the system's model."""
    model = registry.get(system_key).model
    membership = filer_membership(user, system_key)
    if membership is None:
        return model.objects.none()
    return model.objects.filter(enterprise_id=membership.enterprise_id, system=system_key)


def filing_for_filer(user, system_key: str, number: str):
    """One filing by number; another enterprise's number is a 404."""
    return get_object_or_404(filings_for_filer(user, system_key), number=number)


def any_filings_for_filer(user) -> QuerySet[Filing]:
    """Every filing of the user's enterprise in the modules the user holds (all systems)."""
    membership = membership_of(user)
    if membership is None:
        return Filing.objects.none()
    return Filing.objects.filter(
        enterprise_id=membership.enterprise_id, system__in=membership.granted_modules()
    )


def authority_id_for(user, system_key: str) -> int | None:
    """The authority a back-office user decides or administers for one system."""
    seat = seat_of(user, system_key)
    if seat is not None:
        return seat.authority_id
    admin = getattr(user, "authority_admin", None)
    if admin is not None and admin.authority.kind in registry.get(system_key).authority_kinds:
        return admin.authority_id
    return None


def systems_for_staff(user) -> list:
    """The systems a back-office user works in (through a seat or as administrator)."""
    return [s for s in registry.all_systems() if authority_id_for(user, s.key) is not None]


def filings_for_authority(user, system_key: str) -> QuerySet:
    """Everything filed to the user's authority in one system, drafts excluded."""
    system = registry.get(system_key)
    authority_id = authority_id_for(user, system_key)
    if authority_id is None:
        return system.model.objects.none()
    return system.model.objects.filter(authority_id=authority_id, system=system_key).exclude(
        status=system.draft_state
    )


def queue(user, system_key: str, name: str = "todo") -> QuerySet:
    """An approver's to-do (or withdrawal) queue: its authority's filings at its level."""
    system = registry.get(system_key)
    seat = seat_of(user, system_key)
    if seat is None:
        return system.model.objects.none()
    return system.model.objects.filter(
        authority_id=seat.authority_id,
        system=system_key,
        status__in=system.queue_states(seat.level, name),
    )


def attachments_of(filing) -> QuerySet[Attachment]:
    """A filing's attachments (the filing itself was scoped by a selector above)."""
    return Attachment.objects.filter(filing_id=filing.pk)


def approval_settings(*, authority, system: str) -> ApprovalSettings | None:
    if authority is None:
        return None
    return ApprovalSettings.objects.filter(authority=authority, system=system).first()


def authorities_accepting(*, system: str) -> QuerySet[Authority]:
    """Authorities enterprises may file to: live, and with their settings saved."""
    return Authority.objects.live().filter(approval_settings__system=system).order_by("code")


def filings_for_regulator(user, system_key: str) -> QuerySet:
    """What a regulator reads of one system: the submitted filings of enterprises in its
    jurisdiction (its region and everything under it), only with the read right for the
    system.  For a versioned system the row is the submitted version, so a change in
    progress is never read; drafts never."""
    system = registry.get(system_key)
    if not system.regulator_reads:
        return system.model.objects.none()
    qs = system.model.objects.filter(
        system=system_key,
        enterprise__in=enterprises_for_regulator(user=user, module=system_key),
    ).exclude(status=system.draft_state)
    if system.versioned:
        qs = qs.filter(live=True)
    return qs
