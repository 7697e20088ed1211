"""Who uses the portal: enterprises and their people, and the back-office seats."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reference.models import Authority, Module, Province, Region

from .validators import validate_phone, validate_trade_registration, validate_uscc


class User(AbstractUser):
    phone = models.CharField(_("phone"), max_length=30, blank=True)


class Enterprise(models.Model):
    name_zh = models.CharField(_("company name (Chinese)"), max_length=200)
    name_en = models.CharField(_("company name (English)"), max_length=200, blank=True)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    # From characters 3-8 of the USCC; stored so regulators' lists filter in SQL.
    province = models.CharField(_("province"), max_length=6, choices=Province.choices)
    # Characters 3-8 of the USCC (GB/T 2260): regulators' regions select on its range.
    division_code = models.CharField(
        _("administrative division code"), max_length=6, db_index=True, editable=False
    )
    address = models.CharField(_("address"), max_length=300)
    address_en = models.CharField(
        _("address (English)"),
        max_length=300,
        blank=True,
        help_text=_("As on the foreign-trade operator record; filled into drug permits."),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    drug_manufacturing_licence = models.CharField(
        _("drug manufacturing licence number"), max_length=50, blank=True
    )
    production_address = models.CharField(_("production address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30, validators=[validate_phone])
    contact_email = models.EmailField(_("contact e-mail"))
    trade_registration_number = models.CharField(
        _("foreign-trade operator record number"),
        max_length=8,
        blank=True,
        validators=[validate_trade_registration],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name_zh"]

    def __str__(self):
        return self.name_zh

    def save(self, *args, **kwargs):
        # Derived, never typed: bulk paths set it themselves.
        if self.uscc and not self.division_code:
            self.division_code = self.uscc[2:8]
        super().save(*args, **kwargs)

    @property
    def has_trade_registration(self) -> bool:
        return bool(self.trade_registration_number)


class Membership(models.Model):
    """A user's place in an enterprise: its owner (法人) or an agent (经办人)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")
    is_owner = models.BooleanField(default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(is_owner=True),
                name="one_owner_per_enterprise",
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.enterprise}"

    def granted_modules(self) -> list[str]:
        if self.is_owner:
            return list(Module.values)
        return [g.module for g in self.grants.all()]


class ModuleGrant(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="grants")
    module = models.CharField(max_length=30, choices=Module.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "module"], name="one_grant_per_module")
        ]

    def __str__(self):
        return f"{self.membership} · {self.get_module_display()}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class Invitation(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="invitations")
    name = models.CharField(_("name"), max_length=50)
    email = models.EmailField(_("e-mail"))
    modules = models.JSONField(default=list)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )


class ApproverSeat(models.Model):
    """One user's seat in one filing system: an authority and a level (as a card key carries one).

    A user holds at most one seat per system.  The level's meaning (受理, 初审…)
    comes from the system's declared stages.  Authority administrators create
    and disable seats; a disabled seat decides nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="approver_seats",
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="seats"
    )
    system = models.CharField(_("filing system"), max_length=30, choices=Module.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("approver seat")
        verbose_name_plural = _("approver seats")
        ordering = ["system", "level", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "system"], name="one_seat_per_system")
        ]
        indexes = [models.Index(fields=["authority", "system", "level", "is_active"])]

    def __str__(self):
        return f"{self.authority} · {self.get_system_display()} · {self.level}"


class AuthorityAdministrator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authority_admin"
    )
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="admins")

    def __str__(self):
        return f"{self.user} · {self.authority}"


class Regulator(models.Model):
    """A drug regulator (监管用户) at one level: it reads its region and every region under it.

    What it may read comes from the modules an administrator granted it
    (``RegulatorGrant``); a disabled regulator reads nothing.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regulator"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="regulators"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("regulator")
        verbose_name_plural = _("regulators")

    def __str__(self):
        return f"{self.user} · {self.region.localized_name}"

    def granted_modules(self) -> list[str]:
        return [g.module for g in self.grants.all()]


class RegulatorGrant(models.Model):
    """The read right (查阅权限) on one module, granted to a regulator by an administrator."""

    regulator = models.ForeignKey(Regulator, on_delete=models.CASCADE, related_name="grants")
    module = models.CharField(_("module"), max_length=30, choices=Module.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["regulator", "module"], name="one_regulator_grant_per_module"
            )
        ]

    def __str__(self):
        return f"{self.regulator} · {self.get_module_display()}"


class AccountEventKind(models.TextChoices):
    SECOND_FACTOR_RESET = "SECOND_FACTOR_RESET", _("Second factor reset")
    LOGIN_UNLOCKED = "LOGIN_UNLOCKED", _("Sign-in unlocked")


class AccountEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("account events are append-only")

    def delete(self):
        raise TypeError("account events are append-only")


class AccountEvent(models.Model):
    """One administrator's action on an account: who did what to whom, when and why.

    Append-only (on PostgreSQL a trigger refuses UPDATE and DELETE).  Plain ids and
    names copied when the row is written, no foreign key: deleting or renaming a user
    leaves the row whole.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("action"), max_length=30, choices=AccountEventKind.choices)
    actor_id = models.BigIntegerField(_("by (id)"), null=True)
    actor_display = models.CharField(_("by"), max_length=300)
    subject_id = models.BigIntegerField(_("account (id)"), null=True, db_index=True)
    subject_display = models.CharField(_("account"), max_length=300)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AccountEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.subject_display}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("account events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("account events are append-only")
