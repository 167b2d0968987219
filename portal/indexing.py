"""What the search layer finds of the public content: every live, public page, for everyone.
A success story is found by its public text only (never the record it is linked to)."""

from django.utils.translation import gettext_lazy as _

from courses.indexing import findable
from search.registry import IndexDefinition, key_for, register
from search.types import SITE, Document

from .blocks import body_text
from .models import LegalEducationPage, NewsPage, StandardPage, SuccessStoryPage


def public_document(page, kind: str, summary: str, tags: tuple[str, ...] = ()) -> Document | None:
    if not findable(page):
        return None
    return Document(
        key=key_for(page),
        index=SITE,
        kind=kind,
        title=page.title,
        body=" ".join(filter(None, [summary, body_text(page.body)])),
        url=page.url or "",
        tags=tags,
        published=page.first_published_at,
    )


@register
class SuccessStoryIndex(IndexDefinition):
    model = SuccessStoryPage
    kind_labels = {"story": _("success story")}

    def document(self, page):
        return public_document(page, "story", page.summary)


@register
class LegalEducationIndex(IndexDefinition):
    model = LegalEducationPage
    kind_labels = {"legal": _("legal education")}

    def queryset(self):
        return LegalEducationPage.objects.prefetch_related("tags")

    def document(self, page):
        tags = tuple(tag.name for tag in page.tags.all())
        return public_document(page, "legal", page.summary, tags)


@register
class NewsIndex(IndexDefinition):
    model = NewsPage
    kind_labels = {"news": _("news")}

    def document(self, page):
        return public_document(page, "news", page.summary)


@register
class StandardPageIndex(IndexDefinition):
    model = StandardPage
    kind_labels = {"page": _("page")}

    def document(self, page):
        return public_document(page, "page", page.summary)
