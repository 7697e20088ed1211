"""Every read that depends on who is asking lives here."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.reference.models import AuthorityKind, Region

from .models import (
    AccountEvent,
    ApproverSeat,
    AuthorityAdministrator,
    Enterprise,
    Invitation,
    Membership,
    Regulator,
    User,
)


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


# --- accounts an administrator looks after (second factor reset, sign-in unlock) ------------


def administered_accounts(user) -> QuerySet[User]:
    """The accounts an administrator may reset or unlock, never its own.

    A superuser: every account (enterprise users too).  An authority administrator:
    its authority's staff, i.e. the approvers seated there, its fellow administrators
    and, for a drug administration, the regulators it administers.  Nobody else: none.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.exclude(pk=user.pk)
    admin = getattr(user, "authority_admin", None)
    if admin is None:
        return User.objects.none()
    staff = (
        Q(pk__in=ApproverSeat.objects.filter(authority=admin.authority).values("user_id"))
        | Q(
            pk__in=AuthorityAdministrator.objects.filter(authority=admin.authority).values(
                "user_id"
            )
        )
        | Q(pk__in=regulators_of_admin(user).values("user_id"))
    )
    return User.objects.filter(staff).exclude(pk=user.pk)


def accounts_with_second_factor(user, *, query: str = "", state: str = "") -> QuerySet[User]:
    """``administered_accounts`` with their second-factor state, filtered.

    ``state`` "enrolled" or "not" keeps those only; ``query`` matches the user name
    or name.  Each row carries ``enrolled`` and ``last_used`` (the authenticator's).
    """
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    qs = administered_accounts(user).annotate(
        enrolled=Exists(confirmed),
        last_used=Subquery(confirmed.values("last_used_at")[:1]),
    )
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    if state == "enrolled":
        qs = qs.filter(enrolled=True)
    elif state == "not":
        qs = qs.filter(enrolled=False)
    return qs


def administered_account(*, user, account_id) -> User:
    """One account the administrator looks after; 404 for any other (or a bogus id)."""
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        account_id = 0
    return get_object_or_404(administered_accounts(user), pk=account_id)


def account_events_for_admin(user) -> QuerySet[AccountEvent]:
    """The account events an administrator may read: all for a superuser; for an authority
    administrator those about the accounts it looks after or done by itself."""
    if user is None or not getattr(user, "is_authenticated", False):
        return AccountEvent.objects.none()
    if user.is_superuser:
        return AccountEvent.objects.all()
    if getattr(user, "authority_admin", None) is None:
        return AccountEvent.objects.none()
    return AccountEvent.objects.filter(
        Q(subject_id__in=administered_accounts(user).values("pk")) | Q(actor_id=user.pk)
    )


def locked_out_sign_ins(user) -> list[dict]:
    """The user name and address pairs django-axes has locked out now, that the
    administrator may unlock: a superuser all; an authority administrator only the user
    names of the accounts it looks after.  Newest first."""
    from axes.conf import settings as axes_settings
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.db.models import Max, Sum
    from django.utils import timezone

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    if not user.is_superuser:
        if getattr(user, "authority_admin", None) is None:
            return []
        attempts = attempts.filter(username__in=administered_accounts(user).values("username"))
    limit = axes_settings.AXES_FAILURE_LIMIT
    limit = limit if isinstance(limit, int) else 5
    return list(
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=limit)
        .order_by("-last_attempt", "username")
    )
