from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The public front page: what community corrections is, and the way in for each role."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .content import LegalEducationPage, SuccessStoryPage

        context = super().get_context(request, *args, **kwargs)
        for name, model in (("stories", SuccessStoryPage), ("legal", LegalEducationPage)):
            context[name] = model.objects.live().public().order_by("-first_published_at")[:3]
        return context
