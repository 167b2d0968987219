"""Tables of the embedded database backend, and the queue of index updates to retry."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .types import Document


class Entry(models.Model):
    """What filters, facets and ranking read of one indexed document: kept narrow, so a query
    over thousands of candidates reads few pages. The text is in `EntryContent`."""

    index = models.CharField(max_length=20)
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40)
    # Tags as a JSON list for facet counts (json_each / jsonb_array_elements_text), and folded
    # with the title, short, for relevance and tag filters without reading the text.
    tags = models.JSONField(default=list)
    tags_folded = models.CharField(max_length=1000, blank=True)
    title_folded = models.CharField(max_length=300)
    region_code = models.CharField(max_length=12, blank=True)
    region_path = models.CharField(max_length=255, blank=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    # The grid cell of the location (geo.cell_of): the place index reads the cells under a box.
    cell = models.IntegerField(null=True)
    open_slots = models.IntegerField(null=True)
    rank = models.FloatField(default=1.0)
    # Who may find the entry, one bit per audience (`audience_bits`), and, only when the
    # document narrows its audience further, those rules as " levels:strict regions:370400 "
    # (else empty, so most entries pass with a bit test and one comparison).
    audience = models.PositiveSmallIntegerField()
    narrowing = models.CharField(max_length=1000, blank=True)
    # A rebuild removes what it did not write: entries older than its start.
    written_at = models.DateTimeField(auto_now=True)

    class Meta:
        # SQLite also gets a covering index for queries about a place (migration 0002).
        indexes = [models.Index(fields=["index", "latitude", "longitude"], name="search_entry_geo")]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.key


class EntryContent(models.Model):
    """The text and display fields of an entry, read for the page of hits and suggestions."""

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="content"
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    published = models.DateTimeField(null=True)
    payload = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.title

    def document(self) -> Document:
        """The entry as the document it was made from (access rules are not needed back)."""
        entry = self.entry
        return Document(
            key=entry.key,
            index=entry.index,
            kind=entry.kind,
            title=self.title,
            body=self.body,
            url=self.url,
            tags=tuple(entry.tags),
            region_code=entry.region_code,
            region_path=entry.region_path,
            location=None if entry.latitude is None else (entry.latitude, entry.longitude),
            open_slots=entry.open_slots,
            rank=entry.rank,
            published=self.published,
            payload=self.payload,
        )


class PendingUpdate(models.Model):
    """An index update the engine did not take; housekeeping tries it again with backoff."""

    key = models.CharField(_("document"), max_length=120, unique=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    first_failed_at = models.DateTimeField(_("first failed"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))

    class Meta:
        ordering = ["next_attempt_at"]
        verbose_name = _("pending search update")
        verbose_name_plural = _("pending search updates")

    def __str__(self) -> str:
        return self.key
