"""Courses and lessons as Wagtail pages, with the audience each course is for."""

import datetime

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from portal.models.people import OffenceCategory, SentenceType, SupervisionLevel

from ..blocks import QuizQuestionBlock
from ..calendar import add_months
from ..fields import ChoiceListField


class CourseKind(models.TextChoices):
    ORIENTATION = "orientation", _("first lesson")
    MONTHLY = "monthly", _("monthly theme")
    TARGETED = "targeted", _("targeted education")
    GENERAL = "general", _("general education")


class Phase(models.TextChoices):
    ANY = "any", _("any time")
    INTAKE = "intake", _("first month of supervision")
    ONGOING = "ongoing", _("during supervision")
    RELEASE = "release", _("last month of supervision")


class AgeGroup(models.TextChoices):
    ALL = "all", _("minors and adults")
    MINORS = "minors", _("minors only")
    ADULTS = "adults", _("adults only")


def phase_of(supervisee, today: datetime.date | None = None) -> str:
    """入矫 in the first month, 解矫 in the last month, 矫中 in between."""
    today = today or timezone.localdate()
    if today < add_months(supervisee.supervision_start, 1):
        return Phase.INTAKE
    if today >= add_months(supervisee.planned_end, -1):
        return Phase.RELEASE
    return Phase.ONGOING


class CourseIndexPage(Page):
    """The list of courses: each visitor sees the ones meant for them."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course index")

    def serve(self, request, *args, **kwargs):
        from ..access import course_viewer

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if course_viewer(request.user) is None:
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..views import course_catalogue

        context = super().get_context(request, *args, **kwargs)
        context.update(course_catalogue(request.user))
        return context


class CoursePage(Page):
    """A course: a sequence of lessons for an audience defined by the fields below."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=CourseKind.choices, default=CourseKind.GENERAL
    )
    phase = models.CharField(
        _("phase"),
        max_length=10,
        choices=Phase.choices,
        default=Phase.ANY,
        help_text=_("The stage of supervision this course is shown in."),
    )
    summary = models.TextField(_("summary"), max_length=500, blank=True)
    body = RichTextField(_("introduction"), blank=True)
    levels = ChoiceListField(
        _("supervision levels"),
        options=SupervisionLevel.choices,
        help_text=_("Leave empty for every level."),
    )
    sentence_types = ChoiceListField(
        _("sentence types"),
        options=SentenceType.choices,
        help_text=_("Leave empty for every sentence type."),
    )
    offence_categories = ChoiceListField(
        _("offence categories"),
        options=OffenceCategory.choices,
        help_text=_("Leave empty for every offence category."),
    )
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.ALL
    )
    regions = ParentalManyToManyField(
        "portal.Region",
        blank=True,
        verbose_name=_("regions"),
        limit_choices_to={"level__in": ["province", "city", "county"]},
        help_text=_("Leave empty for everywhere. A region includes everything below it."),
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("phase")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("age_group"),
                FieldPanel("regions"),
                FieldPanel("levels"),
                FieldPanel("sentence_types"),
                FieldPanel("offence_categories"),
            ],
            heading=_("Audience"),
        ),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def lessons(self):
        return LessonPage.objects.live().child_of(self).select_related("video")

    def is_for(self, supervisee) -> bool:
        """Whether the audience rules include `supervisee` (the phase only orders the list)."""
        if self.levels and supervisee.supervision_level not in self.levels:
            return False
        if self.sentence_types and supervisee.sentence_type not in self.sentence_types:
            return False
        if self.offence_categories and supervisee.offence_category not in self.offence_categories:
            return False
        if self.age_group == AgeGroup.MINORS and not supervisee.is_minor:
            return False
        if self.age_group == AgeGroup.ADULTS and supervisee.is_minor:
            return False
        return self.region_depth(supervisee) is not None

    def region_depth(self, supervisee) -> int | None:
        """How specific the course's region match is (0 = everywhere), None when outside."""
        regions = list(self.regions.all())
        if not regions:
            return 0
        home = supervisee.judicial_office.region
        depths = [r.path.count("/") for r in regions if r.contains(home)]
        return max(depths) if depths else None

    def serve(self, request, *args, **kwargs):
        from ..access import access_course

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access_course(request.user, self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..views import course_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_context(request.user, self))
        return context


class LessonPage(Page):
    """One lesson: a video, reading, credited minutes, and optionally a quiz and a reflection."""

    video = models.ForeignKey(
        "media.Video",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("video"),
    )
    body = RichTextField(_("text"), blank=True)
    credited_minutes = models.PositiveSmallIntegerField(
        _("credited minutes"),
        help_text=_("Study minutes credited when the lesson is completed."),
    )
    quiz = StreamField(
        [("question", QuizQuestionBlock())], blank=True, verbose_name=_("quiz questions")
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, help_text=_("Share of right answers needed to pass.")
    )
    reflection_prompt = models.TextField(
        _("reflection prompt"),
        blank=True,
        help_text=_("If set, the learner is asked to write a reflection (观后感言)."),
    )
    optional = models.BooleanField(
        _("optional"),
        default=False,
        help_text=_(
            "Credited when completed, but not needed to complete the course "
            "(e.g. the recording of a live class)."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("video"),
        FieldPanel("body"),
        FieldPanel("credited_minutes"),
        FieldPanel("optional"),
        MultiFieldPanel([FieldPanel("quiz"), FieldPanel("pass_mark")], heading=_("Quiz")),
        FieldPanel("reflection_prompt"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @property
    def course(self) -> CoursePage:
        return self.get_parent().specific

    @property
    def has_quiz(self) -> bool:
        return len(self.quiz) > 0

    def serve(self, request, *args, **kwargs):
        from ..access import access_course

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access_course(request.user, self.course)
        if self.video_id is None and not self.body:
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..views import lesson_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_context(request, self))
        return context
