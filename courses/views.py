"""Course pages' context, my hours, compliance, reflections, requirements and group classes."""

import secrets
import time
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import audit
from portal.access import (
    access_manage_supervisee,
    can_manage_supervisee,
    memberships_with_role,
    region_scope,
    require_role,
)
from portal.exports import csv_response, xlsx_response
from portal.models import Region, Role, Supervisee
from portal.models.people import SupervisionLevel
from portal.privacy import person_view
from portal.views.decorators import role_required

from . import actions, compliance, ledger, qr
from .access import (
    COMPLIANCE_ROLES,
    GROUP_ROLES,
    access_compliance_row,
    access_course,
    access_group_session,
    access_reflection,
    courses_for,
    learner,
)
from .calendar import month_start
from .certificates import certificate_pdf
from .forms import (
    ComplianceFilterForm,
    GroupSessionForm,
    ReflectionForm,
    RequirementForm,
    ReverseForm,
    ReviewForm,
    RosterForm,
    ServiceForm,
    organisers_for,
    quiz_form,
)
from .models import (
    CourseCompletion,
    CoursePage,
    GroupAttendance,
    GroupSession,
    HourCredit,
    LessonPage,
    LessonProgress,
    MonthlyTheme,
    Reflection,
)
from .models.pages import Phase, phase_of
from .progress import issue_token

# --- Context for the Wagtail pages --------------------------------------------------------------


class CourseCards:
    """Course cards with how many of each course's lessons the learner has completed."""

    def __init__(self, supervisee):
        self.lessons: dict[str, set[int]] = {}
        for pk, path in LessonPage.objects.live().values_list("pk", "path"):
            self.lessons.setdefault(path[: -LessonPage.steplen], set()).add(pk)
        self.done: set[int] = set()
        if supervisee is not None:
            self.done = set(
                LessonProgress.objects.filter(
                    supervisee=supervisee, completed_at__isnull=False
                ).values_list("lesson_id", flat=True)
            )

    def __call__(self, courses) -> list[dict]:
        return [
            {
                "course": course,
                "total": len(self.lessons.get(course.path, ())),
                "done": len(self.done & self.lessons.get(course.path, set())),
            }
            for course in courses
        ]


def course_catalogue(user) -> dict:
    """What the course index shows: this month's themes first, then the courses for this stage."""
    supervisee = learner(user)
    cards = CourseCards(supervisee)
    if supervisee is None:
        return {"cards": cards(CoursePage.objects.live()), "staff_view": True}
    today = timezone.localdate()
    courses = courses_for(supervisee)
    phase = phase_of(supervisee, today)
    themes = list(
        MonthlyTheme.objects.for_region(
            supervisee.judicial_office.region, month_start(today)
        ).prefetch_related("theme_courses")
    )
    allowed = {c.pk: c for c in courses}
    theme_ids = []
    theme_blocks = []
    for theme in themes:
        listed = [
            allowed[tc.course_id] for tc in theme.theme_courses.all() if tc.course_id in allowed
        ]
        theme_ids += [c.pk for c in listed]
        theme_blocks.append({"theme": theme, "cards": cards(listed)})
    staged = [c for c in courses if c.pk not in theme_ids and c.phase in (Phase.ANY, phase)]
    return {
        "themes": theme_blocks,
        "cards": cards(staged),
        "phase": Phase(phase).label,
        "staff_view": False,
    }


def course_context(user, course: CoursePage) -> dict:
    supervisee = learner(user)
    lessons = list(course.lessons())
    progress = {}
    completion = None
    if supervisee is not None:
        progress = {
            p.lesson_id: p
            for p in LessonProgress.objects.filter(supervisee=supervisee, lesson__in=lessons)
        }
        completion = CourseCompletion.objects.filter(supervisee=supervisee, course=course).first()
    return {
        "lessons": [(lesson, progress.get(lesson.pk)) for lesson in lessons],
        "completion": completion,
        "learner": supervisee,
    }


