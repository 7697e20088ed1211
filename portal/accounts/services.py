"""Changes to accounts: each one a transaction, called by views and commands."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.reference.models import Authority, Module, Province, Region
from portal.transactions import top_level

from .models import (
    AccountEvent,
    AccountEventKind,
    ApproverSeat,
    AuthorityAdministrator,
    Enterprise,
    Invitation,
    Membership,
    ModuleGrant,
    Regulator,
    RegulatorGrant,
    User,
)
from .roles import ROLE_GROUPS, Role
from .selectors import (
    administered_accounts,
    administrable_region,
    forget_regulator,
    locked_out_sign_ins,
    regulators_of_admin,
)
from .validators import normalize_uscc


@top_level
def register_enterprise(
    *,
    username: str,
    password: str,
    name_zh: str,
    name_en: str,
    uscc: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    trade_registration_number: str = "",
) -> Membership:
    """Create an enterprise and its owner account (self-registration)."""
    uscc = normalize_uscc(uscc)
    enterprise = Enterprise(
        name_zh=name_zh,
        name_en=name_en,
        uscc=uscc,
        province=Province.from_division_code(uscc[2:8]),
        division_code=uscc[2:8],
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        trade_registration_number=trade_registration_number,
    )
    enterprise.full_clean()
    enterprise.save()
    user = User.objects.create_user(
        username=username, password=password, email=contact_email, first_name=contact_name
    )
    return Membership.objects.create(user=user, enterprise=enterprise, is_owner=True)


def _require_owner(owner) -> Membership:
    membership = getattr(owner, "membership", None)
    if membership is None or not membership.is_owner:
        raise PermissionError("only an enterprise owner may manage agents")
    return membership


@top_level
def invite_agent(*, owner, name: str, email: str, modules: list[str], accept_url_base: str):
    """Record an invitation and e-mail its link once the transaction commits."""
    membership = _require_owner(owner)
    invitation = Invitation.objects.create(
        enterprise=membership.enterprise,
        name=name,
        email=email,
        modules=[m for m in Module.values if m in modules],
        created_by=owner,
    )
    link = accept_url_base + reverse("accounts:accept-invitation", args=[invitation.token])
    subject = _("%(enterprise)s invites you to the Single Window Portal") % {
        "enterprise": membership.enterprise.name_zh
    }
    body = _(
        "%(name)s,\n\n%(enterprise)s has invited you to file for it as an agent.\n"
        "Open this link within %(days)s days to create your account:\n%(link)s\n"
    ) % {
        "name": name,
        "enterprise": membership.enterprise.name_zh,
        "days": settings.INVITATION_VALID_DAYS,
        "link": link,
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


@top_level
def cancel_invitation(*, invitation: Invitation) -> None:
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])


@top_level
def accept_invitation(*, invitation: Invitation, username: str, password: str) -> Membership:
    """Create the agent's account with the modules the owner chose."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValueError("invitation is no longer open")
    user = User.objects.create_user(
        username=username, password=password, email=invitation.email, first_name=invitation.name
    )
    membership = Membership.objects.create(user=user, enterprise=invitation.enterprise)
    ModuleGrant.objects.bulk_create(
        ModuleGrant(membership=membership, module=module) for module in invitation.modules
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@top_level
def set_agent_modules(*, owner, agent: Membership, modules: list[str]) -> None:
    """Grant and revoke modules so the agent holds exactly ``modules``."""
    membership = _require_owner(owner)
    if agent.enterprise_id != membership.enterprise_id or agent.is_owner:
        raise PermissionError("not an agent of this enterprise")
    wanted = {m for m in modules if m in Module.values}
    agent.grants.exclude(module__in=wanted).delete()
    held = set(agent.grants.values_list("module", flat=True))
    ModuleGrant.objects.bulk_create(
        ModuleGrant(membership=agent, module=module) for module in sorted(wanted - held)
    )


@top_level
def set_agent_active(*, owner, agent: Membership, active: bool) -> None:
    membership = _require_owner(owner)
    if agent.enterprise_id != membership.enterprise_id or agent.is_owner:
        raise PermissionError("not an agent of this enterprise")
    agent.is_active = active
    agent.save(update_fields=["is_active"])
    agent.user.is_active = active
    agent.user.save(update_fields=["is_active"])


# What the owner may change after registration; name and USCC are fixed.
PROFILE_FIELDS = (
    "name_en",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "trade_registration_number",
    "address_en",
    "legal_representative",
    "drug_manufacturing_licence",
    "production_address",
)


@top_level
def update_enterprise_profile(*, owner, **fields) -> Enterprise:
    enterprise = _require_owner(owner).enterprise
    changed = [name for name in fields if name in PROFILE_FIELDS]
    for name in changed:
        setattr(enterprise, name, fields[name])
    enterprise.full_clean()
    enterprise.save(update_fields=changed)
    return enterprise


def _staff_user(username: str, password: str | None, role: Role, **extra) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=extra)
    if created and password:
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


