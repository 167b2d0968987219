"""The embedded backend: the platform's own database, no search engine needed.

Text matching is substring matching on folded text, so one- and two-character Chinese queries
work (a trigram index would find nothing for them). Distances use a bounding box on an indexed
column pair, then the exact haversine distance in SQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import ASin, Coalesce, Cos, Exp, Ln, Power, Radians, Sin, Sqrt
from django.utils import timezone

from .. import geo
from ..models import Entry, EntryTag
from ..text import normalise
from ..types import ANY, Document, FacetValue, Query, Results, Viewer
from .base import BODY_WEIGHT, FACET_SIZES, TAG_WEIGHT, TITLE_WEIGHT, batched, decay_scale_km
from .hits import hit

BATCH = 500


def access_text(document: Document) -> str:
    tokens = document.access.tokens()
    return (
        " "
        + " ".join(f"{name}:{value}" for name, values in tokens.items() for value in values)
        + " "
    )


def entry_for(document: Document) -> Entry:
    lat, lon = document.location or (None, None)
    return Entry(
        index=document.index,
        key=document.key,
        kind=document.kind,
        title=document.title[:300],
        body=document.body,
        url=document.url,
        tags=list(document.tags),
        region_code=document.region_code,
        region_path=document.region_path,
        latitude=lat,
        longitude=lon,
        open_slots=document.open_slots,
        rank=document.rank,
        published=document.published,
        payload=document.payload,
        title_folded=normalise(document.title),
        body_folded=normalise(document.body),
        tags_folded="|" + "|".join(normalise(t) for t in document.tags) + "|",
        access=access_text(document),
    )


def visible_to(viewer: Viewer) -> Q:
    condition = Q()
    for name, values in viewer.allowed.items():
        admits = Q(access__contains=f" {name}:{ANY} ")
        for value in sorted(values):
            admits |= Q(access__contains=f" {name}:{value} ")
        condition &= admits
    return condition


def matching(terms: tuple[str, ...]) -> Q:
    condition = Q()
    for term in terms:
        condition &= (
            Q(title_folded__contains=term)
            | Q(tags_folded__contains=term)
            | Q(body_folded__contains=term)
        )
    return condition


def distance_expression(centre: tuple[float, float]):
    """Haversine distance in km from `centre`, computed by the database."""
    lat0, lon0 = map(math.radians, centre)
    half_dlat = (Radians("latitude") - Value(lat0)) / 2
    half_dlon = (Radians("longitude") - Value(lon0)) / 2
    h = Power(Sin(half_dlat), 2) + Value(math.cos(lat0)) * Cos(Radians("latitude")) * Power(
        Sin(half_dlon), 2
    )
    return Value(2 * geo.EARTH_RADIUS_KM) * ASin(Sqrt(h))


def relevance(terms: tuple[str, ...]):
    score = Value(1.0)
    for term in terms:
        for field, weight in (
            ("title_folded", TITLE_WEIGHT),
            ("tags_folded", TAG_WEIGHT),
            ("body_folded", BODY_WEIGHT),
        ):
            score = score + Case(
                When(**{f"{field}__contains": term}, then=Value(float(weight))),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return score


class DatabaseBackend:
    def candidates(self, query: Query) -> QuerySet:
        """Everything the query matches before facet selections narrow it."""
        entries = Entry.objects.filter(index=query.index).filter(visible_to(query.viewer))
        entries = entries.filter(matching(query.terms))
        if query.open_only:
            entries = entries.filter(open_slots__gt=0)
        if query.near is not None:
            entries = entries.annotate(distance=distance_expression(query.near))
            if query.radius_km:
                min_lat, max_lat, min_lon, max_lon = geo.bounding_box(query.near, query.radius_km)
                entries = entries.filter(
                    latitude__range=(min_lat, max_lat),
                    longitude__range=(min_lon, max_lon),
                    distance__lte=query.radius_km,
                )
            else:
                entries = entries.filter(latitude__isnull=False)
        return entries

    def search(self, query: Query) -> Results:
        candidates = self.candidates(query)
        selected = candidates
        if query.kinds:
            selected = selected.filter(kind__in=query.kinds)
        if query.skills:
            selected = selected.filter(
                pk__in=EntryTag.objects.filter(tag__in=query.skills).values("entry_id")
            )
        if query.regions:
            in_region = Q()
            for code in query.regions:
                in_region |= Q(region_path__contains=f"/{code}/")
            selected = selected.filter(in_region)
        total = selected.count()
        ranked = selected.annotate(score=self.score(query))
        if query.sort == "distance" and query.near is not None:
            ranked = ranked.order_by("distance", "key")
        else:
            ranked = ranked.order_by("-score", "key")
        page = list(ranked[query.offset : query.offset + query.per_page])
        return Results(
            hits=[hit(entry.document(), query, entry.score) for entry in page],
            total=total,
            page=query.page,
            per_page=query.per_page,
            facets=self.facets(candidates, query),
        )

    @staticmethod
    def score(query: Query):
        score = relevance(query.terms) * Ln(Value(2.0) + Coalesce("open_slots", 0)) * F("rank")
        if query.near is not None:
            scale = decay_scale_km(query)
            score = score * Exp(Value(-math.log(2)) * Power(F("distance") / Value(scale), 2))
        return score

    @staticmethod
    def facets(candidates: QuerySet, query: Query) -> dict[str, list[FacetValue]]:
        def counted(rows, field):
            return [
                FacetValue(value=row[field], label=row[field], count=row["n"])
                for row in rows
                if row[field]
            ]

        ids = candidates.values("id")
        kinds = (
            Entry.objects.filter(pk__in=ids)
            .values("kind")
            .annotate(n=Count("id"))
            .order_by("-n", "kind")[: FACET_SIZES["kind"]]
        )
        regions = (
            Entry.objects.filter(pk__in=ids)
            .values("region_code")
            .annotate(n=Count("id"))
            .order_by("-n", "region_code")[: FACET_SIZES["region"]]
        )
        skills = (
            EntryTag.objects.filter(entry_id__in=ids)
            .values("tag")
            .annotate(n=Count("id"))
            .order_by("-n", "tag")[: FACET_SIZES["skill"]]
        )
        return {
            "kind": counted(kinds, "kind"),
            "region": counted(regions, "region_code"),
            "skill": counted(skills, "tag"),
        }

    def suggest(self, index: str | None, prefix: str, viewer: Viewer, limit: int) -> list[str]:
        folded = normalise(prefix)
        entries = Entry.objects.filter(visible_to(viewer)).filter(
            Q(title_folded__startswith=folded)
            | Q(title_folded__contains=" " + folded)
            | Q(tags_folded__contains="|" + folded)
        )
        if index:
            entries = entries.filter(index=index)
        titles = entries.order_by("-rank", "title").values_list("title", flat=True)
        return list(dict.fromkeys(titles[: limit * 2]))[:limit]

    def upsert(self, documents: list[Document]) -> None:
        with transaction.atomic():
            self._write(documents)

    @staticmethod
    def _write(documents: list[Document]) -> None:
        keys = [d.key for d in documents]
        Entry.objects.filter(key__in=keys).delete()
        entries = Entry.objects.bulk_create([entry_for(d) for d in documents])
        EntryTag.objects.bulk_create(
            [
                EntryTag(entry=entry, tag=tag[:100])
                for entry, document in zip(entries, documents, strict=True)
                for tag in dict.fromkeys(document.tags)
            ]
        )

    def delete(self, keys: list[str]) -> None:
        Entry.objects.filter(key__in=keys).delete()

    def rebuild(
        self, index: str, documents: Iterable[Document], progress: Callable[[int], None]
    ) -> None:
        """Batch by batch, each replacing its entries in one transaction, so readers always find
        every document (old or new) and writers are never held up for long; then whatever the
        rebuild did not write is removed."""
        started = timezone.now()
        for batch in batched(documents, BATCH):
            self.upsert(list(batch))
            progress(len(batch))
        Entry.objects.filter(index=index, written_at__lt=started).delete()

    def count(self, index: str) -> int:
        return Entry.objects.filter(index=index).count()
