"""How an approved workflow publishes (Wagtail's WAGTAIL_FINISH_WORKFLOW_ACTION). Imported while
Wagtail's models load, so it imports nothing of them."""


def publish_approved(workflow_state, user=None) -> None:
    """A workflow's last approval publishes the page. The approver's right was checked by the
    task (an official of the region: portal.models.workflows), not by page permissions, which
    officials do not hold. The content rules still run (RuledPage.publish)."""
    workflow_state.content_object.get_latest_revision().publish(
        user=user, skip_permission_checks=True
    )
