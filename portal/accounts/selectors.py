"""Every read that depends on who is asking lives here."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ApproverSeat, Enterprise, Invitation, Membership


def membership_of(user) -> Membership | None:
    membership = getattr(user, "membership", None)
    return membership if membership is not None and membership.is_active else None


def seats_of(user) -> dict[str, ApproverSeat]:
    """The user's active approver seats by system (read once per user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    cached = user.__dict__.get("_active_seats")
    if cached is None:
        cached = {
            seat.system: seat
            for seat in ApproverSeat.objects.filter(user=user, is_active=True).select_related(
                "authority"
            )
        }
        user.__dict__["_active_seats"] = cached
    return cached


def seat_of(user, system: str) -> ApproverSeat | None:
    """The user's active seat in one filing system, if any."""
    return seats_of(user).get(system)


def forget_seats(user) -> None:
    """After a seat of ``user`` changed: read them again next time."""
    user.__dict__.pop("_active_seats", None)


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
    """The approver seats an authority administrator may see and change: its own authority's."""
    admin = getattr(user, "authority_admin", None)
    if admin is None:
        return ApproverSeat.objects.none()
    return ApproverSeat.objects.filter(authority=admin.authority).select_related("user")
