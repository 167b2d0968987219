from .groups import GroupAttendance, GroupSession
from .ledger import HourCredit, HourRequirement, ServiceRecord
from .pages import CourseIndexPage, CoursePage, LessonPage
from .progress import CourseCompletion, LessonProgress, QuizAttempt, Reflection
from .themes import MonthlyTheme, MonthlyThemeCourse

__all__ = [
    "CourseCompletion",
    "CourseIndexPage",
    "CoursePage",
    "GroupAttendance",
    "GroupSession",
    "HourCredit",
    "HourRequirement",
    "LessonPage",
    "LessonProgress",
    "MonthlyTheme",
    "MonthlyThemeCourse",
    "QuizAttempt",
    "Reflection",
    "ServiceRecord",
]
