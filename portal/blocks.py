"""StreamField blocks of the public content pages: text, pictures, quotes, a video from the
media pipeline and documents to download."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

from media.blocks import VideoBlock


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    source = blocks.CharBlock(label=_("source"), required=False, max_length=100)

    class Meta:
        icon = "openquote"
        label = _("quote")
        template = "portal/blocks/quote.html"


class DocumentsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=100)
    documents = blocks.ListBlock(DocumentChooserBlock(label=_("document")), label=_("documents"))

    class Meta:
        icon = "doc-full"
        label = _("documents to download")
        template = "portal/blocks/documents.html"


def body_blocks() -> list:
    """The blocks an article body may use; the video is the media pipeline's."""
    return [
        ("heading", blocks.CharBlock(label=_("heading"), max_length=100, form_classname="title")),
        (
            "text",
            blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "ol", "ul", "link"]),
        ),
        ("image", ImageBlock(label=_("picture"))),
        ("quote", QuoteBlock()),
        ("documents", DocumentsBlock()),
        ("video", VideoBlock()),
    ]
