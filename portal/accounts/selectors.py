"""Every read that depends on who is asking lives here."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.reference.models import AuthorityKind, Region

from .models import ApproverSeat, Enterprise, Invitation, Membership, Regulator


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


def regulator_of(user) -> Regulator | None:
    """The user's active regulator record (read once per user object), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if "_active_regulator" not in user.__dict__:
        regulator = (
            Regulator.objects.filter(user=user, is_active=True)
            .select_related("region")
            .prefetch_related("grants")
            .first()
        )
        user.__dict__["_active_regulator"] = regulator
    return user.__dict__["_active_regulator"]


def forget_regulator(user) -> None:
    """After the regulator record of ``user`` changed: read it again next time."""
    user.__dict__.pop("_active_regulator", None)


def jurisdiction_of(user) -> Region | None:
    """The region an active regulator reads (with every region under it), else None."""
    regulator = regulator_of(user)
    return regulator.region if regulator is not None else None


def regulator_may_read(user, module: str) -> bool:
    """Whether the user is an active regulator granted the read right (查阅权限) on ``module``."""
    regulator = regulator_of(user)
    return regulator is not None and module in regulator.granted_modules()


def enterprises_for_regulator(*, user, module: str | None = None) -> QuerySet[Enterprise]:
    """The enterprises registered in the regulator's region or anywhere under it.

    None for anyone but an active regulator, and none without the read right on
    ``module`` when one is given.  The only way a regulator reaches enterprises.
    """
    regulator = regulator_of(user)
    if regulator is None or (module is not None and not regulator_may_read(user, module)):
        return Enterprise.objects.none()
    return Enterprise.objects.filter(regulator.region.scope_q("division_code"))


def administrable_region(user) -> Region | None:
    """The region whose regulators the user administers: a superuser the nation, a drug
    administration's administrator its province; None for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Region.objects.filter(prefix="").order_by("code").first()
    admin = getattr(user, "authority_admin", None)
    if admin is None or admin.authority.kind != AuthorityKind.DRUG_ADMINISTRATION:
        return None
    return Region.objects.filter(code=admin.authority.province).first()


def regulators_of_admin(user) -> QuerySet[Regulator]:
    """The regulators an administrator may see and change: those within its region."""
    qs = Regulator.objects.select_related("user", "region").prefetch_related("grants")
    if user is not None and getattr(user, "is_superuser", False):
        return qs
    region = administrable_region(user)
    if region is None:
        return qs.none()
    return qs.filter(region.scope_q("region__code"))


def regulator_for_admin(*, user, regulator_id: int) -> Regulator:
    """One regulator the administrator administers; 404 for any other."""
    return get_object_or_404(regulators_of_admin(user), pk=regulator_id)


def seats_of_authority(*, user) -> QuerySet[ApproverSeat]:
    """The approver seats an authority administrator may see and change: its own authority's."""
    admin = getattr(user, "authority_admin", None)
    if admin is None:
        return ApproverSeat.objects.none()
    return ApproverSeat.objects.filter(authority=admin.authority).select_related("user")
