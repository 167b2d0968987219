"""What the search layer finds of the public content: every live, public page, for everyone.
A success story is found by its public text only (never the record it is linked to)."""

from django.utils.translation import gettext_lazy as _

from courses.indexing import findable
from search.registry import IndexDefinition, key_for, register
from search.types import SITE, Document

from .blocks import body_text
from .models import LegalEducationPage, NewsPage, StandardPage, SuccessStoryPage


class ContentIndex(IndexDefinition):
    """A public page as one document of `kind`: its title, summary, body words and tags."""

    kind: str

    def tags(self, page) -> tuple[str, ...]:
        return ()

    def document(self, page) -> Document | None:
        if not findable(page):
            return None
        return Document(
            key=key_for(page),
            index=SITE,
            kind=self.kind,
            title=page.title,
            body=" ".join(filter(None, [page.summary, body_text(page.body)])),
            url=page.url or "",
            tags=self.tags(page),
            published=page.first_published_at,
        )


@register
class SuccessStoryIndex(ContentIndex):
    model, kind = SuccessStoryPage, "story"
    kind_labels = {"story": _("success story")}


@register
class LegalEducationIndex(ContentIndex):
    model, kind = LegalEducationPage, "legal"
    kind_labels = {"legal": _("legal education")}

    def queryset(self):
        return LegalEducationPage.objects.prefetch_related("tags")

    def tags(self, page) -> tuple[str, ...]:
        return tuple(tag.name for tag in page.tags.all())


@register
class NewsIndex(ContentIndex):
    model, kind = NewsPage, "news"
    kind_labels = {"news": _("news")}


@register
class StandardPageIndex(ContentIndex):
    model, kind = StandardPage, "page"
    kind_labels = {"page": _("page")}
