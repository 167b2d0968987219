"""Every write with side effects in the courses app: one function per use case."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, F, Func
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit
from portal.models import Supervisee

from . import ledger
from .access import orientation_course_for
from .models import (
    CourseCompletion,
    CoursePage,
    GroupAttendance,
    GroupSession,
    HourRequirement,
    LessonPage,
    LessonProgress,
    QuizAttempt,
    Reflection,
    ServiceRecord,
)
from .models.ledger import Source
from .progress import Rejected, Report, WatchToken, apply_report


@dataclass(frozen=True)
class ProgressOutcome:
    status: str  # accepted | duplicate | rejected
    covered_seconds: float
    position: float
    completed: bool
    reason: str = ""


PROGRESS_FIELDS = [
    "intervals",
    "covered_seconds",
    "position",
    "device",
    "device_served_at",
    "last_seq",
    "last_report_at",
]

# True in a WHERE clause; lets the statement's own transaction commit without waiting for its
# WAL flush (PostgreSQL's asynchronous commit, for that transaction only).
ASYNC_COMMIT_SQL = "set_config('synchronous_commit', 'off', true) = 'off'"


class AsyncCommit(Func):
    template = ASYNC_COMMIT_SQL
    output_field = BooleanField()


def async_commit() -> bool:
    """Whether an ordinary coverage update may commit asynchronously: on PostgreSQL, when the
    setting allows it and the update is a transaction of its own (never inside a caller's)."""
    return (
        settings.COURSES_COVERAGE_ASYNC_COMMIT
        and connection.vendor == "postgresql"
        and connection.get_autocommit()
    )


def record_progress(
    user, lesson_id: int, token: WatchToken, report: Report, now: datetime.datetime
) -> ProgressOutcome:
    """Apply one coverage report; completes the lesson when enough has been watched.

    The common case costs two statements: read the row, then update it on the condition that no
    other report was applied in between (same device and sequence number); only when that
    condition fails is the report applied again under a row lock.
    """
    if token.user_id != user.pk or token.lesson_id != lesson_id:
        raise Rejected("bad_token")
    try:
        progress = LessonProgress.objects.filter(
            supervisee_id=token.supervisee_id, lesson_id=lesson_id
        ).first()
        if progress is not None:
            outcome = _apply(progress, token, report, now, locked=False)
            if outcome is not None:
                return outcome
        with transaction.atomic():
            progress, _created = LessonProgress.objects.select_for_update().get_or_create(
                supervisee_id=token.supervisee_id, lesson_id=lesson_id
            )
            return _apply(progress, token, report, now, locked=True)
    except IntegrityError as exc:  # the person or lesson in the token no longer exists
        raise Rejected("bad_token") from exc


def _apply(progress, token, report, now, *, locked: bool) -> ProgressOutcome | None:
    """Apply `report` to `progress`; None when another report got there first (not locked)."""
    seen = {"pk": progress.pk, "device": progress.device, "last_seq": progress.last_seq}
    try:
        applied = apply_report(progress, token, report, now, settings.COURSES_MAX_PLAYBACK_RATE)
    except Rejected as rejection:
        LessonProgress.objects.filter(pk=progress.pk).update(
            rejected_reports=F("rejected_reports") + 1, last_rejection=rejection.code
        )
        return _outcome(progress, "rejected", rejection.code)
    if not applied:
        return _outcome(progress, "duplicate")
    values = {field: getattr(progress, field) for field in PROGRESS_FIELDS}
    rows = LessonProgress.objects.filter(**seen)
    if not locked and async_commit():
        rows = rows.filter(AsyncCommit())
    if not rows.update(**values) and not locked:
        return None
    if not progress.completed_at and progress.covered_seconds >= (
        settings.COURSES_COMPLETION_SHARE * token.duration
    ):
        with transaction.atomic():
            complete_if_due(LessonProgress.objects.select_for_update().get(pk=progress.pk))
        progress.refresh_from_db(fields=["completed_at"])
    return _outcome(progress, "accepted")


def _outcome(progress: LessonProgress, status: str, reason: str = "") -> ProgressOutcome:
    return ProgressOutcome(
        status=status,
        covered_seconds=progress.covered_seconds,
        position=progress.position,
        completed=progress.completed_at is not None,
        reason=reason,
    )


def watched_enough(progress: LessonProgress, lesson: LessonPage) -> bool:
    if lesson.video_id is None:
        return True
    duration = lesson.video.duration or 0
    return duration > 0 and progress.covered_seconds >= settings.COURSES_COMPLETION_SHARE * duration


def complete_if_due(progress: LessonProgress) -> bool:
    """Complete the lesson once enough was watched and any quiz was passed; credit its minutes."""
    if progress.completed_at:
        return False
    lesson = LessonPage.objects.select_related("video").get(pk=progress.lesson_id)
    if not watched_enough(progress, lesson) or (lesson.has_quiz and not progress.quiz_passed):
        return False
    supervisee = Supervisee.objects.select_related("judicial_office__region").get(
        pk=progress.supervisee_id
    )
    now = timezone.now()
    progress.completed_at = now
    progress.save(update_fields=["completed_at"])
    from live.replay import live_minutes_already_credited

    # A make-up lesson credits only what attending its live class did not already credit.
    minutes = lesson.credited_minutes - live_minutes_already_credited(lesson, supervisee)
    if supervisee.status == Supervisee.Status.ACTIVE and minutes > 0:
        ledger.credit(
            supervisee,
            source=Source.VIDEO,
            minutes=minutes,
            day=timezone.localdate(now),
            key=f"lesson:{progress.pk}",
            record=progress,
        )
    complete_course_if_due(supervisee, lesson.get_parent().specific)
    return True


def complete_course_if_due(supervisee: Supervisee, course: CoursePage) -> CourseCompletion | None:
    lesson_ids = set(course.lessons().filter(optional=False).values_list("pk", flat=True))
    done = set(
        LessonProgress.objects.filter(
            supervisee=supervisee, lesson_id__in=lesson_ids, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )
    if not lesson_ids or lesson_ids - done:
        return None
    now = timezone.now()
    number = f"JZ{timezone.localtime(now):%Y%m%d}{secrets.token_hex(4).upper()}"
    completion, _created = CourseCompletion.objects.get_or_create(
        supervisee=supervisee,
        course=course,
        defaults={"completed_at": now, "certificate_number": number},
    )
    return completion


def mark_read(supervisee: Supervisee, lesson: LessonPage) -> LessonProgress:
    """A lesson without a video is complete once read (and its quiz passed, if any)."""
    progress, _created = LessonProgress.objects.get_or_create(supervisee=supervisee, lesson=lesson)
    if lesson.video_id is None:
        complete_if_due(progress)
    return progress


def submit_quiz(supervisee: Supervisee, lesson: LessonPage, answers: list[int]) -> QuizAttempt:
    """Score the answers (1-based choice numbers); a pass may complete the lesson."""
    questions = [block.value for block in lesson.quiz]
    right = sum(
        1
        for question, answer in zip(questions, answers, strict=False)
        if answer == question["answer"]
    )
    score = round(100 * right / len(questions)) if questions else 100
    passed = score >= lesson.pass_mark
    with transaction.atomic():
        attempt = QuizAttempt.objects.create(
            supervisee=supervisee, lesson=lesson, answers=answers, score=score, passed=passed
        )
        if passed:
            progress, _created = LessonProgress.objects.select_for_update().get_or_create(
                supervisee=supervisee, lesson=lesson
            )
            if not progress.quiz_passed:
                progress.quiz_passed = True
                progress.save(update_fields=["quiz_passed"])
            complete_if_due(progress)
    return attempt


def save_reflection(supervisee: Supervisee, lesson: LessonPage, text: str) -> Reflection:
    """Write or rewrite the reflection; a reviewed one is final."""
    reflection = Reflection.objects.filter(supervisee=supervisee, lesson=lesson).first()
    if reflection and reflection.reviewed_at:
        raise ValueError(_("This reflection has been reviewed and can no longer be changed."))
    if reflection is None:
        reflection = Reflection(supervisee=supervisee, lesson=lesson)
    reflection.text = text
    reflection.save()
    return reflection


def review_reflection(request, reflection: Reflection, note: str) -> None:
    reflection.reviewed_by = request.user
    reflection.reviewed_at = timezone.now()
    reflection.review_note = note
    reflection.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit.record(
        request, audit.Action.UPDATE, reflection.supervisee, detail={"reflection": reflection.pk}
    )


def orientation_done(supervisee: Supervisee) -> tuple[CoursePage | None, bool]:
    """The person's first-lesson course and whether it is completed (no course: nothing due)."""
    course = orientation_course_for(supervisee)
    if course is None:
        return None, True
    return course, CourseCompletion.objects.filter(supervisee=supervisee, course=course).exists()


def record_service(
    supervisee: Supervisee, *, day: datetime.date, minutes: int, activity: str, by
) -> ServiceRecord:
    """Record community service and credit its minutes to the month it was done in."""
    with transaction.atomic():
        record = ServiceRecord.objects.create(
            supervisee=supervisee, day=day, minutes=minutes, activity=activity, recorded_by=by
        )
        ledger.credit(
            supervisee,
            source=Source.SERVICE,
            minutes=minutes,
            day=day,
            key=f"service:{record.pk}",
            record=record,
            by=by,
            note=activity,
        )
    return record


def set_requirement(
    user, region, level: str, study_minutes: int, service_minutes: int
) -> HourRequirement:
    requirement, _created = HourRequirement.objects.update_or_create(
        region=region,
        level=level,
        defaults={
            "study_minutes": study_minutes,
            "service_minutes": service_minutes,
            "updated_by": user,
        },
    )
    return requirement


# --- Group classes ------------------------------------------------------------------------------


def eligible_for_session(session: GroupSession):
    """Active supervisees the organiser serves, of the session's age group only."""
    return Supervisee.objects.active().filter(
        judicial_office__region__path__startswith=session.organiser.region.path,
        is_minor=session.for_minors,
    )


CREDITED_STATUSES = (GroupAttendance.Status.PRESENT, GroupAttendance.Status.LATE)
ONE_PHONE_ONE_PERSON = gettext_lazy(
    "This phone has already checked someone in. Each person checks in on their own phone."
)


class CheckInRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


def check_in(
    session: GroupSession, supervisee: Supervisee, *, device: str, ip: str | None
) -> GroupAttendance:
    """Record a QR check-in; refuses a second person on the same browser."""
    if not session.is_open:
        raise CheckInRefused(_("This group class is closed."))
    if not eligible_for_session(session).filter(pk=supervisee.pk).exists():
        raise CheckInRefused(_("This group class is not for you."))
    now = timezone.now()
    existing = GroupAttendance.objects.filter(session=session, supervisee=supervisee).first()
    if existing and existing.via == GroupAttendance.Via.QR:
        return existing
    other = GroupAttendance.objects.filter(session=session, device=device).exclude(
        supervisee=supervisee
    )
    if other.exists():
        raise CheckInRefused(ONE_PHONE_ONE_PERSON)
    present = GroupAttendance.objects.filter(session=session, status__in=CREDITED_STATUSES).exclude(
        supervisee=supervisee
    )
    if present.count() >= session.capacity:
        raise CheckInRefused(_("This group class is full."))
    flag = ""
    if ip:
        window = now - datetime.timedelta(seconds=settings.COURSES_SHARED_ADDRESS_WINDOW_SECONDS)
        shared = present.filter(ip=ip, checked_in_at__gte=window).count()
        if shared:
            flag = _(
                "Same network address as %(count)d other check-in(s) within a few minutes."
            ) % {"count": shared}
    late = now > session.starts_at + datetime.timedelta(minutes=15)
    values = {
        "status": GroupAttendance.Status.LATE if late else GroupAttendance.Status.PRESENT,
        "via": GroupAttendance.Via.QR,
        "checked_in_at": now,
        "device": device,
        "ip": ip,
        "flag": flag,
    }
    try:
        with transaction.atomic():
            attendance, _created = GroupAttendance.objects.update_or_create(
                session=session, supervisee=supervisee, defaults=values
            )
    except IntegrityError as exc:  # the same device raced a second person in
        raise CheckInRefused(ONE_PHONE_ONE_PERSON) from exc
    return attendance


def mark_attendance(
    session: GroupSession, supervisee: Supervisee, status: str, remark: str, *, by
) -> GroupAttendance:
    if not session.is_open:
        raise CheckInRefused(_("This group class is closed."))
    attendance = GroupAttendance.objects.filter(session=session, supervisee=supervisee).first()
    if attendance is None:  # a QR check-in stays recorded as such when the roster amends it
        attendance = GroupAttendance(
            session=session, supervisee=supervisee, via=GroupAttendance.Via.ROSTER
        )
    attendance.status, attendance.remark, attendance.updated_by = status, remark, by
    attendance.save()
    return attendance


def close_session(session: GroupSession, *, by) -> int:
    """Close the class and credit everyone present or late; returns how many were credited."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        if not session.is_open:
            return 0
        session.status = GroupSession.Status.CLOSED
        session.closed_at = timezone.now()
        session.save(update_fields=["status", "closed_at"])
        credited = 0
        day = timezone.localdate(session.starts_at)
        for attendance in session.attendance.filter(status__in=CREDITED_STATUSES).select_related(
            "supervisee"
        ):
            ledger.credit(
                attendance.supervisee,
                source=Source.GROUP,
                minutes=session.credited_minutes,
                day=day,
                key=f"group:{session.pk}:{attendance.supervisee_id}",
                record=attendance,
                by=by,
            )
            credited += 1
    return credited
