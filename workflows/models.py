"""What every filing system's approval shares: numbers, history, the chain."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import ApproverLevel
from portal.reference.models import Authority, Module


class NumberSequence(models.Model):
    """The last number handed out for one key (e.g. a year and a system)."""

    key = models.CharField(max_length=100, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.value}"


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).order_by("created_at", "pk")

    def update(self, **kwargs):
        raise TypeError("audit entries are append-only")

    def delete(self):
        raise TypeError("audit entries are append-only")


# What each recorded action is called in the history tables.
ACTION_LABELS = {
    "submit": _("Submitted to the authority"),
    "resubmit": _("Submitted again after supplement"),
    "request_withdrawal": _("Withdrawal requested"),
    "approve_withdrawal": _("Withdrawal approved"),
    "reject_withdrawal": _("Withdrawal rejected"),
    "accept": _("Accepted"),
    "not_accept": _("Not accepted"),
    "request_supplement": _("Supplement requested"),
    "review_agree": _("Reviewed: agree"),
    "review_disagree": _("Reviewed: disagree"),
    "approve": _("Approved"),
    "refuse": _("Refused"),
    "send_refusal_notice": _("Refusal decision sent"),
    "void_certificate": _("Certificate voided"),
    "correct_certificate": _("Certificate corrected"),
    "customs_send": _("Sent to customs"),
    "customs_send_failed": _("Sending to customs failed"),
    "customs_accepted": _("Received by customs"),
    "customs_rejected": _("Rejected by customs"),
    "customs_void_accepted": _("Void accepted by customs"),
    "customs_void_refused": _("Void refused by customs"),
}


class AuditEntry(models.Model):
    """One status change of one filing: who, at which seat, from, to, why, when, where."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    seat_level = models.PositiveSmallIntegerField(
        _("level"), choices=ApproverLevel.choices, null=True
    )
    transition = models.CharField(_("action"), max_length=50)
    from_state = models.CharField(_("from status"), max_length=40)
    to_state = models.CharField(_("to status"), max_length=40)
    opinion = models.TextField(_("opinion"), blank=True)
    notice_number = models.CharField(_("notice number"), max_length=50, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.transition, self.transition))


class ApprovalSettings(models.Model):
    """An authority's settings for one filing system (初始值设置).

    Acceptance and final decision are always on; first and second review are
    chosen once, then locked (only a superuser changes them).  The names and
    contact details appear on every notice and certificate.
    """

    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="approval_settings"
    )
    module = models.CharField(_("filing system"), max_length=30, choices=Module.choices)
    first_review = models.BooleanField(_("first review (初审)"), default=False)
    second_review = models.BooleanField(_("second review (复审)"), default=False)
    stages_locked = models.BooleanField(_("stages locked"), default=False, editable=False)
    name_zh = models.CharField(_("authority name (Chinese)"), max_length=200)
    name_en = models.CharField(_("authority name (English)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6)
    contact = models.CharField(_("contact person"), max_length=50)
    import_validity_days = models.PositiveSmallIntegerField(
        _("import permit validity (days)"), default=365
    )
    export_validity_days = models.PositiveSmallIntegerField(
        _("export permit validity (days)"), default=90
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("authority settings")
        verbose_name_plural = _("authority settings")
        constraints = [
            models.UniqueConstraint(fields=["authority", "module"], name="one_settings_per_module")
        ]

    def __str__(self):
        return f"{self.authority} · {self.get_module_display()}"

    @property
    def levels(self) -> list[int]:
        """The approval levels an application passes, in order."""
        levels = [ApproverLevel.ACCEPT]
        if self.first_review:
            levels.append(ApproverLevel.FIRST_REVIEW)
        if self.second_review:
            levels.append(ApproverLevel.SECOND_REVIEW)
        levels.append(ApproverLevel.FINAL_DECISION)
        return [int(level) for level in levels]

    def next_level(self, level: int) -> int | None:
        """The level after ``level``, or None after the final decision."""
        levels = self.levels
        index = levels.index(level)
        return levels[index + 1] if index + 1 < len(levels) else None
