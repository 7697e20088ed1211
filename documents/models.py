"""The filings and what they produce.

Each filing system adds its own model on the shared ``Filing`` base and its
own state graph; numbering, history, attachments and the approval chain are
shared (see ``workflows``).  Status changes only through the transitions
below, called from ``workflows.services``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition


class Filing(ConcurrentTransitionMixin, models.Model):
    """What every filing has: number, enterprise, who filed it, authority, dates."""

    number = models.CharField(_("application number"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    authority = models.ForeignKey(
        "reference.Authority",
        verbose_name=_("approving authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return self.number


class DrugPermitStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    PENDING_ACCEPTANCE = "PENDING_ACCEPTANCE", _("Pending acceptance")
    FIRST_REVIEW = "FIRST_REVIEW", _("Pending first review")
    SECOND_REVIEW = "SECOND_REVIEW", _("Pending second review")
    FINAL_DECISION = "FINAL_DECISION", _("Pending final decision")
    APPROVED = "APPROVED", _("Approved")
    NOT_ACCEPTED = "NOT_ACCEPTED", _("Not accepted")
    SUPPLEMENT_REQUIRED = "SUPPLEMENT_REQUIRED", _("Supplement required")
    WITHDRAWAL_PENDING = "WITHDRAWAL_PENDING", _("Withdrawal pending review")
    REFUSED_PENDING_NOTICE = "REFUSED_PENDING_NOTICE", _("Refused, notice pending")
    REFUSED = "REFUSED", _("Refused")
    VOID = "VOID", _("Void")


S = DrugPermitStatus

# Which approval level acts on an application in each state.
LEVEL_FOR_STATE = {
    S.PENDING_ACCEPTANCE: (1,),
    S.WITHDRAWAL_PENDING: (1,),
    S.FIRST_REVIEW: (2,),
    S.SECOND_REVIEW: (3,),
    S.FINAL_DECISION: (4,),
    S.REFUSED_PENDING_NOTICE: (1, 2, 3),
}
STATE_FOR_LEVEL = {2: S.FIRST_REVIEW, 3: S.SECOND_REVIEW, 4: S.FINAL_DECISION}


def is_filer(application, user) -> bool:
    membership = getattr(user, "membership", None)
    return bool(
        membership
        and membership.is_active
        and membership.enterprise_id == application.enterprise_id
        and "DRUG_PERMIT" in membership.granted_modules()
    )


def seat_can_act(application, user) -> bool:
    seat = getattr(user, "approver_seat", None)
    return bool(
        seat
        and seat.authority_id == application.authority_id
        and seat.level in LEVEL_FOR_STATE.get(application.status, ())
    )


class Direction(models.TextChoices):
    IMPORT = "IMPORT", _("Import")
    EXPORT = "EXPORT", _("Export")


class CollectionMethod(models.TextChoices):
    ON_SITE = "ON_SITE", _("Collect on site")
    MAIL = "MAIL", _("By mail")


class DrugPermitApplication(Filing):
    """药品进出口准许证申请 (蛋白同化制剂、肽类激素): seeds 000 and 001."""

    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    status = FSMField(
        _("status"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True
    )
    applicant_name_en = models.CharField(_("applicant name (English)"), max_length=200, blank=True)
    applicant_address_en = models.CharField(
        _("applicant address (English)"), max_length=300, blank=True
    )
    is_agent = models.BooleanField(_("filed as an agent"), default=False)
    principal_uscc = models.CharField(_("principal's USCC"), max_length=18, blank=True)
    principal_name = models.CharField(_("principal's name"), max_length=200, blank=True)
    purpose = models.ForeignKey(
        "reference.Purpose", verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    collection_method = models.CharField(
        _("collection method"), max_length=10, choices=CollectionMethod.choices
    )
    mail_address = models.CharField(_("mailing address"), max_length=300, blank=True)
    import_port_1 = models.ForeignKey(
        "reference.Port",
        verbose_name=_("import port 1"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    import_port_2 = models.ForeignKey(
        "reference.Port",
        verbose_name=_("import port 2"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    export_port_1 = models.CharField(_("export port 1"), max_length=100, blank=True)
    export_port_2 = models.CharField(_("export port 2"), max_length=100, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    supplement_notice_sent = models.BooleanField(default=False, editable=False)

    class Meta(Filing.Meta):
        verbose_name = _("drug import/export permit application")
        verbose_name_plural = _("drug import/export permit applications")

    # Customs districts follow from the ports; never entered, never stale.
    @property
    def customs_district_1(self):
        return self.import_port_1.customs_district if self.import_port_1 else None

    @property
    def customs_district_2(self):
        return self.import_port_2.customs_district if self.import_port_2 else None

    # --- enterprise -------------------------------------------------------
    @transition(field=status, source=S.DRAFT, target=S.PENDING_ACCEPTANCE, permission=is_filer)
    def submit(self):
        """The enterprise files a complete draft (申报)."""

    @transition(
        field=status,
        source=S.SUPPLEMENT_REQUIRED,
        target=S.PENDING_ACCEPTANCE,
        permission=is_filer,
    )
    def resubmit(self):
        """The enterprise files again after supplementing materials."""

    @transition(
        field=status,
        source=S.PENDING_ACCEPTANCE,
        target=S.WITHDRAWAL_PENDING,
        permission=is_filer,
    )
    def request_withdrawal(self):
        """The enterprise asks to withdraw a filing not yet accepted (撤回)."""

    # --- level 1: acceptance ----------------------------------------------
    @transition(
        field=status,
        source=S.PENDING_ACCEPTANCE,
        target=RETURN_VALUE(S.FIRST_REVIEW, S.SECOND_REVIEW, S.FINAL_DECISION),
        permission=seat_can_act,
    )
    def accept(self, *, next_level: int):
        """Level 1 accepts (受理); it moves to the next configured level."""
        return STATE_FOR_LEVEL[next_level]

    @transition(
        field=status, source=S.PENDING_ACCEPTANCE, target=S.NOT_ACCEPTED, permission=seat_can_act
    )
    def not_accept(self):
        """Level 1 does not accept (不予受理); back to the enterprise, closed."""

    @transition(
        field=status,
        source=S.PENDING_ACCEPTANCE,
        target=S.SUPPLEMENT_REQUIRED,
        permission=seat_can_act,
    )
    def request_supplement(self):
        """Level 1 asks for more materials (补正材料); back to the enterprise."""

    @transition(field=status, source=S.WITHDRAWAL_PENDING, target=S.DRAFT, permission=seat_can_act)
    def approve_withdrawal(self):
        """Level 1 lets the withdrawal through; the enterprise has a draft again."""

    @transition(
        field=status,
        source=S.WITHDRAWAL_PENDING,
        target=S.PENDING_ACCEPTANCE,
        permission=seat_can_act,
    )
    def reject_withdrawal(self):
        """Level 1 refuses the withdrawal; review continues."""

    # --- levels 2 and 3: agree or disagree, it passes on either way --------
    @transition(
        field=status,
        source=[S.FIRST_REVIEW, S.SECOND_REVIEW],
        target=RETURN_VALUE(S.SECOND_REVIEW, S.FINAL_DECISION),
        permission=seat_can_act,
    )
    def review(self, *, next_level: int):
        """First or second review records its opinion and passes it on."""
        return STATE_FOR_LEVEL[next_level]

    # --- level 4: final decision ------------------------------------------
    @transition(field=status, source=S.FINAL_DECISION, target=S.APPROVED, permission=seat_can_act)
    def approve(self):
        """Level 4 agrees (审定通过); the certificate is issued."""

    @transition(
        field=status,
        source=S.FINAL_DECISION,
        target=S.REFUSED_PENDING_NOTICE,
        permission=seat_can_act,
    )
    def refuse(self):
        """Level 4 disagrees; levels 1-3 see it as 审批不通过 to send the notice."""

    @transition(
        field=status,
        source=S.REFUSED_PENDING_NOTICE,
        target=S.REFUSED,
        permission=seat_can_act,
    )
    def send_refusal_notice(self):
        """Level 1, 2 or 3 sends the refusal decision (不予许可决定书) to the enterprise."""


class DrugPermitGoodsLine(models.Model):
    """One of at most four goods lines; the drug itself is fixed by the first line."""

    application = models.ForeignKey(
        DrugPermitApplication, on_delete=models.CASCADE, related_name="goods_lines"
    )
    line_number = models.PositiveSmallIntegerField(_("line"))
    hs_code = models.ForeignKey(
        "reference.HSCode", verbose_name=_("HS code"), on_delete=models.PROTECT, related_name="+"
    )
    drug_name_zh = models.CharField(_("drug name (Chinese)"), max_length=200)
    drug_name_en = models.CharField(_("drug name (English)"), max_length=200)
    dosage_form = models.ForeignKey(
        "reference.DosageForm",
        verbose_name=_("dosage form"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    specification = models.CharField(_("specification"), max_length=100)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or region of origin / destination"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    MAX_LINES = 4
    LOCKED_AFTER_FIRST = ("hs_code", "drug_name_zh", "drug_name_en", "dosage_form")

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "line_number"], name="one_line_number_per_application"
            )
        ]

    def __str__(self):
        return f"{self.application} #{self.line_number}"


class Attachment(models.Model):
    """A PDF attached to any filing, optionally for one required attachment type."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    filing = GenericForeignKey("content_type", "object_id")
    attachment_type = models.ForeignKey(
        "reference.PurposeAttachment",
        verbose_name=_("attachment type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    needs_resubmission = models.BooleanField(_("needs resubmission"), default=False)

    class Meta:
        ordering = ["uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.original_name


class CertificateStatus(models.TextChoices):
    ISSUED = "ISSUED", _("Issued")
    VOID_REQUESTED = "VOID_REQUESTED", _("Void, awaiting customs")
    VOID = "VOID", _("Void")


class CustomsStatus(models.TextChoices):
    NOT_SENT = "NOT_SENT", _("Not sent to customs")
    SENT = "SENT", _("Sent to customs")
    ACCEPTED = "ACCEPTED", _("Received by customs (海关接收成功)")
    REJECTED = "REJECTED", _("Rejected by customs")
    SEND_FAILED = "SEND_FAILED", _("Sending failed")


class CertificateSource(models.TextChoices):
    ISSUED_HERE = "ISSUED_HERE", _("Issued on approval")
    IMPORTED = "IMPORTED", _("Imported from the authority's own system")


def can_handle_certificate(certificate, user) -> bool:
    seat = getattr(user, "approver_seat", None)
    return bool(seat and seat.authority_id == certificate.authority_id)


# Customs knows the certificate once it was sent: voiding then needs its consent.
KNOWN_TO_CUSTOMS = (CustomsStatus.SENT, CustomsStatus.ACCEPTED, CustomsStatus.SEND_FAILED)


class Certificate(ConcurrentTransitionMixin, models.Model):
    """准许证: a self-contained record of what was licensed (its own holder, ports and
    lines), issued on final approval or imported; printed, corrected, voided, sent."""

    application = models.OneToOneField(
        DrugPermitApplication,
        on_delete=models.PROTECT,
        related_name="certificate",
        null=True,
        blank=True,
    )
    source = models.CharField(
        max_length=12, choices=CertificateSource.choices, default=CertificateSource.ISSUED_HERE
    )
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    authority = models.ForeignKey(
        "reference.Authority",
        verbose_name=_("issuing authority"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_uscc = models.CharField(_("holder's USCC"), max_length=18, db_index=True)
    holder_address = models.CharField(_("address"), max_length=300, blank=True)
    purpose_name = models.CharField(_("purpose"), max_length=200, blank=True)
    ports = models.CharField(_("ports"), max_length=300, blank=True)
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
        db_index=True,
    )
    customs_reason = models.TextField(_("customs' reason"), blank=True)
    # Each correction is a new revision; a printed copy of an older one is superseded.
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        ordering = ["-issue_date", "-number"]

    def __str__(self):
        return self.number

    @property
    def is_void(self) -> bool:
        return self.status != CertificateStatus.ISSUED

    # --- the authority -------------------------------------------------------
    @transition(
        field=status,
        source=CertificateStatus.ISSUED,
        target=RETURN_VALUE(CertificateStatus.VOID, CertificateStatus.VOID_REQUESTED),
        permission=can_handle_certificate,
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
        conditions=[lambda c: c.status == CertificateStatus.ISSUED],
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
        conditions=[lambda c: c.status == CertificateStatus.ISSUED],
    )
    def correct(self):
        """改错: a new revision that must be sent again."""

    # --- customs (system transitions, no user) ---------------------------------
    @transition(
        field=customs_status,
        source=[CustomsStatus.SENT, CustomsStatus.SEND_FAILED],
        target=CustomsStatus.ACCEPTED,
    )
    def customs_accept(self):
        """海关接收成功."""

    @transition(
        field=customs_status,
        source=[CustomsStatus.SENT, CustomsStatus.SEND_FAILED],
        target=CustomsStatus.REJECTED,
    )
    def customs_reject(self):
        """Customs refused the certificate message, with a reason."""

    @transition(field=customs_status, source=CustomsStatus.SENT, target=CustomsStatus.SEND_FAILED)
    def delivery_failed(self):
        """Every retry failed; the approver may send again."""

    @transition(
        field=status, source=CertificateStatus.VOID_REQUESTED, target=CertificateStatus.VOID
    )
    def void_confirmed(self):
        """Customs accepted the void message."""

    @transition(
        field=status, source=CertificateStatus.VOID_REQUESTED, target=CertificateStatus.ISSUED
    )
    def void_refused(self):
        """Customs refused to void (the certificate is in use): it stays valid."""


class CertificateLine(models.Model):
    """One licensed goods line of a certificate, with what customs wrote off against it."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField(_("line"))
    hs_code = models.CharField(_("HS code"), max_length=10)
    drug_name_zh = models.CharField(_("drug name (Chinese)"), max_length=200)
    drug_name_en = models.CharField(_("drug name (English)"), max_length=200, blank=True)
    dosage_form = models.CharField(_("dosage form"), max_length=100, blank=True)
    specification = models.CharField(_("specification"), max_length=100)
    quantity = models.DecimalField(_("licensed quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    country = models.CharField(_("country or region"), max_length=100)
    country_code = models.CharField(max_length=3, blank=True)

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "line_number"], name="one_certificate_line_number"
            )
        ]

    def __str__(self):
        return f"{self.certificate} #{self.line_number}"


class CertificateRevision(models.Model):
    """One correction (改错): what changed, from what to what, by whom and why."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField(_("revision"))
    changes = models.JSONField(default=list)  # [{"field", "label", "old", "new"}]
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "revision"], name="one_row_per_revision")
        ]

    def __str__(self):
        return f"{self.certificate} r{self.revision}"


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "ACCEPTANCE", _("Acceptance notice (受理通知书)")
    NON_ACCEPTANCE = "NON_ACCEPTANCE", _("Non-acceptance notice (不予受理通知书)")
    SUPPLEMENT = "SUPPLEMENT", _("Supplement notice (补正材料通知书)")
    REFUSAL = "REFUSAL", _("Refusal decision (不予许可决定书)")


class Notice(models.Model):
    """A notice sent to the enterprise with a decision; printable any time."""

    application = models.ForeignKey(
        DrugPermitApplication, on_delete=models.PROTECT, related_name="notices"
    )
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

    class Meta:
        verbose_name = _("notice")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["authority", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


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

    authority = models.OneToOneField(
        "reference.Authority", on_delete=models.CASCADE, related_name="certificate_layout"
    )
    fields = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.authority}"


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
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict)
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
