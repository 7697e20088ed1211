"""药品进出口准许证 (蛋白同化制剂、肽类激素): seeds 000 and 001.

The application extends the shared filing table; its goods lines are
ParentalKey children, so every revision records them.  The state graph is
declared here, on the transitions: who acts, what it is called, which notice
it sends.  The mechanism (``workflows``) runs them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE
from modelcluster.fields import ParentalKey

from documents.models import NoticeKind
from filings.models import Filing
from filings.transitions import decision, filer_action, system_step


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
REVIEW_STATES = (S.SECOND_REVIEW, S.FINAL_DECISION)


class Direction(models.TextChoices):
    IMPORT = "IMPORT", _("Import")
    EXPORT = "EXPORT", _("Export")


class CollectionMethod(models.TextChoices):
    ON_SITE = "ON_SITE", _("Collect on site")
    MAIL = "MAIL", _("By mail")


class DrugPermitApplication(Filing):
    """One import or export permit application."""

    direction = models.CharField(_("import or export"), max_length=6, choices=Direction.choices)
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

    class Meta:
        verbose_name = _("drug import/export permit application")
        verbose_name_plural = _("drug import/export permit applications")

    # Customs districts follow from the ports; never entered, never stale.
    @property
    def customs_district_1(self):
        return self.import_port_1.customs_district if self.import_port_1 else None

    @property
    def customs_district_2(self):
        return self.import_port_2.customs_district if self.import_port_2 else None

    @property
    def ports_display(self) -> str:
        if self.direction == Direction.IMPORT:
            ports = [p.name_zh for p in (self.import_port_1, self.import_port_2) if p]
        else:
            ports = [p for p in (self.export_port_1, self.export_port_2) if p]
        return "、".join(ports)

    def countries_without_licensing(self) -> list:
        """An export's destination countries that editors flagged as having no import
        licensing regime for these drugs (seed 000 §4.3.1, seed 001 §4.2.3)."""
        from portal.reference.models import Country

        if self.pk is None or self.direction != Direction.EXPORT:
            return []
        return list(
            Country.objects.filter(
                pk__in=self.goods_lines.values("country"), no_drug_import_licensing=True
            )
        )

    def countries_without_licensing_names(self) -> str:
        return "、".join(c.localized_name for c in self.countries_without_licensing())

    # --- the enterprise --------------------------------------------------------------
    @filer_action(
        source=S.DRAFT,
        target=S.PENDING_ACCEPTANCE,
        label=_("Submit"),
        done=_("Submitted to the authority"),
    )
    def submit(self):
        """The enterprise files a complete draft (申报)."""

    @filer_action(
        source=S.SUPPLEMENT_REQUIRED,
        target=S.PENDING_ACCEPTANCE,
        label=_("Submit again"),
        done=_("Submitted again after supplement"),
        resubmission=True,
    )
    def resubmit(self):
        """The enterprise files again after supplementing materials."""

    @filer_action(
        source=S.PENDING_ACCEPTANCE,
        target=S.WITHDRAWAL_PENDING,
        label=_("Withdraw"),
        done=_("Withdrawal requested"),
        withdrawal=True,
    )
    def request_withdrawal(self):
        """The enterprise asks to withdraw a filing not yet accepted (撤回); level 1 decides."""

    # --- level 1: acceptance -------------------------------------------------------------
    @decision(
        source=S.PENDING_ACCEPTANCE,
        target=RETURN_VALUE(S.FIRST_REVIEW, S.SECOND_REVIEW, S.FINAL_DECISION),
        label=_("Accept"),
        done=_("Accepted"),
        notice=NoticeKind.ACCEPTANCE,
        advances=True,
    )
    def accept(self, *, next_state):
        """Level 1 accepts (受理); it moves to the next configured level."""
        return next_state

    @decision(
        source=S.PENDING_ACCEPTANCE,
        target=S.NOT_ACCEPTED,
        label=_("Do not accept"),
        done=_("Not accepted"),
        notice=NoticeKind.NON_ACCEPTANCE,
    )
    def not_accept(self):
        """Level 1 does not accept (不予受理); back to the enterprise, closed."""

    @decision(
        source=S.PENDING_ACCEPTANCE,
        target=S.SUPPLEMENT_REQUIRED,
        label=_("Request supplement"),
        done=_("Supplement requested"),
        notice=NoticeKind.SUPPLEMENT,
        notice_once=True,
    )
    def request_supplement(self):
        """Level 1 asks for more materials (补正材料); the notice goes out the first time only."""

    @decision(
        source=S.WITHDRAWAL_PENDING,
        target=S.DRAFT,
        levels=(1,),
        queue="withdrawals",
        label=_("Approve the withdrawal"),
        done=_("Withdrawal approved"),
        opinion_required=False,
    )
    def approve_withdrawal(self):
        """Level 1 lets the withdrawal through; the enterprise has a draft again."""
        self.submitted_at = None

    @decision(
        source=S.WITHDRAWAL_PENDING,
        target=S.PENDING_ACCEPTANCE,
        levels=(1,),
        queue="withdrawals",
        label=_("Reject the withdrawal; review continues"),
        done=_("Withdrawal rejected"),
        opinion_required=False,
    )
    def reject_withdrawal(self):
        """Level 1 refuses the withdrawal; review continues."""

    # --- levels 2 and 3: agree or disagree, it passes on either way ---------------------
    @decision(
        source=[S.FIRST_REVIEW, S.SECOND_REVIEW],
        target=RETURN_VALUE(*REVIEW_STATES),
        label=_("Agree"),
        done=_("Reviewed: agree"),
        advances=True,
    )
    def review_agree(self, *, next_state):
        """First or second review agrees and passes it on."""
        return next_state

    @decision(
        source=[S.FIRST_REVIEW, S.SECOND_REVIEW],
        target=RETURN_VALUE(*REVIEW_STATES),
        label=_("Disagree"),
        done=_("Reviewed: disagree"),
        advances=True,
    )
    def review_disagree(self, *, next_state):
        """First or second review disagrees; the final level still decides."""
        return next_state

    # --- level 4: final decision ---------------------------------------------------------
    @decision(
        source=S.FINAL_DECISION,
        target=S.APPROVED,
        label=_("Approve: issue the certificate"),
        done=_("Approved"),
        issues_certificate=True,
    )
    def approve(self):
        """Level 4 agrees (审定通过); the certificate is issued."""

    @decision(
        source=S.FINAL_DECISION,
        target=S.REFUSED_PENDING_NOTICE,
        label=_("Refuse"),
        done=_("Refused"),
    )
    def refuse(self):
        """Level 4 disagrees; levels 1-3 see it as 审批不通过 and send the notice."""

    @decision(
        source=S.REFUSED_PENDING_NOTICE,
        target=S.REFUSED,
        levels=(1, 2, 3),
        label=_("Send the refusal decision"),
        done=_("Refusal decision sent"),
        notice=NoticeKind.REFUSAL,
    )
    def send_refusal_notice(self):
        """Level 1, 2 or 3 sends the refusal decision (不予许可决定书) to the enterprise."""

    # --- the system ----------------------------------------------------------------------
    @system_step(source=S.APPROVED, target=S.VOID, done=_("Certificate voided"))
    def void(self):
        """The certificate was voided (作废): the approval no longer stands."""


class DrugPermitGoodsLine(models.Model):
    """One of at most four goods lines; the drug itself is fixed by the first line."""

    application = ParentalKey(
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

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "line_number"], name="one_line_number_per_application"
            )
        ]

    def __str__(self):
        return f"{self.application} #{self.line_number}"
