"""The first-lesson gate: until a supervisee has completed the orientation course for their
region, every other page leads there (sign-in, language, video, the API, static files and the
first lesson's own quiz, reflection and reading stay reachable so the lesson itself works)."""

import time

from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from .access import learner

# Set once nothing is due: the first lesson is completed, or the user is not a learner.
SESSION_KEY = "courses_first_lesson_done"
# While no first-lesson course exists for the person, look again only after this time.
SESSION_RECHECK = "courses_first_lesson_recheck"
RECHECK_SECONDS = 300
OPEN_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/jsi18n/",
    "/static/",
    "/video/",
    "/api/",
    "/study/certificates/",
    "/study/check-in/",
    "/notifications/",
    "/favicon",
)
# What a lesson page itself posts to (its quiz, reflection, "I have read this lesson").
LESSON_ACTIONS = ("lesson_quiz", "lesson_reflection", "lesson_read")


class FirstLessonGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.session.get(SESSION_KEY)
            and request.session.get(SESSION_RECHECK, 0) < time.time()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            target = self.gate(request)
            if target is not None:
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def gate(request) -> str | None:
        """The orientation course's address if this request must go there, else None."""
        from .actions import orientation_done

        supervisee = learner(request.user)
        if supervisee is None:
            request.session[SESSION_KEY] = True
            return None
        course, done = orientation_done(supervisee)
        if course is None:
            request.session[SESSION_RECHECK] = time.time() + RECHECK_SECONDS
            return None
        if done:
            request.session[SESSION_KEY] = True  # completion is final
            return None
        url = course.get_url(request)
        if request.path.startswith(url) or lesson_action_of(course, request.path_info):
            return None
        return url


def lesson_action_of(course, path: str) -> bool:
    """Whether `path` is the quiz, reflection or reading of one of `course`'s lessons: the
    first lesson must be completable while everything else still leads to it."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.namespace != "courses" or match.url_name not in LESSON_ACTIONS:
        return False
    return course.lessons().filter(pk=match.kwargs["pk"]).exists()
