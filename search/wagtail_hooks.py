"""Tells admins on the Wagtail dashboard when search updates are waiting for the engine."""

from django.conf import settings
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .models import PendingUpdate


class PendingUpdatesPanel(Component):
    name = "search_pending_updates"
    order = 50
    template_name = "search/pending_updates_panel.html"

    def __init__(self, pending: int, oldest: PendingUpdate):
        self.pending, self.oldest = pending, oldest

    def get_context_data(self, parent_context=None):
        return {
            "pending": self.pending,
            "oldest": self.oldest,
            "engine": "Elasticsearch" if settings.ELASTICSEARCH_URL else "database",
        }


@hooks.register("construct_homepage_panels")
def add_pending_updates_panel(request, panels):
    oldest = PendingUpdate.objects.order_by("first_failed_at").first()
    if oldest is not None:
        panels.insert(0, PendingUpdatesPanel(PendingUpdate.objects.count(), oldest))