@top_level
def create_approver(
    *,
    username: str,
    password: str | None,
    authority: Authority,
    system: str,
    level: int,
    **extra,
) -> ApproverSeat:
    """An approver account with its seat in one system: one authority, one level.

    For setting up (demo data, tests); authority administrators create seats
    through ``workflows.seats``.
    """
    user = _staff_user(username, password, Role.APPROVER, **extra)
    seat, _created = ApproverSeat.objects.get_or_create(
        user=user, system=system, defaults={"authority": authority, "level": level}
    )
    return seat


@top_level
def create_authority_admin(
    *, username: str, password: str | None, authority: Authority, **extra
) -> AuthorityAdministrator:
    user = _staff_user(username, password, Role.AUTHORITY_ADMIN, **extra)
    admin, _created = AuthorityAdministrator.objects.get_or_create(
        user=user, defaults={"authority": authority}
    )
    return admin


def _require_region_admin(actor, region: Region) -> None:
    """Only an administrator whose own region holds ``region`` may act on regulators there."""
    own = administrable_region(actor)
    if own is None or not region.is_within(own):
        raise PermissionDenied


def _grant(regulator: Regulator, modules, actor) -> None:
    wanted = {m for m in modules if m in Module.values}
    regulator.grants.exclude(module__in=wanted).delete()
    held = set(regulator.grants.values_list("module", flat=True))
    RegulatorGrant.objects.bulk_create(
        RegulatorGrant(regulator=regulator, module=module, granted_by=actor)
        for module in sorted(wanted - held)
    )


@top_level
def create_regulator(
    *,
    actor,
    username: str,
    password: str | None,
    region: Region,
    modules=(),
    **extra,
) -> Regulator:
    """A regulator account reading ``region`` and every region under it, granted ``modules``.

    ``actor`` None is setting up (demo data, tests): an existing account of that
    name is reused and its grants are added to.  Otherwise ``actor`` is an
    administrator: the region must lie within the one it administers, and the
    account must be new.
    """
    if actor is None:
        user = _staff_user(username, password, Role.REGULATOR, **extra)
        regulator, _created = Regulator.objects.get_or_create(
            user=user, defaults={"region": region}
        )
        held = set(regulator.grants.values_list("module", flat=True))
        RegulatorGrant.objects.bulk_create(
            RegulatorGrant(regulator=regulator, module=module)
            for module in sorted({m for m in modules if m in Module.values} - held)
        )
        forget_regulator(user)
        return regulator

    _require_region_admin(actor, region)
    username = username.strip()
    errors = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This user name is taken; choose another.")
    if not password:
        errors["password"] = _("Set a first password for the new account.")
    else:
        try:
            validate_password(password, User(username=username))
        except ValidationError as error:
            errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    user = User(username=username, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.REGULATOR]))
    regulator = Regulator.objects.create(user=user, region=region)
    _grant(regulator, modules, actor)
    forget_regulator(user)
    return regulator


def _administered(actor, regulator: Regulator) -> Regulator:
    """The regulator, locked, if ``actor`` administers it; PermissionDenied otherwise."""
    found = regulators_of_admin(actor).select_for_update(of=("self",)).filter(pk=regulator.pk)
    regulator = found.first()
    if regulator is None:
        raise PermissionDenied
    return regulator


