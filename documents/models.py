"""What filings produce: notices, certificates, verification codes, print records.

Shared by every filing system.  A notice or a certificate points at a
``Filing`` (any system's); what a system's certificate says beyond the common
fields lives in ``content`` (its header) and each line's ``details``, as the
system's declaration builds them.  Notices and certificates keep Wagtail
revisions: a correction is a new revision, compared field by field; a sent
notice never changes.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import RevisionMixin

from filings import registry
from filings.transitions import system_step
from portal.accounts.selectors import seat_of
from portal.reference.models import Module


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "ACCEPTANCE", _("Acceptance notice")
    NON_ACCEPTANCE = "NON_ACCEPTANCE", _("Non-acceptance notice")
    SUPPLEMENT = "SUPPLEMENT", _("Supplement notice")
    REFUSAL = "REFUSAL", _("Refusal decision")


class UnchangeableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("a sent notice never changes")


class Notice(RevisionMixin, models.Model):
    """A notice sent to the enterprise with a decision; printable any time, never changed."""

    filing = models.ForeignKey("filings.Filing", on_delete=models.PROTECT, related_name="notices")
    authority = models.ForeignKey(
        "reference.Authority",
        verbose_name=_("approving authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("notice type"), max_length=20, choices=NoticeKind.choices)
    number = models.CharField(_("notice number"), max_length=50)
    opinion = models.TextField(_("opinion"))
    issued_on = models.DateField(_("date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnchangeableQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["authority", "-created_at", "-id"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def save(self, *args, **kwargs):
        # Sent is final: only the pointer to its (one) revision may be written later.
        if not self._state.adding and set(kwargs.get("update_fields") or ()) != {"latest_revision"}:
            raise TypeError("a sent notice never changes")
        super().save(*args, **kwargs)


class CertificateStatus(models.TextChoices):
    ISSUED = "ISSUED", _("Issued")
    VOID_REQUESTED = "VOID_REQUESTED", _("Void, awaiting customs")
    VOID = "VOID", _("Void")


class CustomsStatus(models.TextChoices):
    NOT_SENT = "NOT_SENT", _("Not sent to customs")
    SENT = "SENT", _("Sent to customs")
    ACCEPTED = "ACCEPTED", _("Received by customs")
    REJECTED = "REJECTED", _("Rejected by customs")
    SEND_FAILED = "SEND_FAILED", _("Sending failed")


class CertificateSource(models.TextChoices):
    ISSUED_HERE = "ISSUED_HERE", _("Issued on approval")
    IMPORTED = "IMPORTED", _("Imported from the authority's own system")
    ENTERED = "ENTERED", _("Entered from a paper certificate")


def legacy_entry_authority_id(user, system_key: str) -> int | None:
    """The authority whose earlier paper certificates ``user`` may enter (老版录入) in a
    system that declares ``enters_legacy_certificates``: an approver seated at the system's
    last stage level, or the authority's administrator.  None for anyone else."""
    system = registry.find(system_key)
    if system is None or not system.enters_legacy_certificates or not system.levels:
        return None
    seat = seat_of(user, system_key)
    if seat is not None:
        return seat.authority_id if seat.level == max(system.levels) else None
    admin = getattr(user, "authority_admin", None) if user.is_authenticated else None
    if admin is not None and admin.authority.kind in system.authority_kinds:
        return admin.authority_id
    return None


def can_handle_certificate(certificate, user) -> bool:
    """An approver of the certificate's authority in its system; for a certificate entered
    from paper, also whoever may enter them there (the authority's administrator)."""
    seat = seat_of(user, certificate.system)
    if seat is not None:
        return seat.authority_id == certificate.authority_id
    return (
        certificate.source == CertificateSource.ENTERED
        and legacy_entry_authority_id(user, certificate.system) == certificate.authority_id
    )


# Customs knows the certificate once it was sent: voiding then needs its consent.
KNOWN_TO_CUSTOMS = (CustomsStatus.SENT, CustomsStatus.ACCEPTED, CustomsStatus.SEND_FAILED)


def _issued(certificate) -> bool:
    return certificate.status == CertificateStatus.ISSUED


