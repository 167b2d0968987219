"""Monthly themes in the Wagtail admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import MonthlyTheme


class MonthlyThemeViewSet(SnippetViewSet):
    model = MonthlyTheme
    icon = "date"
    menu_label = _("Monthly themes")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "region", "month"]
    list_filter = ["month"]
    search_fields = ["title"]


register_snippet(MonthlyThemeViewSet)
