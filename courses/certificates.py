"""Course completion certificates."""

from django.utils import timezone

from portal.certificates import certificate_pdf as render

from .models import CourseCompletion


def certificate_pdf(completion: CourseCompletion, issuer: str) -> bytes:
    completed = timezone.localtime(completion.completed_at)
    lines = [
        f"{completion.supervisee.name}：",
        f"    你已于 {completed:%Y年%m月%d日} 完成《{completion.course.title}》的全部课程学习，",
        "特发此证明。",
    ]
    return render("学 习 证 明", lines, issuer, completion.certificate_number)
