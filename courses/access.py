"""Who may see which course, lesson progress, group class and compliance row."""

from django.core.cache import cache
from django.http import Http404

from portal.access import access_supervisee, has_role, is_supervisee, require_role
from portal.models import Role, Supervisee

from .models import CoursePage, GroupSession, LessonPage, Reflection

# Staff who may open any course to see what supervisees are taught.
COURSE_STAFF_ROLES = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER, Role.EDITOR)
COMPLIANCE_ROLES = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER)
GROUP_ROLES = (Role.CASEWORKER, Role.OFFICIAL)


def learner(user) -> Supervisee | None:
    """The supervisee record of `user` while under supervision, else None."""
    if not is_supervisee(user):
        return None
    supervisee = user.supervisee
    return supervisee if supervisee.status == Supervisee.Status.ACTIVE else None


def course_viewer(user) -> str | None:
    """ "learner", "staff", or None for people the courses are not for."""
    if learner(user) is not None:
        return "learner"
    if getattr(user, "is_superuser", False) or has_role(user, *COURSE_STAFF_ROLES):
        return "staff"
    return None


def access_course(user, course: CoursePage) -> None:
    """404 unless `course` is meant for the learner, or the viewer is staff."""
    viewer = course_viewer(user)
    if viewer == "staff":
        return
    if viewer == "learner" and course.is_for(learner(user)):
        return
    raise Http404


def courses_for(supervisee: Supervisee) -> list[CoursePage]:
    """Live courses whose audience includes `supervisee`, in tree order."""
    courses = CoursePage.objects.live().prefetch_related("regions")
    return [c for c in courses if c.is_for(supervisee)]


def orientation_courses() -> list[CoursePage]:
    return list(CoursePage.objects.live().filter(kind="orientation").prefetch_related("regions"))


def orientation_course_for(
    supervisee: Supervisee, courses: list[CoursePage] | None = None
) -> CoursePage | None:
    """The first lesson for the person's region: the most specific live orientation course."""
    candidates = [
        (course.region_depth(supervisee), -course.pk, course)
        for course in (orientation_courses() if courses is None else courses)
        if course.is_for(supervisee)
    ]
    return max(candidates, key=lambda c: c[:2])[2] if candidates else None


def may_watch(user, video) -> bool:
    """A supervisee watches a lesson's video only if one of its courses is for them.

    Asked for every segment request, so the answer is cached for a few minutes.
    """
    supervisee = learner(user)
    if supervisee is None:
        return True
    key = f"courses:may-watch:{user.pk}:{video.pk}"
    allowed = cache.get(key)
    if allowed is None:
        lessons = list(LessonPage.objects.live().filter(video=video))
        allowed = not lessons or any(lesson.course.is_for(supervisee) for lesson in lessons)
        cache.set(key, allowed, 300)
    return allowed


def access_compliance_row(user, supervisee_id) -> Supervisee:
    require_role(user, *COMPLIANCE_ROLES)
    return access_supervisee(user, supervisee_id)


def access_reflection(user, pk) -> Reflection:
    """A reflection of someone in the caseworker's (or social worker's) scope, else 404."""
    require_role(user, Role.CASEWORKER, Role.SOCIAL_WORKER)
    reflection = Reflection.objects.filter(pk=pk).select_related("lesson").first()
    if reflection is None:
        raise Http404
    access_supervisee(user, reflection.supervisee_id)
    return reflection


def access_group_session(user, pk) -> GroupSession:
    require_role(user, *GROUP_ROLES)
    session = (
        GroupSession.objects.in_scope_of(user)
        .select_related("organiser__region", "course")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return session
