"""出口药品档案信息采集: seed 002.

A manufacturer keeps one archive record per drug it exports.  Nobody approves it:
the enterprise submits it and the drug regulators of its jurisdiction read it.  A
submitted record is never edited in place: a change (变更) is a draft revision
(Wagtail ``DraftStateMixin``) while the submitted version stays what regulators
read, and submitting the change makes it the live version, every earlier
submitted version staying readable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalManyToManyField
from wagtail.models import DraftStateMixin

from filings.models import Filing
from filings.transitions import filer_action


class ArchiveStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SUBMITTED = "SUBMITTED", pgettext_lazy("status", "Submitted")
    CHANGING = "CHANGING", _("Submitted, change in progress")


S = ArchiveStatus


class ExportDrugArchive(DraftStateMixin, Filing):
    """One drug's archive record.  Every field may be empty in a draft; submitting
    needs what the declaration's rules require."""

    generic_name_zh = models.CharField(_("generic name (Chinese)"), max_length=200, blank=True)
    generic_name_en = models.CharField(_("generic name (English)"), max_length=200, blank=True)
    trade_name_zh = models.CharField(_("trade name (Chinese)"), max_length=200, blank=True)
    trade_name_en = models.CharField(_("trade name (English)"), max_length=200, blank=True)
    approval_number = models.CharField(
        _("drug approval number"), max_length=30, blank=True, db_index=True
    )
    dosage_form = models.ForeignKey(
        "reference.DosageForm",
        verbose_name=_("dosage form"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    specification = models.CharField(_("specification"), max_length=100, blank=True)
    packaging = models.CharField(_("packaging"), max_length=100, blank=True)
    mah_name = models.CharField(_("marketing authorisation holder"), max_length=200, blank=True)
    manufacturer_name = models.CharField(_("manufacturer"), max_length=200, blank=True)
    production_address = models.CharField(_("production address"), max_length=300, blank=True)
    hs_code = models.ForeignKey(
        "reference.HSCode",
        verbose_name=_("HS code"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    export_countries = ParentalManyToManyField(
        "reference.Country",
        verbose_name=_("export countries or regions"),
        blank=True,
        related_name="+",
    )
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("export drug archive record")
        verbose_name_plural = _("export drug archive records")

    @filer_action(
        source=S.DRAFT,
        target=S.SUBMITTED,
        label=_("Submit"),
        done=pgettext_lazy("history", "Submitted"),
    )
    def submit(self):
        """提交: the record becomes what regulators read (version 1)."""

    @filer_action(
        source=S.SUBMITTED,
        target=S.CHANGING,
        label=_("Change"),
        done=_("Change started"),
        change=True,
    )
    def change(self):
        """变更: a new draft version; the submitted one stays live meanwhile."""

    @filer_action(
        source=S.CHANGING,
        target=S.SUBMITTED,
        label=_("Submit the change"),
        done=_("Change submitted"),
    )
    def submit_change(self):
        """The changed version becomes the live one; the earlier stays readable."""

    @filer_action(
        source=S.CHANGING,
        target=S.SUBMITTED,
        label=_("Discard the change"),
        done=_("Change discarded"),
        discard=True,
    )
    def discard_change(self):
        """The draft version is dropped; the submitted one never changed."""
