"""Approver seats, managed by each authority's administrator (seed 000 §4.2.1).

In the seed, card keys are issued centrally and carry a level; here accounts
replace keys, so the authority administrator creates, changes and disables
seats (user + system + level) for its own authority.  A user holds at most
one seat per system.  Every level an authority configured must keep an
active seat: the last one cannot be disabled or moved away.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from filings import registry
from filings.models import ApprovalSettings
from portal.accounts.models import ApproverSeat, User
from portal.accounts.roles import ROLE_GROUPS, Role
from portal.accounts.selectors import forget_seats
from portal.transactions import top_level


def levels_without_seat(*, authority, system: str, levels) -> list[int]:
    """The configured ``levels`` that have no active seat at ``authority`` in ``system``."""
    seated = set(
        ApproverSeat.objects.filter(
            authority=authority, system=system, is_active=True, level__in=levels
        ).values_list("level", flat=True)
    )
    return [level for level in levels if level not in seated]


def _admin_authority(actor):
    admin = getattr(actor, "authority_admin", None)
    if admin is None:
        raise PermissionDenied
    return admin.authority


def systems_of_authority(authority) -> list:
    """The filing systems an authority of this kind decides."""
    return [s for s in registry.all_systems() if authority.kind in s.authority_kinds and s.stages]


def _check_level(system_key: str, level, authority) -> None:
    system = registry.find(system_key)
    if system is None or system not in systems_of_authority(authority):
        raise ValidationError({"system": _("Your authority does not decide this system.")})
    if system.stage_for_level(int(level)) is None:
        raise ValidationError({"level": _("This system has no such approval level.")})


def _last_seat_of_configured_level(seat) -> bool:
    settings_obj = ApprovalSettings.objects.filter(
        authority_id=seat.authority_id, system=seat.system
    ).first()
    if settings_obj is None or seat.level not in settings_obj.enabled_levels:
        return False
    return (
        not ApproverSeat.objects.filter(
            authority_id=seat.authority_id, system=seat.system, level=seat.level, is_active=True
        )
        .exclude(pk=seat.pk)
        .exists()
    )


@top_level
def create_seat(
    *,
    actor,
    system: str,
    level: int,
    username: str,
    full_name: str = "",
    email: str = "",
    password: str = "",
) -> ApproverSeat:
    """A seat for an existing approver account, or for a new account created with it."""
    authority = _admin_authority(actor)
    _check_level(system, level, authority)
    username = username.strip()
    user = User.objects.filter(username=username).first()
    if user is None:
        errors = {}
        if not full_name.strip():
            errors["full_name"] = _("Enter the approver's name for a new account.")
        if not password:
            errors["password"] = _("Set a first password for a new account.")
        else:
            try:
                validate_password(password, User(username=username, email=email))
            except ValidationError as error:
                errors["password"] = error.messages
        if errors:
            raise ValidationError(errors)
        user = User(username=username, email=email.strip(), first_name=full_name.strip())
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    else:
        other = user.approver_seats.exclude(authority=authority).exists()
        if hasattr(user, "membership") or other or user.is_superuser:
            raise ValidationError(
                {"username": _("This account belongs to someone outside your authority.")}
            )
        if user.approver_seats.filter(system=system).exists():
            raise ValidationError(
                {"username": _("This account already holds a seat in this system.")}
            )
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.APPROVER]))
    seat = ApproverSeat.objects.create(
        user=user, authority=authority, system=system, level=int(level)
    )
    forget_seats(user)
    return seat


@top_level
def change_seat(*, actor, seat: ApproverSeat, level: int | None = None, active: bool | None = None):
    """Move a seat to another level, or disable / enable it."""
    authority = _admin_authority(actor)
    seat = ApproverSeat.objects.select_for_update().get(pk=seat.pk)
    if seat.authority_id != authority.pk:
        raise PermissionDenied
    leaving = (active is False and seat.is_active) or (
        level is not None and int(level) != seat.level and seat.is_active
    )
    if leaving and _last_seat_of_configured_level(seat):
        raise ValidationError(
            _("This is the last active seat of a configured level; add another seat first.")
        )
    if level is not None:
        _check_level(seat.system, level, authority)
        seat.level = int(level)
    if active is not None:
        seat.is_active = active
    seat.save()
    forget_seats(seat.user)
    return seat
