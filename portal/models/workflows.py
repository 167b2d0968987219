"""Moderation of public content: editors draft, an official of the page's region approves.

The region is the page's own (`approval_region`: where a story is placed, the region an
article is published for). An official approves pages of their region and below it, never
another region's. Approval is also where the content rules run a last time: a page they refuse
goes back to the editor with the reasons as the comment instead of being published.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState

from .organisations import Role


class RegionalApprovalTask(Task):
    """Approval by an official whose region contains the page's region."""

    def may_approve(self, obj, user) -> bool:
        from portal.access import memberships_with_role

        page = getattr(obj, "specific", obj)
        region = getattr(page, "approval_region", None)
        if region is None or not user.is_authenticated or not user.is_active:
            return False
        return any(
            region.path.startswith(membership.organisation.region.path)
            for membership in memberships_with_role(user, Role.OFFICIAL)
        )

    def user_can_access_editor(self, obj, user) -> bool:
        return self.may_approve(obj, user)

    def locked_for_user(self, obj, user) -> bool:
        return not self.may_approve(obj, user)

    def get_actions(self, obj, user):
        if not self.may_approve(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def on_action(self, task_state, user, action_name, **kwargs):
        if not self.may_approve(task_state.revision.content_object, user):
            raise PermissionDenied
        if action_name == "approve":
            draft = task_state.revision.as_object()
            problems = getattr(draft, "publication_problems", list)()
            if problems:
                reasons = " ".join(str(problem) for problem in problems)
                refusal = gettext("Not published: %(reasons)s") % {"reasons": reasons}
                return task_state.reject(user=user, comment=refusal)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS).select_related(
            "revision"
        )
        mine = [s.pk for s in states if self.may_approve(s.revision.content_object, user)]
        return TaskState.objects.filter(pk__in=mine)

    @classmethod
    def get_description(cls):
        return _("An official of the page's region approves it.")

    class Meta:
        verbose_name = _("approval by an official of the region")
        verbose_name_plural = _("approvals by an official of the region")
