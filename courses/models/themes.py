"""Monthly themes (每月一主题): a province sets the theme, a county may add to it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


class MonthlyThemeQuerySet(models.QuerySet):
    def for_region(self, region, month) -> "MonthlyThemeQuerySet":
        """Themes of `month` set by `region` or any region above it, broadest first."""
        codes = [c for c in region.path.strip("/").split("/") if c]
        return self.filter(month=month, region__code__in=codes).order_by("region__path")


class MonthlyTheme(ClusterableModel):
    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        limit_choices_to={"level__in": ["province", "city", "county"]},
    )
    month = models.DateField(_("month"), help_text=_("Any day of the month; the first is stored."))
    title = models.CharField(_("theme"), max_length=100)
    summary = models.TextField(_("summary"), max_length=500, blank=True)

    objects = MonthlyThemeQuerySet.as_manager()

    panels = [
        FieldPanel("region"),
        FieldPanel("month"),
        FieldPanel("title"),
        FieldPanel("summary"),
        InlinePanel("theme_courses", label=_("courses"), min_num=1),
    ]

    class Meta:
        ordering = ["-month", "region__path"]
        verbose_name = _("monthly theme")
        verbose_name_plural = _("monthly themes")
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="theme_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region} · {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


class MonthlyThemeCourse(Orderable):
    theme = ParentalKey(MonthlyTheme, on_delete=models.CASCADE, related_name="theme_courses")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )

    panels = [FieldPanel("course")]

    class Meta(Orderable.Meta):
        verbose_name = _("theme course")
