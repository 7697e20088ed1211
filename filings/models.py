"""The one filing table, and what every filing system shares beneath it.

``Filing`` is concrete: every system's application is a row here (number,
system, enterprise, authority, status, dates) extended by the system's own
table through multi-table inheritance, as Wagtail's page types extend
``Page``.  Notices, certificates, attachments, customs messages, events and
subscriptions point at a ``Filing``, never at one system's model, and a list
across systems pages through this one indexed table.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import RevisionMixin

from portal.reference.models import Module

from . import registry
from .transitions import label_for


class Filing(ConcurrentTransitionMixin, RevisionMixin, ClusterableModel):
    """What every filing has: number, system, enterprise, authority, status, dates.

    The status changes only through the transitions a system declares on its
    subclass (django-fsm-2, protected field); a stale save is refused by the
    optimistic lock on the status (``ConcurrentTransitionMixin``).
    """

    number = models.CharField(_("application number"), max_length=32, unique=True)
    system = models.CharField(_("filing system"), max_length=30, choices=Module.choices)
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="filings",
    )
    authority = models.ForeignKey(
        "reference.Authority",
        verbose_name=_("approving authority"),
        on_delete=models.PROTECT,
        related_name="filings",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(_("status"), max_length=40, default="DRAFT", protected=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        # One index per list, matching its filter and its sort (keyset pagination).
        indexes = [
            # the enterprise's own filings, newest first
            models.Index(
                fields=["enterprise", "system", "-created_at", "-id"], name="filing_enterprise"
            ),
            # "My filings": the enterprise's filings of every system, newest first
            models.Index(fields=["enterprise", "-created_at", "-id"], name="filing_enterprise_all"),
            # an approver's to-do list: waiting in one state, oldest first
            models.Index(
                fields=["authority", "system", "status", "submitted_at", "id"], name="filing_queue"
            ),
            # the authority's application query, newest first
            models.Index(
                fields=["authority", "system", "-submitted_at", "-id"], name="filing_authority"
            ),
            # an enterprise's filings in one state (statistics over what passed review):
            # PostgreSQL otherwise misjudges how many and may scan every goods line
            models.Index(
                fields=["enterprise", "system", "status", "id"], name="filing_enterprise_status"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def declaration(self) -> registry.System:
        return registry.get(self.system)

    @property
    def status_label(self) -> str:
        return self.declaration.status_label(self.status)

    @property
    def specific(self):
        """This filing as its system's own model."""
        model = self.declaration.model
        if isinstance(self, model):
            return self
        return model.objects.get(pk=self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status in self.declaration.editable_states

    def clean_fields(self, exclude=None):
        # The status changes only through transitions; full_clean must not assign it.
        exclude = set(exclude or ()) | {"status"}
        super().clean_fields(exclude=exclude)


class Attachment(models.Model):
    """A file attached to a filing (part of the filing's revisions)."""

    filing = ParentalKey(Filing, on_delete=models.CASCADE, related_name="attachments")
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
        verbose_name = _("attachment")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


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


# Rows that are no transition of a state machine: what the pages and exports call them.
RECORDED_ACTIONS = {
    "document_issued": _("Document issued and kept"),
    "history_exported": _("History exported"),
    "case_note_added": _("Case note added"),
    "customs_conflict_keep": _("Customs conflict: recorded data kept"),
    "customs_conflict_replace": _("Customs conflict: replaced by the incoming data"),
    "certificate_entered": _("Entered from a paper certificate"),
}


class AuditEntry(models.Model):
    """One status change of a filing or of what it produced: who, seat, from, to, why, when."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    # The filing concerned (the target itself, or the filing of a certificate).
    # No database constraint and no cascade: deleting a draft or a user leaves
    # the row whole, pointing at an id that may no longer exist.
    filing = models.ForeignKey(
        Filing,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # The actor's display name when the row was written.
    actor_display = models.CharField(_("by"), max_length=300, blank=True, db_default="")
    seat_level = models.PositiveSmallIntegerField(_("level"), null=True)
    transition = models.CharField(_("action"), max_length=50)
    from_state = models.CharField(_("from status"), max_length=40)
    to_state = models.CharField(_("to status"), max_length=40)
    opinion = models.TextField(_("opinion"), blank=True)
    notice_number = models.CharField(_("notice number"), max_length=50, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    # What the target looked like right after (submissions, corrections).
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # SHA-256 (hex) of the document issued with this change, if any.
    sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True, db_default="")
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["filing", "created_at"]),
        ]

    def __str__(self):
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    @property
    def action_label(self) -> str:
        if self.transition in RECORDED_ACTIONS:
            return str(RECORDED_ACTIONS[self.transition])
        # get_for_id is cached: a page of history rows costs no query per row.
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        return label_for(model, self.transition)

    @property
    def actor_name(self) -> str:
        if self.actor_display:
            return self.actor_display
        actor = self.actor_or_none
        if actor is None:
            return ""
        return actor.get_full_name() or actor.get_username()

    def _related_or_none(self, name):
        # The referenced row may be gone (no constraint): None, not an error.
        try:
            return getattr(self, name)
        except ObjectDoesNotExist:
            return None

    @property
    def actor_or_none(self):
        return self._related_or_none("actor")

    @property
    def filing_or_none(self):
        return self._related_or_none("filing")

    @property
    def revision_or_none(self):
        return self._related_or_none("revision")

    @property
    def level_label(self) -> str:
        filing = self.filing_or_none
        if not self.seat_level or filing is None:
            return ""
        stage = registry.get(filing.system).stage_for_level(self.seat_level)
        return str(stage.label) if stage else ""


class ApprovalSettings(models.Model):
    """An authority's settings for one filing system (初始值设置).

    Which optional stages it uses (chosen once, then locked; only a superuser
    changes them), and the names and contacts printed on notices and
    certificates.  ``options`` holds what a system adds (e.g. validity days).
    """

    authority = models.ForeignKey(
        "reference.Authority", on_delete=models.PROTECT, related_name="approval_settings"
    )
    system = models.CharField(_("filing system"), max_length=30, choices=Module.choices)
    levels = models.JSONField(_("approval levels"), default=list)
    stages_locked = models.BooleanField(_("stages locked"), default=False, editable=False)
    name_zh = models.CharField(_("authority name (Chinese)"), max_length=200)
    name_en = models.CharField(_("authority name (English)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6)
    contact = models.CharField(_("contact person"), max_length=50)
    options = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("authority settings")
        verbose_name_plural = _("authority settings")
        constraints = [
            models.UniqueConstraint(fields=["authority", "system"], name="one_settings_per_system")
        ]

    def __str__(self):
        return f"{self.authority} · {self.get_system_display()}"

    @property
    def declaration(self) -> registry.System:
        return registry.get(self.system)

    @property
    def enabled_levels(self) -> list[int]:
        """The approval levels a filing passes here, in order."""
        return self.declaration.enabled_levels(self.levels)


class StagedImport(models.Model):
    """Rows read from a filer's spreadsheet, shown for confirmation; nothing is added yet.

    ``accepted`` holds (row number, values) ready to become lines; ``rejected``
    (row number, column, reason).  Confirming adds the accepted rows and
    deletes this; a new import of the same filing replaces it."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.JSONField(default=list)
    rejected = models.JSONField(default=list)

    class Meta:
        verbose_name = _("staged import")

    def __str__(self):
        return f"{self.filing} · {self.file_name}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("case notes are append-only")

    def delete(self):
        raise TypeError("case notes are append-only")


class CaseNote(models.Model):
    """An approver's internal note on a filing (the case notes of the UK's import licensing
    system): who, at which level, when, what.  Append-only, never shown to the enterprise."""

    # As the audit's rows: no constraint and no cascade, so a filing withdrawn to a draft
    # and deleted by its enterprise leaves its notes whole (and never fails on them).
    filing = models.ForeignKey(
        Filing,
        verbose_name=_("filing"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    # The author's display name when the note was written.
    author_display = models.CharField(_("by"), max_length=300)
    seat_level = models.PositiveSmallIntegerField(_("level"), null=True)
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        indexes = [models.Index(fields=["filing", "created_at"], name="casenote_filing")]

    def __str__(self):
        return f"{self.filing_id} · {self.author_display}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("case notes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("case notes are append-only")

    @property
    def level_label(self) -> str:
        stage = registry.get(self.filing.system).stage_for_level(self.seat_level)
        return str(stage.label) if stage else ""


class CaseNoteAttachment(models.Model):
    """A PDF attached to a case note: stored under a random name, the user's name shown."""

    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to="case-notes/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case note attachment")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("case notes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("case notes are append-only")
