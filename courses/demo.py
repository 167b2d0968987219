"""Demo courses, monthly themes, group classes and hours: someone mid-month with partial hours,
someone short, someone complete. Idempotent: every object is found by a natural key first."""

import datetime

from django.db import transaction
from django.utils import timezone

from media.models import Video
from portal.models import HomePage, Organisation, Region, Supervisee, User

from . import actions
from .models import (
    CourseCompletion,
    CourseIndexPage,
    CoursePage,
    GroupAttendance,
    GroupSession,
    LessonPage,
    LessonProgress,
    MonthlyTheme,
    MonthlyThemeCourse,
    ServiceRecord,
)

QUIZ = [
    (
        "question",
        {
            "question": "社区矫正对象离开所居住的市、县，应当怎么做？",
            "choices": ["不需要告知任何人", "事先经社区矫正机构批准", "回来后再说明"],
            "answer": 2,
        },
    )
]


def _page(parent, model, slug: str, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = parent.add_child(instance=model(slug=slug, **fields))
    return page.specific


def _video(title: str) -> Video | None:
    return Video.objects.filter(title=title).first()


def load_courses() -> dict[str, CoursePage]:
    home = HomePage.objects.first()
    index = CourseIndexPage.objects.first() or home.add_child(
        instance=CourseIndexPage(
            title="课程学习",
            slug="courses",
            intro="<p>入矫第一课、每月一主题和各类专题教育。完成学习后，学时自动计入本月。</p>",
        )
    )
    first = _page(
        index,
        CoursePage,
        "first-lesson",
        title="入矫第一课",
        kind="orientation",
        summary="了解社区矫正的规定、你的权利和义务。",
        body="<p>欢迎。完成本课后即可使用平台的全部功能。</p>",
    )
    _page(
        first,
        LessonPage,
        "notice",
        title="社区矫正须知",
        video=_video("入矫第一课：社区矫正须知"),
        credited_minutes=60,
        quiz=QUIZ,
        pass_mark=100,
        reflection_prompt="请谈谈你对社区矫正的认识，以及今后的打算。",
    )
    monthly = _page(
        index,
        CoursePage,
        "law-abiding",
        title="遵纪守法",
        kind="monthly",
        summary="本月主题：遵纪守法，从我做起。",
    )
    _page(
        monthly,
        LessonPage,
        "law-basics",
        title="遵纪守法从我做起",
        video=_video("每月一主题：遵纪守法"),
        credited_minutes=45,
        reflection_prompt="结合自身经历，写一写你对遵纪守法的体会。",
    )
    jobs = _page(
        index,
        CoursePage,
        "job-skills",
        title="就业技能：求职准备",
        kind="general",
        summary="简历、面试和劳动合同的基本知识。",
    )
    _page(
        jobs,
        LessonPage,
        "interview",
        title="求职面试准备",
        video=_video("就业技能：求职面试准备"),
        credited_minutes=30,
    )
    youth = _page(
        index,
        CoursePage,
        "youth",
        title="青少年成长课",
        kind="targeted",
        age_group="minors",
        summary="面向未成年社区矫正对象的成长与学业指导。",
    )
    _page(
        youth,
        LessonPage,
        "school",
        title="回到校园",
        body="<p>继续学业是最好的选择。学校和司法所会一起帮助你。</p>",
        credited_minutes=20,
    )
    release = _page(
        index,
        CoursePage,
        "release-ready",
        title="解矫前教育",
        kind="targeted",
        phase="release",
        summary="解除矫正前需要了解的事项。",
    )
    _page(
        release,
        LessonPage,
        "after",
        title="解除矫正以后",
        body="<p>解除矫正后，你依法享有与其他公民同等的权利。</p>",
        credited_minutes=20,
    )
    return {"first": first, "monthly": monthly, "jobs": jobs}


def load_themes(courses: dict[str, CoursePage], today: datetime.date) -> None:
    month = today.replace(day=1)
    for code, title, summary, course in (
        ("370000", "遵纪守法", "全省本月主题：遵纪守法，从我做起。", courses["monthly"]),
        ("370402", "就业帮扶", "市中区补充内容：求职技能。", courses["jobs"]),
    ):
        theme, _created = MonthlyTheme.objects.get_or_create(
            region=Region.objects.get(code=code),
            month=month,
            defaults={"title": title, "summary": summary},
        )
        MonthlyThemeCourse.objects.get_or_create(theme=theme, course=course)


def _complete(supervisee: Supervisee, lesson: LessonPage, quiz: bool = False) -> None:
    progress, _created = LessonProgress.objects.get_or_create(supervisee=supervisee, lesson=lesson)
    duration = lesson.video.duration if lesson.video else 0
    progress.intervals = [[0, duration]] if duration else []
    progress.covered_seconds = duration or 0
    progress.position = duration or 0
    progress.quiz_passed = quiz or progress.quiz_passed
    progress.save()
    actions.complete_if_due(progress)


def group_class(title, office, start, hours: int, venue: str, by) -> tuple[GroupSession, bool]:
    """An adults' group class crediting its full length, found by title and start."""
    return GroupSession.objects.get_or_create(
        title=title,
        organiser=office,
        starts_at=start,
        defaults={
            "venue": venue,
            "ends_at": start + datetime.timedelta(hours=hours),
            "audience": GroupSession.Audience.ADULTS,
            "capacity": 30,
            "credited_minutes": hours * 60,
            "created_by": by,
        },
    )


def load_hours(courses: dict[str, CoursePage], today: datetime.date) -> None:
    caseworker = User.objects.get(username="caseworker")
    office = Organisation.objects.get(name="中心街街道司法所")
    people = list(
        Supervisee.objects.active()
        .filter(home_township__code__startswith="37")
        .select_related("user", "judicial_office__region")
        .order_by("pk")
    )
    first_lesson = courses["first"].lessons().first()
    newcomer = User.objects.filter(username="newcomer").first()
    # Everyone in Shandong has done the first lesson except the newcomer and the last two.
    for person in people[:-2]:
        if person.user_id and newcomer and person.user_id == newcomer.pk:
            continue
        if not CourseCompletion.objects.filter(supervisee=person, course=courses["first"]).exists():
            _complete(person, first_lesson, quiz=True)

    # A group class earlier this month at 中心街 (closed, hours credited) and one tomorrow.
    day = max(today.replace(day=1), today - datetime.timedelta(days=1))
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    past, created = group_class(
        "法治集中教育：民法典与日常生活", office, start, 2, "中心街街道司法所二楼会议室", caseworker
    )
    local = [p for p in people if p.judicial_office_id == office.pk and not p.is_minor]
    if created:
        for person in local[:4]:
            actions.mark_attendance(past, person, GroupAttendance.Status.PRESENT, "", by=caseworker)
        if len(local) > 4:
            actions.mark_attendance(
                past, local[4], GroupAttendance.Status.EXCUSED, "家中有事，已请假", by=caseworker
            )
        actions.close_session(past, by=caseworker)
    tomorrow = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(14, 30))
    )
    group_class("心理健康讲座：情绪管理", office, tomorrow, 2, "中心街街道社区活动中心", caseworker)

    # Community service this month: the demo supervisee half-way, one person complete.
    demo_user = User.objects.filter(username="supervisee").first()
    demo_accounts = {u.pk for u in (demo_user, newcomer) if u}
    diligent = next(
        p for p in local[:4] if p.supervision_level != "strict" and p.user_id not in demo_accounts
    )
    for person in local:
        if ServiceRecord.objects.filter(supervisee=person).exists():
            continue
        if demo_user and person.user_id == demo_user.pk:
            actions.record_service(
                person, day=day, minutes=240, activity="社区环境清扫", by=caseworker
            )
            last_month = today.replace(day=1) - datetime.timedelta(days=3)
            actions.record_service(
                person, day=last_month, minutes=480, activity="敬老院志愿服务", by=caseworker
            )
            monthly_lesson = courses["monthly"].lessons().first()
            progress, _created = LessonProgress.objects.get_or_create(
                supervisee=person, lesson=monthly_lesson
            )
            if monthly_lesson.video and not progress.covered_seconds:
                half = round(monthly_lesson.video.duration * 0.4, 1)
                LessonProgress.objects.filter(pk=progress.pk).update(
                    intervals=[[0, half]], covered_seconds=half, position=half
                )
        elif person == diligent:
            actions.record_service(
                person, day=day, minutes=8 * 60, activity="图书馆整理图书", by=caseworker
            )
            _complete(person, courses["monthly"].lessons().first())
            _complete(person, courses["jobs"].lessons().first())
            afternoon = start + datetime.timedelta(hours=5)
            workshop, _created = group_class(
                "半日集中学习：职业规划",
                office,
                afternoon,
                4,
                "中心街街道司法所二楼会议室",
                caseworker,
            )
            actions.mark_attendance(
                workshop, person, GroupAttendance.Status.PRESENT, "", by=caseworker
            )
            actions.close_session(workshop, by=caseworker)


@transaction.atomic
def load(today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    courses = load_courses()
    load_themes(courses, today)
    load_hours(courses, today)
