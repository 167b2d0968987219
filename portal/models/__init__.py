from .audit import AuditChain, AuditEntry
from .notifications import Notification
from .organisations import Membership, Organisation, Role
from .pages import HomePage
from .people import (
    CaseloadAssignment,
    CorrectionTeamMember,
    Skill,
    Supervisee,
    SupervisionLevelChange,
)
from .regions import Region
from .users import User

__all__ = [
    "AuditChain",
    "AuditEntry",
    "CaseloadAssignment",
    "CorrectionTeamMember",
    "HomePage",
    "Membership",
    "Notification",
    "Organisation",
    "Region",
    "Role",
    "Skill",
    "Supervisee",
    "SupervisionLevelChange",
    "User",
]
