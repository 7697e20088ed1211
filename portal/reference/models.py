"""Reference lists editors maintain as Wagtail snippets.

Every list shares one base: a code, a Chinese and an English name, and the
Wagtail draft / revision / workflow mixins, so an editor's change is a draft
until a moderator publishes it, and filers only ever see live rows.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from pypinyin import Style, lazy_pinyin
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from .widgets import ReferencePicker


class Province(models.TextChoices):
    """Provincial-level divisions, GB/T 2260 codes."""

    BEIJING = "110000", _("Beijing")
    TIANJIN = "120000", _("Tianjin")
    HEBEI = "130000", _("Hebei")
    SHANXI = "140000", _("Shanxi")
    INNER_MONGOLIA = "150000", _("Inner Mongolia")
    LIAONING = "210000", _("Liaoning")
    JILIN = "220000", _("Jilin")
    HEILONGJIANG = "230000", _("Heilongjiang")
    SHANGHAI = "310000", _("Shanghai")
    JIANGSU = "320000", _("Jiangsu")
    ZHEJIANG = "330000", _("Zhejiang")
    ANHUI = "340000", _("Anhui")
    FUJIAN = "350000", _("Fujian")
    JIANGXI = "360000", _("Jiangxi")
    SHANDONG = "370000", _("Shandong")
    HENAN = "410000", _("Henan")
    HUBEI = "420000", _("Hubei")
    HUNAN = "430000", _("Hunan")
    GUANGDONG = "440000", _("Guangdong")
    GUANGXI = "450000", _("Guangxi")
    HAINAN = "460000", _("Hainan")
    CHONGQING = "500000", _("Chongqing")
    SICHUAN = "510000", _("Sichuan")
    GUIZHOU = "520000", _("Guizhou")
    YUNNAN = "530000", _("Yunnan")
    TIBET = "540000", _("Tibet")
    SHAANXI = "610000", _("Shaanxi")
    GANSU = "620000", _("Gansu")
    QINGHAI = "630000", _("Qinghai")
    NINGXIA = "640000", _("Ningxia")
    XINJIANG = "650000", _("Xinjiang")

    @classmethod
    def from_division_code(cls, code: str) -> "Province | None":
        """The province of a six-digit administrative division code."""
        try:
            return cls(code[:2] + "0000")
        except ValueError:
            return None


def pinyin_keys(text: str) -> str:
    """Full pinyin and initials of Chinese text, for typing "bj" or "beijing"."""
    if not text:
        return ""
    full = "".join(lazy_pinyin(text))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return f"{full} {initials}".lower()


class LiveQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live=True)


class ReferenceItem(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model
):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    # Derived from code and names; what the picker matches typed input against.
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = LiveQuerySet.as_manager()
    # The picker matches search_text in SQL; no search index to keep updated.
    search_auto_update = False
    # Nothing links to a reference item from rich text; skip Wagtail's usage index.
    wagtail_reference_index_ignore = True

    search_fields = [
        index.SearchField("code"),
        index.SearchField("name_zh"),
        index.SearchField("name_en"),
        index.AutocompleteField("code"),
        index.AutocompleteField("name_zh"),
    ]
    base_panels = [FieldPanel("code"), FieldPanel("name_zh"), FieldPanel("name_en")]

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.localized_name}"

    def save(self, *args, **kwargs):
        # Denormalised so the picker filters in the database, not in Python.
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def localized_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def build_search_text(self) -> str:
        parts = [self.code, self.name_zh, self.name_en, pinyin_keys(self.name_zh)]
        return " ".join(p for p in parts if p).lower()


def division_prefix(code: str) -> str:
    """The GB/T 2260 code without its trailing "00" pairs: what every code inside starts with.

    000000 -> "", 110000 -> "11", 110100 -> "1101", 110108 -> "110108".
    """
    prefix = code
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


class RegionLevel(models.TextChoices):
    NATIONAL = "NATIONAL", _("National")
    PROVINCE = "PROVINCE", _("Province")
    CITY = "CITY", _("City or district")


class Region(ReferenceItem):
    """An administrative division (GB/T 2260): the nation, a province, a city or a district.

    A region holds every division whose code starts with its ``prefix``; a
    regulator of a region reads the enterprises registered anywhere under it
    (characters 3-8 of their USCC).
    """

    code = models.CharField(
        _("GB/T 2260 code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("Enter the six-digit division code."))],
    )
    level = models.CharField(_("administrative level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    # Derived from code: the range of division codes the region covers.
    prefix = models.CharField(max_length=6, editable=False, blank=True, default="")

    panels = [
        *ReferenceItem.base_panels,
        FieldPanel("level"),
        FieldPanel("parent", widget=ReferencePicker("regions")),
    ]

    class Meta(ReferenceItem.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def save(self, *args, **kwargs):
        self.prefix = division_prefix(self.code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "prefix"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        prefix = division_prefix(self.code or "")
        if self.level == RegionLevel.NATIONAL:
            if prefix or self.parent_id:
                raise ValidationError(
                    {"level": _("Only 000000, with no parent, is the national level.")}
                )
            return
        if self.parent is None:
            raise ValidationError({"parent": _("Choose the region this one is part of.")})
        if self.parent.pk == self.pk or not prefix.startswith(self.parent.prefix):
            raise ValidationError(
                {"parent": _("The code must start with the code of the region it is part of.")}
            )
        if self.level == RegionLevel.PROVINCE and len(prefix) != 2:
            raise ValidationError({"level": _("A province's code ends in 0000.")})

    @property
    def is_national(self) -> bool:
        return self.prefix == ""

    def scope_q(self, field: str) -> Q:
        """Rows whose six-digit division code ``field`` lies in this region.

        A range rather than LIKE, so an index on the code serves it on SQLite
        and PostgreSQL alike.
        """
        if not self.prefix:
            return Q()
        return Q(
            **{
                f"{field}__gte": self.prefix.ljust(6, "0"),
                f"{field}__lte": self.prefix.ljust(6, "9"),
            }
        )

    def contains_code(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def is_within(self, other: "Region") -> bool:
        """Whether this region is ``other`` or lies under it."""
        return self.prefix.startswith(other.prefix)


class AuthorityKind(models.TextChoices):
    DRUG_ADMINISTRATION = "DRUG_ADMINISTRATION", _("Provincial medical products administration")
    LICENCE_BUREAU = "LICENCE_BUREAU", _("MOFCOM quota and licence bureau")
    AV_IMPORT_OFFICE = "AV_IMPORT_OFFICE", _("Audio-video import office")


class Authority(ReferenceItem):
    kind = models.CharField(_("kind"), max_length=30, choices=AuthorityKind.choices)
    province = models.CharField(_("province"), max_length=6, choices=Province.choices)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)

    panels = [
        *ReferenceItem.base_panels,
        FieldPanel("kind"),
        FieldPanel("province"),
        FieldPanel("phone"),
        FieldPanel("address"),
        FieldPanel("contact"),
    ]

    class Meta(ReferenceItem.Meta):
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")


class CustomsDistrict(ReferenceItem):
    panels = ReferenceItem.base_panels

    class Meta(ReferenceItem.Meta):
        verbose_name = _("customs district")
        verbose_name_plural = _("customs districts")


class Port(ReferenceItem):
    customs_district = models.ForeignKey(
        CustomsDistrict,
        verbose_name=_("customs district"),
        on_delete=models.PROTECT,
        related_name="ports",
    )
    is_designated_drug_port = models.BooleanField(_("designated drug import port"), default=False)

    panels = [
        *ReferenceItem.base_panels,
        FieldPanel("customs_district", widget=ReferencePicker("customs-districts")),
        FieldPanel("is_designated_drug_port"),
    ]

    class Meta(ReferenceItem.Meta):
        verbose_name = _("port")
        verbose_name_plural = _("ports")


class HSCode(ReferenceItem):
    code = models.CharField(_("HS code"), max_length=10, unique=True)
    unit = models.CharField(_("statutory unit"), max_length=20)
    is_iron_ore = models.BooleanField(_("iron ore"), default=False)
    is_key_agricultural = models.BooleanField(_("key agricultural product"), default=False)
    electronic_licence_eligible = models.BooleanField(
        _("electronic licence eligible"), default=True
    )
    auto_import_licence = models.BooleanField(
        _("under the automatic import licence (non-mechanical/electrical)"),
        default=False,
        help_text=_("Goods in the catalogue of the automatic import licence the bureau issues."),
    )

    panels = [
        *ReferenceItem.base_panels,
        FieldPanel("unit"),
        FieldPanel("auto_import_licence"),
        FieldPanel("electronic_licence_eligible"),
        FieldPanel("is_iron_ore"),
        FieldPanel("is_key_agricultural"),
    ]

    class Meta(ReferenceItem.Meta):
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")


class DosageForm(ReferenceItem):
    panels = ReferenceItem.base_panels

    class Meta(ReferenceItem.Meta):
        verbose_name = _("dosage form")
        verbose_name_plural = _("dosage forms")


class Carrier(ReferenceItem):
    """The medium an audio-video product comes on (CD, DVD, Blu-ray…)."""

    panels = ReferenceItem.base_panels

    class Meta(ReferenceItem.Meta):
        verbose_name = _("audio-video carrier")
        verbose_name_plural = _("audio-video carriers")


class Country(ReferenceItem):
    code = models.CharField(_("ISO 3166 alpha-2"), max_length=2, unique=True)
    alpha3 = models.CharField(_("ISO 3166 alpha-3"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO 3166 numeric"), max_length=3)
    no_drug_import_licensing = models.BooleanField(
        _("no import licensing regime for anabolic agents and peptide hormones"),
        default=False,
        help_text=_(
            "The country or region does not license imports of these drugs: an export "
            "drug permit to it needs the proof that no import licence is needed, plus the "
            "importing authority's consent or the importer's qualification and the proof "
            "of lawful use."
        ),
    )

    panels = [
        *ReferenceItem.base_panels,
        FieldPanel("alpha3"),
        FieldPanel("numeric"),
        FieldPanel("no_drug_import_licensing"),
    ]

    class Meta(ReferenceItem.Meta):
        verbose_name = _("country or region")
        verbose_name_plural = _("countries and regions")

    def build_search_text(self) -> str:
        return f"{super().build_search_text()} {self.alpha3.lower()} {self.numeric}"


class Currency(ReferenceItem):
    code = models.CharField(_("ISO 4217 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO 4217 numeric"), max_length=3)
    usd_rate = models.DecimalField(
        _("US dollars per unit"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("The conversion rate licence values are converted to US dollars at."),
    )

    panels = [*ReferenceItem.base_panels, FieldPanel("numeric"), FieldPanel("usd_rate")]

    class Meta(ReferenceItem.Meta):
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")

    def build_search_text(self) -> str:
        return f"{super().build_search_text()} {self.numeric}"


class TradeMode(ReferenceItem):
    panels = ReferenceItem.base_panels

    class Meta(ReferenceItem.Meta):
        verbose_name = _("trade mode")
        verbose_name_plural = _("trade modes")


class Module(models.TextChoices):
    """The filing systems an enterprise works in; owners grant them to agents."""

    DRUG_PERMIT = "DRUG_PERMIT", _("Drug import/export permit")
    AV_IMPORT = "AV_IMPORT", _("Audio-video product import")
    AUTO_IMPORT_LICENCE = "AUTO_IMPORT_LICENCE", _("Automatic import licence")
    EXPORT_DRUG_ARCHIVE = "EXPORT_DRUG_ARCHIVE", _("Export drug archive")


class Purpose(ClusterableModel, ReferenceItem):
    module = models.CharField(_("filing system"), max_length=30, choices=Module.choices)

    panels = [
        *ReferenceItem.base_panels,
        FieldPanel("module"),
        InlinePanel("attachment_types", label=_("attachments"), heading=_("attachments")),
    ]

    class Meta(ReferenceItem.Meta):
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")


class ConditionalAttachmentQuerySet(models.QuerySet):
    def conditional(self, *keys: str) -> list["PurposeAttachment"]:
        """The conditional attachment types of ``keys``, in that order (absent ones left out)."""
        found = {t.key: t for t in self.filter(purpose=None, key__in=keys)}
        return [found[key] for key in keys if key in found]


class PurposeAttachment(Orderable):
    """An attachment type: a line of a purpose's checklist, or (``purpose`` empty, ``key``
    set) a conditional type a system adds to a filing's checklist when its condition holds
    (e.g. the proof that the importing country needs no import licence); the system's rules
    name a conditional type by its ``key``, editors keep its names."""

    purpose = ParentalKey(
        Purpose,
        on_delete=models.CASCADE,
        related_name="attachment_types",
        null=True,
        blank=True,
    )
    key = models.CharField(
        _("key"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=_("How the portal's rules name a conditional attachment type."),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=True)

    objects = ConditionalAttachmentQuerySet.as_manager()

    panels = [FieldPanel("name_zh"), FieldPanel("name_en"), FieldPanel("required")]

    class Meta(Orderable.Meta):
        verbose_name = _("required attachment")
        verbose_name_plural = _("required attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="unique_conditional_attachment_key"
            ),
            models.CheckConstraint(
                condition=Q(purpose__isnull=False) | ~Q(key=""),
                name="attachment_type_of_purpose_or_keyed",
            ),
        ]

    def __str__(self):
        return self.name_zh


class ConditionalAttachmentTypeManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(purpose=None).exclude(key="")


class ConditionalAttachmentType(PurposeAttachment):
    """The back office's view of the conditional attachment types: the portal declares
    them (by ``key``); their names are reference data, kept here.  They have no drafts,
    so only moderators rename them (an editor's change would otherwise skip moderation)."""

    objects = ConditionalAttachmentTypeManager()

    panels = [FieldPanel("name_zh"), FieldPanel("name_en")]

    class Meta:
        proxy = True
        verbose_name = _("conditional attachment type")
        verbose_name_plural = _("conditional attachment types")

    def clean(self):
        super().clean()
        if not self.key:
            raise ValidationError(
                _("Conditional attachment types are declared by the portal; rename one instead.")
            )
