"""What the search layer finds of the courses: live courses and lessons, for their audience."""

from django.utils.translation import gettext_lazy as _

from search.registry import IndexDefinition, key_for, register
from search.text import plain
from search.types import SITE, STAFF, SUPERVISEE, Audience, Document

from .models import CoursePage, LessonPage
from .models.pages import AgeGroup

AGES = {AgeGroup.MINORS: {"minor"}, AgeGroup.ADULTS: {"adult"}}


def course_audience(course: CoursePage) -> Audience:
    """The course's audience rules as search access fields; staff find every course."""
    return Audience(
        audience=frozenset({SUPERVISEE, STAFF}),
        levels=frozenset(course.levels),
        sentences=frozenset(course.sentence_types),
        offences=frozenset(course.offence_categories),
        ages=frozenset(AGES.get(course.age_group, ())),
        regions=frozenset(region.code for region in course.regions.all()),
    )


def findable(page) -> bool:
    return page.live and not page.get_view_restrictions().exists()


@register
class CourseIndex(IndexDefinition):
    model = CoursePage
    kind_labels = {"course": _("course"), "lesson": _("lesson")}

    def queryset(self):
        return CoursePage.objects.prefetch_related("regions")

    def document(self, course: CoursePage) -> Document | None:
        if not findable(course):
            return None
        return Document(
            key=key_for(course),
            index=SITE,
            kind="course",
            title=course.title,
            body=" ".join(filter(None, [course.summary, plain(course.body)])),
            url=course.url or "",
            published=course.first_published_at,
            access=course_audience(course),
        )

    def dependents(self, course: CoursePage):
        return LessonPage.objects.child_of(course)


@register
class LessonIndex(IndexDefinition):
    model = LessonPage

    def document(self, lesson: LessonPage) -> Document | None:
        course = lesson.get_parent().specific
        if not findable(lesson) or not isinstance(course, CoursePage) or not findable(course):
            return None
        return Document(
            key=key_for(lesson),
            index=SITE,
            kind="lesson",
            title=lesson.title,
            body=" ".join(filter(None, [course.title, plain(lesson.body)])),
            url=lesson.url or "",
            published=lesson.first_published_at,
            access=course_audience(course),
        )
