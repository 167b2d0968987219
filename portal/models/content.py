"""Public content (bakerydemo-style index and detail pairs): standard pages, success stories
(改好典型), legal education (法治教育) and news.

A success story is anonymised by rule, not by the editor's care: it carries a pseudonym, a
place no finer than the city, and a photo only with the person's written consent attached; a
story linked to a minor's record can never be published. The rules run on every publish,
whichever way it comes (the editor, a workflow approval, scheduled publishing), and the editor
is told which rule refused it (`publication_problems`).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from ..blocks import body_blocks, body_text
from .people import private_storage
from .regions import Region

PAGE_SIZE = 10
COARSE_LEVELS = (Region.Level.PROVINCE, Region.Level.CITY)


class PublicationRefused(ValidationError):
    """A publish the content rules forbid; the messages say why."""


class RuledPage(Page):
    """A page whose content rules are checked on every publish."""

    class Meta:
        abstract = True

    def publication_problems(self) -> list[str]:
        return []

    def publish(self, revision, *args, **kwargs):
        problems = revision.as_object().publication_problems()
        if problems:
            raise PublicationRefused(problems)
        return super().publish(revision, *args, **kwargs)


class RuledPageForm(WagtailAdminPageForm):
    """Tells the editor, next to the form, why a publish would be refused."""

    def clean(self):
        cleaned = super().clean()
        if "action-publish" in self.data and not self.errors:
            draft = self.instance
            for name, value in cleaned.items():
                if name in {f.name for f in draft._meta.concrete_fields}:
                    setattr(draft, name, value)
            for problem in draft.publication_problems():
                self.add_error(None, problem)
        return cleaned


class RegionalPage(Page):
    """Content published for a region: an official of that region approves it."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": (*COARSE_LEVELS, Region.Level.COUNTY)},
        verbose_name=_("published for"),
        help_text=_("An official of this region approves the page."),
    )

    class Meta:
        abstract = True

    @property
    def approval_region(self) -> Region:
        return self.region


class StandardPage(RegionalPage):
    """A plain article: what community corrections is, how to reach the office, and so on."""

    summary = models.TextField(_("summary"), blank=True, max_length=300)
    body = StreamField(body_blocks(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("region"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("standard page")


class ListingPage(Page):
    """An index of its children, newest first, a page of PAGE_SIZE at a time."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        abstract = True

    def entries(self, request):
        return self.get_children().live().public().specific().order_by("-first_published_at")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.entries(request), PAGE_SIZE)
        context["entries"] = paginator.get_page(request.GET.get("page"))
        return context


# --- Success stories -----------------------------------------------------------------------


def consent_path(instance, filename: str) -> str:
    return f"consent/{uuid.uuid4().hex}"


class SuccessStoryIndexPage(ListingPage):
    subpage_types = ["portal.SuccessStoryPage"]
    parent_page_types = ["portal.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("success stories index")


class SuccessStoryPage(RuledPage):
    """改好典型: a person's way back, told under a pseudonym."""

    pseudonym = models.CharField(
        _("pseudonym"), max_length=20, help_text=_("Never the real name, e.g. 小李 or 老王.")
    )
    city = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": COARSE_LEVELS},
        verbose_name=_("place"),
        help_text=_("No finer than the city."),
    )
    summary = models.TextField(_("summary"), max_length=300)
    body = StreamField(body_blocks(), verbose_name=_("story"))
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo of the person"),
        help_text=_("Only with the person's written consent attached below."),
    )
    photo_consent = models.FileField(
        _("written consent to the photo"),
        storage=private_storage,
        upload_to=consent_path,
        blank=True,
        help_text=_("A scan of the signed consent; kept private, never published."),
    )
    # The record the story is about, set from the person's file; never shown. It is what lets
    # the rules refuse a minor's story and a real name.
    supervisee = models.ForeignKey(
        "portal.Supervisee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("pseudonym"), FieldPanel("city")], heading=_("Anonymised person")
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("photo"), FieldPanel("photo_consent")], heading=_("Photo and consent")
        ),
    ]
    base_form_class = RuledPageForm
    parent_page_types = ["portal.SuccessStoryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("success story")
        verbose_name_plural = _("success stories")

    def publication_problems(self) -> list[str]:
        problems = []
        person = self.supervisee
        if person is not None and person.is_minor:
            problems.append(_("A story linked to a minor's record can never be published."))
        if self.photo_id and not self.photo_consent:
            problems.append(_("A photo of the person needs their written consent attached."))
        if self.city_id and self.city.level not in COARSE_LEVELS:
            problems.append(_("The place may be no finer than the city."))
        if person is not None and person.name in self._public_text():
            problems.append(_("The person's real name appears in the story: use the pseudonym."))
        return problems

    @property
    def approval_region(self) -> Region:
        return self.city

    def _public_text(self) -> str:
        return " ".join([self.title, self.pseudonym, self.summary, body_text(self.body)])


# --- Legal education -------------------------------------------------------------------------


class LegalEducationTag(TaggedItemBase):
    content_object = ParentalKey(
        "portal.LegalEducationPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class LegalEducationIndexPage(ListingPage):
    """法治教育, filtered by tag (法律条文, 案例, 问答, 心理健康 …)."""

    subpage_types = ["portal.LegalEducationPage"]
    parent_page_types = ["portal.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("legal education index")

    def entries(self, request):
        entries = super().entries(request)
        tag = request.GET.get("tag")
        if tag:
            pages = LegalEducationPage.objects.filter(tags__name=tag).values("pk")
            entries = entries.filter(pk__in=pages)
        return entries

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = LegalEducationPage.objects.child_of(self).live().public()
        context["tags"] = (
            LegalEducationPage.tags.through.tag_model()
            .objects.filter(portal_legaleducationtag_items__content_object__in=children)
            .distinct()
            .order_by("name")
        )
        context["tag"] = request.GET.get("tag", "")
        return context


class LegalEducationPage(RegionalPage):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone")
        SUPERVISEES = "supervisees", _("people under supervision")
        FAMILIES = "families", _("families")
        MINORS = "minors", _("minors and their guardians")

    summary = models.TextField(_("summary"), max_length=300)
    body = StreamField(body_blocks(), verbose_name=_("article"))
    tags = ClusterTaggableManager(
        through=LegalEducationTag,
        blank=True,
        verbose_name=_("tags"),
        help_text=_("For example 法律条文, 案例, 问答, 心理健康."),
    )
    audience = models.CharField(
        _("written for"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("region"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("tags"),
        FieldPanel("audience"),
    ]
    parent_page_types = ["portal.LegalEducationIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("legal education article")


# --- News ---------------------------------------------------------------------------------


class NewsIndexPage(ListingPage):
    subpage_types = ["portal.NewsPage"]
    parent_page_types = ["portal.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("news index")


class NewsPage(RegionalPage):
    date = models.DateField(_("date"))
    summary = models.TextField(_("summary"), max_length=300)
    body = StreamField(body_blocks(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("region"),
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["portal.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