def lesson_context(request, lesson: LessonPage) -> dict:
    supervisee = learner(request.user)
    context = {"learner": supervisee, "course": lesson.course}
    if supervisee is None:
        return context
    context["progress"] = LessonProgress.objects.filter(
        supervisee=supervisee, lesson=lesson
    ).first() or LessonProgress(supervisee=supervisee, lesson=lesson)
    if lesson.video_id and lesson.video.is_ready:
        token = issue_token(request.user, supervisee, lesson, timezone.now())
        context["watch"] = {
            "token": token.sign(),
            "report_url": reverse("api:lesson_progress", args=[lesson.pk]),
            "interval": settings.COURSES_REPORT_SECONDS,
            "required": round(settings.COURSES_COMPLETION_SHARE * 100),
            "duration": token.duration,
            "max_rate": settings.COURSES_MAX_PLAYBACK_RATE,
        }
    if lesson.has_quiz:
        context["quiz"] = quiz_form(lesson)
        context["last_attempt"] = lesson.quiz_attempts.filter(supervisee=supervisee).first()
    if lesson.reflection_prompt:
        reflection = Reflection.objects.filter(supervisee=supervisee, lesson=lesson).first()
        context["reflection"] = reflection
        context["reflection_form"] = ReflectionForm(
            initial={"text": reflection.text} if reflection else None
        )
    return context


# --- Lesson actions -----------------------------------------------------------------------------


def _learner_lesson(request, pk: int) -> tuple[Supervisee, LessonPage]:
    require_role(request.user, Role.SUPERVISEE)
    supervisee = learner(request.user)
    if supervisee is None:
        raise Http404
    lesson = get_object_or_404(LessonPage.objects.live().select_related("video"), pk=pk)
    access_course(request.user, lesson.course)
    return supervisee, lesson


@require_POST
@login_required
def lesson_quiz(request, pk: int):
    supervisee, lesson = _learner_lesson(request, pk)
    form = quiz_form(lesson, request.POST)
    if not form.is_valid():
        messages.error(request, _("Please answer every question."))
        return redirect(lesson.get_url(request) + "#quiz")
    answers = [form.cleaned_data[f"q{n}"] for n in range(1, len(lesson.quiz) + 1)]
    attempt = actions.submit_quiz(supervisee, lesson, answers)
    if attempt.passed:
        messages.success(
            request, _("You passed the quiz with %(score)d%%.") % {"score": attempt.score}
        )
    else:
        messages.error(
            request,
            _("You scored %(score)d%%; %(mark)d%% is needed. Review the lesson and try again.")
            % {"score": attempt.score, "mark": lesson.pass_mark},
        )
    return redirect(lesson.get_url(request) + "#quiz")


@require_POST
@login_required
def lesson_reflection(request, pk: int):
    supervisee, lesson = _learner_lesson(request, pk)
    if not lesson.reflection_prompt:
        raise Http404
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            actions.save_reflection(supervisee, lesson, form.cleaned_data["text"])
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your reflection has been saved."))
            return redirect(lesson.get_url(request) + "#reflection")
    context = lesson.get_context(request)  # the lesson again, with the typed text and errors
    context["reflection_form"] = form
    return render(request, lesson.get_template(request), context, status=400)


@require_POST
@login_required
def lesson_read(request, pk: int):
    supervisee, lesson = _learner_lesson(request, pk)
    actions.mark_read(supervisee, lesson)
    return redirect(lesson.get_url(request))


@login_required
def certificate(request, pk: int):
    completion = get_object_or_404(
        CourseCompletion.objects.select_related("supervisee__judicial_office__parent", "course"),
        pk=pk,
    )
    own = completion.supervisee.user_id == request.user.pk
    if not own:
        access_compliance_row(request.user, completion.supervisee_id)
        audit.record(request, audit.Action.VIEW, completion.supervisee, detail={"certificate": pk})
    office = completion.supervisee.judicial_office
    issuer = office.parent.name if office.parent_id else office.name
    response = HttpResponse(certificate_pdf(completion, issuer), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{completion.certificate_number}.pdf"'
    )
    return response


# --- My hours -----------------------------------------------------------------------------------


