"""Every read that depends on who is asking lives here."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ApproverSeat, Enterprise, Invitation, Membership


def membership_of(user) -> Membership | None:
    membership = getattr(user, "membership", None)
    return membership if membership is not None and membership.is_active else None


def agents_of_enterprise(*, owner) -> QuerySet[Membership]:
    """The agents the owner manages, never another enterprise's."""
    return (
        Membership.objects.filter(enterprise=owner.membership.enterprise, is_owner=False)
        .select_related("user")
        .prefetch_related("grants")
        .order_by("user__username")
    )


def agent_for_owner(*, owner, membership_id: int) -> Membership:
    return get_object_or_404(agents_of_enterprise(owner=owner), pk=membership_id)


def open_invitations(*, owner) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        enterprise=owner.membership.enterprise, accepted_at=None, cancelled_at=None
    )


def invitation_for_owner(*, owner, invitation_id: int) -> Invitation:
    return get_object_or_404(open_invitations(owner=owner), pk=invitation_id)


def enterprises_for_regulator(*, user) -> QuerySet[Enterprise]:
    """A regulator reads only the enterprises of its own jurisdiction."""
    regulator = getattr(user, "regulator", None)
    if regulator is None:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(province=regulator.jurisdiction)


def seats_of_authority(*, user) -> QuerySet[ApproverSeat]:
    """The approver seats an authority administrator may see."""
    admin = getattr(user, "authority_admin", None)
    if admin is None:
        return ApproverSeat.objects.none()
    return ApproverSeat.objects.filter(authority=admin.authority).select_related("user")
