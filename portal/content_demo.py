"""Demo public content: the three sections under the home page with published stories, legal
education and news, the review workflow assigned to them, one story waiting for the
official's approval and a news item scheduled for next month. Idempotent."""

import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import Workflow, WorkflowPage

from .models import (
    HomePage,
    LegalEducationIndexPage,
    LegalEducationPage,
    NewsIndexPage,
    NewsPage,
    Region,
    SuccessStoryIndexPage,
    SuccessStoryPage,
    User,
)

WAITING = "在超市找到了稳定工作"


def _text(*paragraphs: str) -> list:
    return [("text", "".join(f"<p>{p}</p>" for p in paragraphs))]


def _section(home, model, slug: str, title: str, intro: str):
    page = model.objects.child_of(home).filter(slug=slug).first()
    if page is None:
        page = home.add_child(instance=model(slug=slug, title=title, intro=intro))
    return page


def _publish(parent, model, slug: str, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = parent.add_child(instance=model(slug=slug, **fields))
        page.save_revision().publish()
    return page


@transaction.atomic
def load() -> None:
    home = HomePage.objects.first()
    zaozhuang = Region.objects.filter(code="370400").first()
    editor = User.objects.filter(username="editor").first()
    official = User.objects.filter(username="official").first()
    if home is None or zaozhuang is None or editor is None or official is None:
        return
    stories = _section(
        home,
        SuccessStoryIndexPage,
        "stories",
        "改好典型",
        "社区矫正对象重新融入社会的真实经历（均已匿名）。",
    )
    legal = _section(
        home, LegalEducationIndexPage, "legal", "法治教育", "法律条文、典型案例和常见问题解答。"
    )
    news = _section(home, NewsIndexPage, "news", "工作动态", "社区矫正工作的新闻和通知。")

    review = Workflow.objects.filter(name="地区审核").first()
    if review is not None:
        for section in (stories, legal, news):
            WorkflowPage.objects.get_or_create(page=section, defaults={"workflow": review})
    reviewers = Group.objects.filter(name="Reviewers").first()
    if reviewers is not None:
        official.groups.add(reviewers)

    _publish(
        stories,
        SuccessStoryPage,
        "electrician",
        title="从电工学徒到维修店店主",
        pseudonym="小李",
        city=zaozhuang,
        summary="在司法所和就业基地的帮助下学会电工手艺，如今自己开了维修店。",
        body=_text(
            "入矫之初，小李对未来很迷茫。司法所为他联系了就业基地的电工培训。",
            "半年后他考取了电工证，去年在社区开了一家家电维修店，还带了两个徒弟。",
        ),
    )
    _publish(
        stories,
        SuccessStoryPage,
        "volunteer",
        title="从受助者到志愿者",
        pseudonym="老王",
        city=zaozhuang,
        summary="解矫后，老王加入了社区志愿服务队，帮助其他社区矫正对象。",
        body=_text("“当年别人拉了我一把，现在轮到我了。”老王说。"),
    )
    for slug, title, tags, summary in (
        ("law-text", "《社区矫正法》要点", ["法律条文"], "社区矫正对象的权利和义务。"),
        ("case-leave", "擅自离开居住地的后果", ["案例"], "一个因未经批准外出而被警告的案例。"),
        ("qa-work", "社区矫正期间可以外出打工吗？", ["问答"], "外出务工需要办理哪些手续。"),
        ("mind", "如何面对回归社会的压力", ["心理健康"], "调整心态的几个方法。"),
    ):
        page = LegalEducationPage.objects.child_of(legal).filter(slug=slug).first()
        if page is None:
            page = legal.add_child(
                instance=LegalEducationPage(
                    slug=slug, title=title, summary=summary, region=zaozhuang, body=_text(summary)
                )
            )
            page.tags.add(*tags)
            page.save_revision().publish()
    _publish(
        news,
        NewsPage,
        "monthly-theme",
        title="本月主题教育“遵纪守法”启动",
        date=timezone.localdate(),
        region=zaozhuang,
        summary="全市社区矫正对象本月开展遵纪守法主题学习。",
        body=_text("本月主题课程已上线，并将举办一次全市直播课堂。"),
    )

    # News approved for publication on the first of next month (shown as scheduled in the
    # admin; the worker's housekeeping publishes it then).
    if not NewsPage.objects.filter(slug="next-month").exists():
        first = (timezone.localdate().replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        scheduled = news.add_child(
            instance=NewsPage(
                slug="next-month",
                title="下月主题教育“感恩社会”预告",
                date=first,
                region=zaozhuang,
                summary="下月主题课程与公益活动安排。",
                body=_text("下月将围绕“感恩社会”开展主题学习和社区公益活动。"),
                live=False,
                go_live_at=timezone.make_aware(
                    datetime.datetime.combine(first, datetime.time(8, 0))
                ),
            )
        )
        scheduled.save_revision(user=editor).publish()

    # A story the editor has submitted, waiting for the official's approval.
    if not SuccessStoryPage.objects.filter(title=WAITING).exists() and review is not None:
        waiting = stories.add_child(
            instance=SuccessStoryPage(
                slug="supermarket",
                title=WAITING,
                pseudonym="小张",
                city=zaozhuang,
                summary="通过转介进入超市工作，已连续工作一年。",
                body=_text("小张说，稳定的工作让他重新找回了自信。"),
                live=False,
            )
        )
        waiting.save_revision(user=editor)
        review.start(waiting, editor)
