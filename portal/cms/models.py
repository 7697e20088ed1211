"""The public site: home, guidance, help and the designated-port list.

Pages carry Chinese content with optional English beside it; the template
shows the English when the visitor switched to English and it exists.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from portal.reference.models import Module

from .selectors import designated_ports_by_district


class BilingualPage(Page):
    title_en = models.CharField(_("English title"), max_length=255, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("English introduction"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("intro"), FieldPanel("intro_en")], heading=_("introduction")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en"),
        index.SearchField("intro"),
        index.SearchField("intro_en"),
    ]

    # The substring search backend reads the tables directly: no index to update.
    search_auto_update = False

    class Meta:
        abstract = True


class HomePage(BilingualPage):
    max_count = 1
    subpage_types = ["cms.GuidanceIndexPage", "cms.HelpPage", "cms.PortListPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().in_menu().specific()
        context["latest_guidance"] = (
            GuidancePage.objects.live().descendant_of(self).order_by("-first_published_at")[:5]
        )
        return context


class GuidanceIndexPage(BilingualPage):
    subpage_types = ["cms.GuidancePage"]
    parent_page_types = ["cms.HomePage"]

    class Meta:
        verbose_name = _("guidance index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guides"] = self.get_children().live().specific()
        return context


class GuidancePage(BilingualPage):
    body = RichTextField(_("body"))
    body_en = RichTextField(_("English body"), blank=True)
    # Seed 001 §4.1.2: each filing form links the guidance its editors keep for it.
    module = models.CharField(
        _("guides the forms of"),
        max_length=30,
        choices=Module.choices,
        blank=True,
        db_index=True,
        help_text=_("The filing system whose application forms link this page."),
    )

    content_panels = [
        *BilingualPage.content_panels,
        FieldPanel("module"),
        FieldPanel("body"),
        FieldPanel("body_en"),
        InlinePanel("downloads", label=_("downloadable files"), heading=_("downloadable files")),
    ]
    search_fields = [
        *BilingualPage.search_fields,
        index.SearchField("body"),
        index.SearchField("body_en"),
    ]
    parent_page_types = ["cms.GuidanceIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("guidance page")


class GuidanceDownload(Orderable):
    page = ParentalKey(GuidancePage, on_delete=models.CASCADE, related_name="downloads")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("label"), max_length=200, blank=True)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("label"), FieldPanel("label_en")]


class HelpPage(BilingualPage):
    content_panels = [
        *BilingualPage.content_panels,
        InlinePanel("questions", label=_("questions"), heading=_("questions and answers")),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ModuleHelpPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = self.get_children().live().specific()
        return context

    class Meta:
        verbose_name = _("help page")


class HelpQuestion(Orderable):
    page = ParentalKey(HelpPage, on_delete=models.CASCADE, related_name="questions")
    question = models.CharField(_("question"), max_length=300)
    question_en = models.CharField(_("English question"), max_length=300, blank=True)
    answer = RichTextField(_("answer"))
    answer_en = RichTextField(_("English answer"), blank=True)

    panels = [
        FieldPanel("question"),
        FieldPanel("question_en"),
        FieldPanel("answer"),
        FieldPanel("answer_en"),
    ]


class ModuleHelpPage(BilingualPage):
    """帮助文档 of one module (seed 002 三): its manual, latest version, to download, and
    whom to ask (咨询与反馈), kept by editors."""

    module = models.CharField(_("module"), max_length=30, choices=Module.choices, unique=True)
    manual = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("user manual"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    manual_en = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("English user manual"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contacts = RichTextField(_("contacts"), blank=True)
    contacts_en = RichTextField(_("English contacts"), blank=True)

    content_panels = [
        *BilingualPage.content_panels,
        FieldPanel("module"),
        MultiFieldPanel([FieldPanel("manual"), FieldPanel("manual_en")], heading=_("user manual")),
        MultiFieldPanel([FieldPanel("contacts"), FieldPanel("contacts_en")], heading=_("contacts")),
    ]
    parent_page_types = ["cms.HelpPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("module help page")


class Feedback(models.Model):
    """咨询与反馈: a question or a problem an enterprise sends to the editors, and the answer."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    module = models.CharField(_("module"), max_length=30, choices=Module.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    answer = models.TextField(_("answer"), blank=True, max_length=5000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "-created_at", "-id"], name="feedback_enterprise")
        ]

    def __str__(self):
        return self.subject

    @property
    def is_answered(self) -> bool:
        return bool(self.answered_at)


class PortListPage(BilingualPage):
    """The published designated drug import ports, from the Port snippets."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("designated port list")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["districts"] = designated_ports_by_district()
        return context
