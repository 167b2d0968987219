"""Tables of the embedded database backend, and the queue of index updates to retry."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .types import Document


class Entry(models.Model):
    """One indexed document, with normalised copies of its text for matching."""

    index = models.CharField(max_length=20)
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    tags = models.JSONField(default=list)
    region_code = models.CharField(max_length=12, blank=True)
    region_path = models.CharField(max_length=255, blank=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    open_slots = models.IntegerField(null=True)
    rank = models.FloatField(default=1.0)
    published = models.DateTimeField(null=True)
    payload = models.JSONField(default=dict)
    # Matching runs on these: folded text, tags as "|a|b|", access tokens as " field:value ".
    title_folded = models.TextField()
    body_folded = models.TextField(blank=True)
    tags_folded = models.TextField(blank=True)
    access = models.TextField()
    # A rebuild removes what it did not write: entries older than its start.
    written_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["index", "latitude", "longitude"], name="search_entry_geo"),
            models.Index(fields=["index", "kind"], name="search_entry_kind"),
        ]

    def __str__(self) -> str:
        return self.key

    def document(self) -> Document:
        """The entry as the document it was made from (access rules are not needed back)."""
        return Document(
            key=self.key,
            index=self.index,
            kind=self.kind,
            title=self.title,
            body=self.body,
            url=self.url,
            tags=tuple(self.tags),
            region_code=self.region_code,
            region_path=self.region_path,
            location=None if self.latitude is None else (self.latitude, self.longitude),
            open_slots=self.open_slots,
            rank=self.rank,
            published=self.published,
            payload=self.payload,
        )


class EntryTag(models.Model):
    """A tag (skill) of an entry, so facets and tag filters are indexed lookups."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["tag", "entry"], name="search_entrytag_tag")]

    def __str__(self) -> str:
        return self.tag


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
