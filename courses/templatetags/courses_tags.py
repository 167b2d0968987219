from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def course_index_url(context) -> str:
    """Where the course list lives (a Wagtail page editors may move)."""
    from courses.models import CourseIndexPage

    index = CourseIndexPage.objects.live().first()
    return index.get_url(context.get("request")) if index else ""


@register.filter
def hours(minutes) -> str:
    """Minutes as hours with at most one decimal: 90 -> "1.5", 480 -> "8"."""
    value = f"{(minutes or 0) / 60:.1f}"
    return value.removesuffix(".0")


@register.filter
def percent_of(part, whole) -> int:
    return min(100, int(100 * (part or 0) / whole)) if whole else 0
