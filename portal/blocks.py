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


def body_text(body) -> str:
    """The words of a body as readers see them (headings, text, quotes, picture descriptions,
    captions), for search and for the content rules; nothing is rendered."""
    from search.text import plain

    words = []
    for block in body:
        value = block.value
        if block.block_type == "heading":
            words.append(str(value))
        elif block.block_type == "text":
            words.append(plain(value.source))
        elif block.block_type == "quote":
            words += [value["text"], value["source"]]
        elif block.block_type == "image":
            words.append(value.contextual_alt_text or "")
        elif block.block_type == "video":
            words.append(value["caption"])
        elif block.block_type == "documents":
            words += [value["heading"], *(document.title for document in value["documents"])]
    return " ".join(word for word in words if word)
