"""The public site: home, guidance, help and the designated-port list.

Pages carry Chinese content with optional English beside it; the template
shows the English when the visitor switched to English and it exists.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

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

    content_panels = [
        *BilingualPage.content_panels,
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
    subpage_types = []

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