class Certificate(ConcurrentTransitionMixin, RevisionMixin, ClusterableModel):
    """准许证 / 许可证 / 批准单: a self-contained record of what was licensed (its own
    holder, content and lines), issued on final approval or imported; printed,
    corrected (each correction a revision), voided, sent to customs."""

    filing = models.OneToOneField(
        "filings.Filing",
        on_delete=models.PROTECT,
        related_name="certificate",
        null=True,
        blank=True,
    )
    system = models.CharField(_("filing system"), max_length=30, choices=Module.choices)
    source = models.CharField(
        _("source"),
        max_length=12,
        choices=CertificateSource.choices,
        default=CertificateSource.ISSUED_HERE,
    )
    number = models.CharField(_("certificate number"), max_length=32)
    authority = models.ForeignKey(
        "reference.Authority",
        verbose_name=_("issuing authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_uscc = models.CharField(_("holder's USCC"), max_length=18, db_index=True)
    holder_address = models.CharField(_("address"), max_length=300, blank=True)
    ports = models.CharField(_("ports"), max_length=300, blank=True)
    # The system's own header values, as its declaration builds them.
    content = models.JSONField(_("content"), default=dict, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    issue_date = models.DateField(_("issue date"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = FSMField(
        _("certificate status"),
        default=CertificateStatus.ISSUED,
        choices=CertificateStatus.choices,
        protected=True,
    )
    customs_status = FSMField(
        _("customs status"),
        default=CustomsStatus.NOT_SENT,
        choices=CustomsStatus.choices,
        protected=True,
    )
    customs_reason = models.TextField(_("customs' reason"), blank=True)
    # Each correction is a new revision; a printed copy of an older one is superseded.
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="one_certificate_number")
        ]
        indexes = [
            models.Index(fields=["authority", "system", "-issue_date", "-id"]),
            models.Index(fields=["customs_status"]),
            # a filing's certificate within a period (statistics by date of issue)
            models.Index(fields=["filing", "issue_date"], name="certificate_filing_issued"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_void(self) -> bool:
        return self.status != CertificateStatus.ISSUED

    @property
    def customs_status_label(self) -> str:
        """The customs state in the words of the certificate's system (seed 004: 海关入库成功)."""
        system = registry.find(self.system)
        own = system.customs_status_labels.get(self.customs_status) if system else None
        return str(own or self.get_customs_status_display())

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ()) | {"status", "customs_status"}
        super().clean_fields(exclude=exclude)

    # --- the authority -----------------------------------------------------------------
    @transition(
        field=status,
        source=CertificateStatus.ISSUED,
        target=RETURN_VALUE(CertificateStatus.VOID, CertificateStatus.VOID_REQUESTED),
        permission=can_handle_certificate,
        custom={"label": _("Void"), "done": _("Certificate voided")},
    )
    def void(self):
        """作废: at once if customs never had it, else once customs agrees."""
        if self.customs_status in KNOWN_TO_CUSTOMS:
            return CertificateStatus.VOID_REQUESTED
        return CertificateStatus.VOID

    @transition(
        field=customs_status,
        source=[CustomsStatus.NOT_SENT, CustomsStatus.REJECTED, CustomsStatus.SEND_FAILED],
        target=CustomsStatus.SENT,
        permission=can_handle_certificate,
        conditions=[_issued],
        custom={"label": _("Complete and send to customs"), "done": _("Sent to customs")},
    )
    def send(self):
        """完成并发往海关 (again after a correction, a rejection or a failed send)."""

    @transition(
        field=customs_status,
        source=[
            CustomsStatus.ACCEPTED,
            CustomsStatus.REJECTED,
            CustomsStatus.SEND_FAILED,
            CustomsStatus.NOT_SENT,
        ],
        target=CustomsStatus.NOT_SENT,
        permission=can_handle_certificate,
        conditions=[_issued],
        custom={"label": _("Correct"), "done": _("Certificate corrected")},
    )
    def correct(self):
        """改错: a new revision that must be sent again."""

    # --- customs (system transitions, no user) -------------------------------------------
    @system_step(
        field="customs_status",
        # From REJECTED only when an approver replaces a rejection by a later, contradicting
        # receipt (customs.conflicts); a second receipt itself is held as a conflict.
        source=[CustomsStatus.SENT, CustomsStatus.SEND_FAILED, CustomsStatus.REJECTED],
        target=CustomsStatus.ACCEPTED,
        done=_("Received by customs"),
    )
    def customs_accept(self):
        """海关接收成功."""

    @system_step(
        field="customs_status",
        source=[CustomsStatus.SENT, CustomsStatus.SEND_FAILED, CustomsStatus.ACCEPTED],
        target=CustomsStatus.REJECTED,
        done=_("Rejected by customs"),
    )
    def customs_reject(self):
        """Customs refused the certificate message, with a reason."""

    @system_step(
        field="customs_status",
        source=CustomsStatus.SENT,
        target=CustomsStatus.SEND_FAILED,
        done=_("Sending to customs failed"),
    )
    def delivery_failed(self):
        """Every retry failed; the approver may send again."""

    @system_step(
        field="status",
        source=CertificateStatus.VOID_REQUESTED,
        target=CertificateStatus.VOID,
        done=_("Void accepted by customs"),
    )
    def void_confirmed(self):
        """Customs accepted the void message."""

    @system_step(
        field="status",
        source=CertificateStatus.VOID_REQUESTED,
        target=CertificateStatus.ISSUED,
        done=_("Void refused by customs"),
    )
    def void_refused(self):
        """Customs refused to void (the certificate is in use): it stays valid."""
        self.void_reason = ""
        self.voided_at = None


class CertificateLine(models.Model):
    """One licensed goods line of a certificate; customs writes off against it."""

    certificate = ParentalKey(Certificate, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField(_("line"))
    hs_code = models.CharField(_("HS code"), max_length=10)
    name = models.CharField(_("goods"), max_length=200)
    quantity = models.DecimalField(_("licensed quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    # The system's own values of the line, as its declaration builds them.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "line_number"], name="one_certificate_line_number"
            )
        ]

    def __str__(self):
        return f"{self.certificate} #{self.line_number}"


class VerificationCode(models.Model):
    """The short code printed (and QR-encoded) on a notice or a certificate revision."""

    code = models.CharField(max_length=16, primary_key=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    document = GenericForeignKey("content_type", "object_id")
    revision = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "revision"], name="one_code_per_revision"
            )
        ]

    def __str__(self):
        return self.code


class PrintRecord(models.Model):
    """Every print of a document (printing any number of times is allowed, and recorded)."""

    class Kind(models.TextChoices):
        APPLICATION_FORM = "APPLICATION_FORM", _("Application form")
        NOTICE = "NOTICE", _("Notice")
        CERTIFICATE = "CERTIFICATE", _("Certificate")
        SIGN_OFF = "SIGN_OFF", _("Sign-off sheet")

    class Mode(models.TextChoices):
        FULL = "FULL", _("Full document")
        OVERLAY = "OVERLAY", _("Values only, on pre-printed paper")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.CharField(max_length=64)
    # The filing the printed document belongs to (None for an imported certificate).
    filing = models.ForeignKey(
        "filings.Filing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.FULL)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self):
        return f"{self.kind} {self.object_id} {self.printed_at:%Y-%m-%d %H:%M}"


class CertificateLayout(models.Model):
    """An authority's positions and font sizes for printing on its pre-printed paper (套打)."""

    authority = models.ForeignKey(
        "reference.Authority", on_delete=models.CASCADE, related_name="certificate_layouts"
    )
    system = models.CharField(max_length=30, choices=Module.choices)
    fields = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "system"], name="one_layout_per_system")
        ]

    def __str__(self):
        return f"{self.authority} · {self.system}"


class DocumentJob(models.Model):
    """A batch print or a large export, run as a task; its owner follows the progress."""

    class Kind(models.TextChoices):
        BATCH_PRINT = "BATCH_PRINT", _("Batch print")
        APPLICATION_EXPORT = "APPLICATION_EXPORT", _("Application export")
        CERTIFICATE_EXPORT = "CERTIFICATE_EXPORT", _("Certificate statistics export")

    class State(models.TextChoices):
        QUEUED = "QUEUED", _("Queued")
        RUNNING = "RUNNING", _("Running")
        DONE = "DONE", _("Done")
        FAILED = "FAILED", _("Failed")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    system = models.CharField(max_length=30, choices=Module.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict)
    # The language its owner used when starting it: an export is written in it.
    language = models.CharField(max_length=10, default="zh-hans")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class KeptDocument(models.Model):
    """The PDF of one issued revision of a notice or certificate, rendered once and kept.

    Downloads serve these exact bytes; the SHA-256 is also in an audit row and on the
    verification page.  A void never changes them; a correction keeps a new revision."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=40)
    revision = models.PositiveSmallIntegerField(default=1)
    # A name in the default storage (local or S3): opened through storage, never by path.
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kept document")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "revision"], name="one_kept_file_per_revision"
            )
        ]

    def __str__(self):
        return f"{self.file_name} {self.sha256[:12]}"