@role_required(Role.SUPERVISEE)
def my_hours(request):
    supervisee = request.user.supervisee
    today = timezone.localdate()
    row = compliance.rows_for(request.user, Supervisee.objects.filter(pk=supervisee.pk), today)[0]
    history = ledger.history(supervisee)
    recent = supervisee.hour_credits.select_related("source_type")[:30]
    completions = CourseCompletion.objects.filter(supervisee=supervisee).select_related("course")
    return render(
        request,
        "courses/my_hours.html",
        {
            "row": row,
            "history": history,
            "recent": recent,
            "completions": completions,
            "today": today,
        },
    )


# --- Compliance ---------------------------------------------------------------------------------


def _compliance_rows(request):
    form = ComplianceFilterForm(request.GET or None)
    rows = compliance.rows_for(request.user, compliance.scope(request.user))
    return form, form.apply(rows)


@role_required(*COMPLIANCE_ROLES)
def compliance_list(request):
    form, rows = _compliance_rows(request)
    audit.record_many(
        request, audit.Action.LIST, [r.supervisee for r in rows], detail={"view": "compliance"}
    )
    return render(
        request,
        "courses/compliance_list.html",
        {
            "form": form,
            "rows": rows,
            "query": request.GET.urlencode(),
            "today": timezone.localdate(),
        },
    )


COMPLIANCE_HEADER = [
    gettext_lazy("Record number"),
    gettext_lazy("Name"),
    gettext_lazy("Judicial office"),
    gettext_lazy("Supervision level"),
    gettext_lazy("Study minutes"),
    gettext_lazy("Study minutes required"),
    gettext_lazy("Service minutes"),
    gettext_lazy("Service minutes required"),
    gettext_lazy("Projected shortfall (minutes)"),
    gettext_lazy("First lesson overdue"),
    gettext_lazy("Reflections to review"),
]


@role_required(*COMPLIANCE_ROLES)
def compliance_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _form, rows = _compliance_rows(request)
    audit.record_many(
        request,
        audit.Action.EXPORT,
        [r.supervisee for r in rows],
        detail={"format": fmt, "view": "compliance"},
    )
    table = [
        [
            r.supervisee.pk,
            r.person.name,
            r.supervisee.judicial_office.name,
            r.supervisee.get_supervision_level_display(),
            r.study.done,
            r.study.required,
            r.service.done,
            r.service.required,
            r.projected_shortfall,
            _("yes") if r.orientation_overdue else _("no"),
            r.unreviewed_reflections,
        ]
        for r in rows
    ]
    header = [str(h) for h in COMPLIANCE_HEADER]
    stem = f"compliance-{timezone.localdate():%Y-%m}"
    if fmt == "xlsx":
        return xlsx_response(stem, _("Compliance"), header, table)
    return csv_response(stem, header, table)


@role_required(*COMPLIANCE_ROLES)
def compliance_detail(request, pk: int):
    supervisee = access_compliance_row(request.user, pk)
    audit.record(request, audit.Action.VIEW, supervisee, detail={"view": "compliance"})
    return render(request, "courses/compliance_detail.html", _detail_context(request, supervisee))


def _detail_context(request, supervisee: Supervisee) -> dict:
    row = compliance.rows_for(request.user, Supervisee.objects.filter(pk=supervisee.pk))[0]
    return {
        "row": row,
        "history": ledger.history(supervisee),
        "credits": supervisee.hour_credits.select_related("recorded_by", "reversal")[:50],
        "progress": LessonProgress.objects.filter(supervisee=supervisee)
        .select_related("lesson")
        .order_by("-started_at")[:30],
        "reflections": supervisee.reflections.select_related("lesson", "reviewed_by"),
        "review_form": ReviewForm(),
        "can_review": bool(
            memberships_with_role(request.user, Role.CASEWORKER)
            or memberships_with_role(request.user, Role.SOCIAL_WORKER)
        ),
        "can_manage": can_manage_supervisee(request.user, supervisee),
        "service_form": ServiceForm(initial={"day": timezone.localdate()}),
        "reverse_form": ReverseForm(),
    }