@top_level
def set_regulator_modules(*, actor, regulator: Regulator, modules) -> Regulator:
    """Grant and revoke read rights so the regulator holds exactly ``modules``."""
    locked = _administered(actor, regulator)
    _grant(locked, modules, actor)
    forget_regulator(regulator.user)
    return locked


@top_level
def set_regulator_region(*, actor, regulator: Regulator, region) -> Regulator:
    """Move a regulator to another region, within the administrator's own."""
    locked = _administered(actor, regulator)
    own = administrable_region(actor)
    if own is None or not region.is_within(own):
        raise PermissionDenied
    locked.region = region
    locked.save(update_fields=["region"])
    forget_regulator(regulator.user)
    return locked


@top_level
def set_regulator_active(*, actor, regulator: Regulator, active: bool) -> Regulator:
    """Disable a regulator (it reads nothing and cannot sign in) or enable it again."""
    locked = _administered(actor, regulator)
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    locked.user.is_active = active
    locked.user.save(update_fields=["is_active"])
    forget_regulator(regulator.user)
    return locked


@top_level
def update_regulator(*, actor, regulator: Regulator, region, modules, active: bool) -> None:
    """The regulator page's one form: region, read rights and active, in one transaction."""
    if region != regulator.region:
        set_regulator_region.within(actor=actor, regulator=regulator, region=region)
    set_regulator_modules.within(actor=actor, regulator=regulator, modules=modules)
    if active != regulator.is_active:
        set_regulator_active.within(actor=actor, regulator=regulator, active=active)


@top_level
def create_editor(*, username: str, password: str | None, moderator: bool = False, **extra):
    return _staff_user(username, password, Role.MODERATOR if moderator else Role.EDITOR, **extra)


# --- administrators: second factor reset and sign-in unlock, each with an account event ------


def _display(user) -> str:
    return user.get_full_name() or user.get_username()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason (it is kept in the account log).")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Keep the reason under 1000 characters.")})
    return reason


@top_level(atomic=False)
def reset_second_factor(*, actor, account, reason: str) -> AccountEvent:
    """Delete the account's authenticator and recovery codes: it enrols again at its next
    sign-in (a session it has open now loses its second factor too).  Only an administrator
    who looks after the account (``selectors.administered_accounts``); an account event."""
    from . import second_factor

    with transaction.atomic(durable=True):
        if not administered_accounts(actor).filter(pk=account.pk).exists():
            raise PermissionDenied
        reason = _reason(reason)
        second_factor.reset(account)
        return AccountEvent.objects.create(
            kind=AccountEventKind.SECOND_FACTOR_RESET,
            actor_id=actor.pk,
            actor_display=_display(actor),
            subject_id=account.pk,
            subject_display=account.get_username(),
            reason=reason,
        )


@top_level(atomic=False)
def unlock_sign_in(*, actor, username: str, ip_address: str, reason: str) -> AccountEvent:
    """Lift django-axes' lockout of one user name from one address (axes' own reset).

    Only a lockout the administrator may see (``selectors.locked_out_sign_ins``); an
    account event."""
    from axes.utils import reset as axes_reset

    with transaction.atomic(durable=True):
        username = (username or "").strip()
        ip_address = (ip_address or "").strip()
        locked = {(row["username"], row["ip_address"]) for row in locked_out_sign_ins(actor)}
        if not username or not ip_address or (username, ip_address) not in locked:
            raise ValidationError(_("That sign-in is not locked out (any more)."))
        reason = _reason(reason)
        axes_reset(ip=ip_address, username=username)
        subject = User.objects.filter(username=username).first()
        return AccountEvent.objects.create(
            kind=AccountEventKind.LOGIN_UNLOCKED,
            actor_id=actor.pk,
            actor_display=_display(actor),
            subject_id=subject.pk if subject else None,
            subject_display=username,
            ip_address=ip_address,
            reason=reason,
        )
