from .audit import AuditChain, AuditEntry
from .content import (
    LegalEducationIndexPage,
    LegalEducationPage,
    NewsIndexPage,
    NewsPage,
    PublicationRefused,
    StandardPage,
    SuccessStoryIndexPage,
    SuccessStoryPage,
)
from .notifications import Notification
from .organisations import Membership, Organisation, Role
from .pages import HomePage
from .people import (
    CaseloadAssignment,
    CorrectionTeamMember,
    Skill,
    Supervisee,
    SupervisionLevelChange,
    Violation,
)
from .regions import Region
from .users import User
from .workflows import RegionalApprovalTask

__all__ = [
    "AuditChain",
    "AuditEntry",
    "CaseloadAssignment",
    "CorrectionTeamMember",
    "HomePage",
    "LegalEducationIndexPage",
    "LegalEducationPage",
    "Membership",
    "NewsIndexPage",
    "NewsPage",
    "Notification",
    "Organisation",
    "PublicationRefused",
    "Region",
    "RegionalApprovalTask",
    "Role",
    "Skill",
    "StandardPage",
    "SuccessStoryIndexPage",
    "SuccessStoryPage",
    "Supervisee",
    "SupervisionLevelChange",
    "User",
    "Violation",
]