@require_POST
@role_required(Role.CASEWORKER)
def service_record(request, pk: int):
    supervisee = access_manage_supervisee(request.user, pk)
    form = ServiceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        record = actions.record_service(
            supervisee,
            day=data["day"],
            minutes=int(data["hours"] * 60),
            activity=data["activity"],
            by=request.user,
        )
        audit.record(request, audit.Action.CREATE, supervisee, detail={"service": record.pk})
        messages.success(request, _("The community service has been recorded."))
        return redirect("courses:compliance_detail", pk=supervisee.pk)
    context = _detail_context(request, supervisee)
    context["service_form"] = form
    return render(request, "courses/compliance_detail.html", context, status=400)


@require_POST
@role_required(Role.CASEWORKER)
def credit_reverse(request, pk: int):
    entry = get_object_or_404(HourCredit, pk=pk)
    supervisee = access_manage_supervisee(request.user, entry.supervisee_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the correction."))
    elif entry.reverses_id or HourCredit.objects.filter(reverses=entry).exists():
        messages.error(request, _("This entry has already been corrected."))
    else:
        ledger.reverse(entry, by=request.user, reason=form.cleaned_data["reason"])
        audit.record(request, audit.Action.UPDATE, supervisee, detail={"reversed": entry.pk})
        messages.success(request, _("A reversing entry has been added."))
    return redirect("courses:compliance_detail", pk=supervisee.pk)


@require_POST
@role_required(Role.CASEWORKER, Role.SOCIAL_WORKER)
def reflection_review(request, pk: int):
    reflection = access_reflection(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        actions.review_reflection(request, reflection, form.cleaned_data["note"])
        messages.success(request, _("The reflection is marked as reviewed."))
    return redirect("courses:compliance_detail", pk=reflection.supervisee_id)


# --- Hour requirements --------------------------------------------------------------------------


def _official_regions(user):
    """Regions whose requirements `user` may set: the own region and those below, to counties."""
    scope = region_scope(user, "path", Role.OFFICIAL)
    if scope is None:
        return Region.objects.none()
    return Region.objects.filter(scope).exclude(level=Region.Level.TOWNSHIP)


@role_required(Role.OFFICIAL)
def requirements(request):
    regions = _official_regions(request.user)
    form = RequirementForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.set_requirement(
            request.user,
            data["region"],
            data["level"],
            int(data["study_hours"] * 60),
            int(data["service_hours"] * 60),
        )
        messages.success(request, _("The requirement has been saved."))
        return redirect("courses:requirements")
    table = ledger.RequirementTable()
    effective = []
    for region in regions.order_by("path")[:200]:
        cells = []
        for level, label in SupervisionLevel.choices:
            row = table.for_region(region, level)
            cells.append(
                {
                    "level": label,
                    "row": row,
                    "own": row is not None and row.region_id == region.pk,
                    "study": Decimal(row.study_minutes) / 60 if row else None,
                    "service": Decimal(row.service_minutes) / 60 if row else None,
                }
            )
        effective.append({"region": region, "cells": cells})
    return render(
        request,
        "courses/requirements.html",
        {"form": form, "effective": effective, "levels": SupervisionLevel.choices},
        status=400 if form.errors else 200,
    )


# --- Group classes ------------------------------------------------------------------------------


@role_required(*GROUP_ROLES)
def group_list(request):
    sessions = GroupSession.objects.in_scope_of(request.user).select_related("organiser")[:100]
    return render(request, "courses/group_list.html", {"sessions": sessions})


@role_required(*GROUP_ROLES)
def group_create(request):
    form = GroupSessionForm(request.POST or None, organisers=organisers_for(request.user))
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.created_by = request.user
        session.save()
        messages.success(request, _("The group class has been scheduled."))
        return redirect("courses:group_detail", pk=session.pk)
    return render(
        request, "courses/group_form.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(*GROUP_ROLES)
def group_detail(request, pk: int):
    session = access_group_session(request.user, pk)
    eligible = list(
        actions.eligible_for_session(session).select_related(
            "judicial_office__parent", "home_township"
        )
    )
    attendance = {a.supervisee_id: a for a in session.attendance.all()}
    if request.method == "POST":
        supervisee = next(
            (s for s in eligible if str(s.pk) == request.POST.get("supervisee")), None
        )
        form = RosterForm(request.POST)
        if supervisee is None:
            raise Http404
        if form.is_valid():
            try:
                actions.mark_attendance(
                    session,
                    supervisee,
                    form.cleaned_data["status"],
                    form.cleaned_data["remark"],
                    by=request.user,
                )
            except actions.CheckInRefused as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Attendance saved."))
        else:
            messages.error(request, _("Choose an attendance status."))
        return redirect("courses:group_detail", pk=session.pk)
    audit.record_many(request, audit.Action.LIST, eligible, detail={"group_class": session.pk})
    roster = [
        {
            "person": person_view(request.user, s, in_scope=False),
            "supervisee": s,
            "attendance": attendance.get(s.pk),
        }
        for s in eligible
    ]
    return render(
        request,
        "courses/group_detail.html",
        {
            "session": session,
            "roster": roster,
            "statuses": GroupAttendance.Status.choices,
            "checked_in": sum(1 for a in attendance.values() if a.earns_credit),
        },
    )


@role_required(*GROUP_ROLES)
def group_projector(request, pk: int):
    session = access_group_session(request.user, pk)
    return render(
        request,
        "courses/group_projector.html",
        {"session": session, "rotate": settings.COURSES_QR_ROTATE_SECONDS},
    )


@never_cache
@role_required(*GROUP_ROLES)
def group_qr(request, pk: int):
    """A fresh check-in code for the projector (it asks again every rotation)."""
    session = access_group_session(request.user, pk)
    checked_in = session.attendance.filter(status__in=actions.CREDITED_STATUSES).count()
    if not session.is_open:
        return JsonResponse({"closed": True, "count": checked_in})
    url = (
        f"{request.build_absolute_uri(reverse('courses:check_in'))}?t={qr.issue_token(session.pk)}"
    )
    return JsonResponse({"svg": qr.svg(url), "url": url, "count": checked_in})


@require_POST
@role_required(*GROUP_ROLES)
def group_close(request, pk: int):
    session = access_group_session(request.user, pk)
    credited = actions.close_session(session, by=request.user)
    messages.success(
        request,
        _("The group class is closed; %(count)d people were credited.") % {"count": credited},
    )
    return redirect("courses:group_detail", pk=session.pk)


DEVICE_COOKIE = "jz_checkin_device"
DEVICE_SALT = "courses.checkin-device"


def checkin_device(request) -> str:
    """The browser's check-in identity: a signed cookie that outlives sign-out and sign-in."""
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT) or (
        secrets.token_hex(12)
    )


def remember_device(request, response, device: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device,
        salt=DEVICE_SALT,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


PENDING_CHECK_IN = "courses_pending_check_in"
# A code scanned before signing in stays usable this long in that browser.
PENDING_SECONDS = 300


def _scanned_session_id(request, token: str) -> int | None:
    """The class a fresh code names, or the one this browser scanned a few minutes ago."""
    now = time.time()
    try:
        session_id = qr.read_token(token)
    except (signing.BadSignature, ValueError):
        pending = request.session.get(PENDING_CHECK_IN) or {}
        return pending.get("session") if pending.get("until", 0) > now else None
    request.session[PENDING_CHECK_IN] = {"session": session_id, "until": now + PENDING_SECONDS}
    return session_id


def check_in(request):
    """Where the projector's QR code leads: a signed-in supervisee confirms being there."""
    token = request.GET.get("t") or request.POST.get("t", "")
    context = {"token": token}
    session = GroupSession.objects.filter(pk=_scanned_session_id(request, token)).first()
    if session is None:
        context["error"] = _("This check-in code has expired. Scan the code on the screen again.")
        return render(request, "courses/check_in.html", context, status=400)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context["session"] = session
    supervisee = learner(request.user)
    if supervisee is None:
        context["error"] = _("Only people under supervision check in to group classes.")
        return render(request, "courses/check_in.html", context, status=403)
    if request.method != "POST":
        return render(request, "courses/check_in.html", context)
    device = checkin_device(request)
    status = 200
    try:
        context["attendance"] = actions.check_in(
            session, supervisee, device=device, ip=audit.client_ip(request)
        )
        request.session.pop(PENDING_CHECK_IN, None)
    except actions.CheckInRefused as exc:
        context["error"] = exc.message
        status = 409
    response = render(request, "courses/check_in.html", context, status=status)
    remember_device(request, response, device)
    return response
