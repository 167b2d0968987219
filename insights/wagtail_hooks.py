"""Opportunity rules in the Wagtail admin: thresholds are data an administrator can change."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import OpportunityRule


class OpportunityRuleViewSet(SnippetViewSet):
    model = OpportunityRule
    icon = "tasks"
    menu_label = _("Opportunity rules")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "kind", "region", "enabled"]
    list_filter = ["kind", "enabled"]


register_snippet(OpportunityRuleViewSet)
