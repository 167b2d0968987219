"""How approved content goes live: at the workflow's last approval (Wagtail's
WAGTAIL_FINISH_WORKFLOW_ACTION) or at the time it was scheduled for. Imported while Wagtail's
models load, so it imports nothing of them at module level."""


def publish_approved(workflow_state, user=None) -> None:
    """A workflow's last approval publishes the page. The approver's right was checked by the
    task (an official of the region: portal.models.workflows), not by page permissions, which
    officials do not hold. The content rules still run (RuledPage.publish)."""
    workflow_state.content_object.get_latest_revision().publish(
        user=user, skip_permission_checks=True
    )


def publish_scheduled() -> int:
    """Publish the revisions whose go-live time has come, and unpublish expired pages.

    Each revision goes through the content rules again. One the rules now refuse (say, the
    story's person turned out to be a minor) is taken off the schedule and its author told
    why; the others are published all the same. Returns how many went live."""
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _
    from wagtail.models import Revision

    from .models import PublicationRefused
    from .notify import notify

    published = 0
    for revision in Revision.objects.filter(approved_go_live_at__lt=timezone.now()).order_by(
        "approved_go_live_at"
    ):
        try:
            revision.publish(log_action="wagtail.publish.scheduled")
            published += 1
        except PublicationRefused as refused:
            Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
            if revision.user is not None:
                text = _("“%(title)s” was not published at its scheduled time: %(why)s") % {
                    "title": revision.object_str,
                    "why": " ".join(refused.messages),
                }
                link = reverse("wagtailadmin_pages:edit", args=[revision.object_id])
                notify(revision.user, f"scheduled-refused:{revision.pk}", text, link)
    call_command("publish_scheduled", verbosity=0)  # what is left: pages whose time expired
    return published
