"""The embedded backend: the platform's own database, no search engine needed.

Words are found through the database's full-text index (`words.py`), with every Chinese
character a word, so one- and two-character queries work (a trigram index would find nothing
for them). A place narrows the candidates by a bounding box on indexed coordinates, then by the
exact haversine distance. One SQL statement then answers the whole question: it gathers the
candidates once (a materialised CTE over the narrow `search_entry` table) and returns the total,
the facet counts and the ranked page from it, so the work stays inside the database however
many entries match; only the page's entries are then read whole.
"""

# This module composes SQL from fixed fragments and the ORM's own SQL; every value travels as a
# parameter, so the string-built-query warning does not apply here.
# ruff: noqa: S608

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .. import geo
from ..models import Entry, EntryContent
from ..text import normalise
from ..types import ANY, AUDIENCES, Document, FacetValue, Query, Results, Viewer
from . import words as word_index
from .base import FACET_SIZES, TAG_WEIGHT, TITLE_WEIGHT, batched, decay_scale_km
from .hits import hit

BATCH = 500
FACT_COLUMNS = (
    "id", "kind", "region_code", "region_path", "tags", "tags_folded", "title_folded",
    "open_slots", "rank", "latitude", "longitude",
)  # fmt: skip
# How each database lists the elements of a JSON array column, for the skill facet.
TAG_ELEMENTS = {
    "sqlite": ("json_each.value", "json_each(hits.tags)"),
    "postgresql": ("tag", "jsonb_array_elements_text(hits.tags) AS tag"),
}


def escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def folded_tags(tags: Iterable[str]) -> str:
    return "|" + "|".join(tags) + "|"


def audience_bits(audiences) -> int:
    return sum(1 << AUDIENCES.index(name) for name in set(audiences))


def narrowing_text(document: Document) -> str:
    """The document's narrower audience rules as " field:value ", empty when it has none."""
    tokens = document.access.tokens()
    narrowing = [
        f"{name}:{value}"
        for name, values in tokens.items()
        if name != "audience" and values != [ANY]
        for value in values
    ]
    return " " + " ".join(narrowing) + " " if narrowing else ""


def entry_for(document: Document) -> Entry:
    lat, lon = document.location or (None, None)
    return Entry(
        index=document.index,
        key=document.key,
        kind=document.kind,
        tags=list(document.tags),
        tags_folded=folded_tags(normalise(t) for t in document.tags),
        title_folded=normalise(document.title)[:300],
        region_code=document.region_code,
        region_path=document.region_path,
        latitude=lat,
        longitude=lon,
        cell=geo.cell_of(lat, lon) if document.location else None,
        open_slots=document.open_slots,
        rank=document.rank,
        audience=audience_bits(document.access.audience),
        narrowing=narrowing_text(document),
    )


def visible_to(entries: QuerySet, viewer: Viewer) -> QuerySet:
    """Entries for one of the viewer's audiences whose narrower rules, if any, admit them."""
    mask = audience_bits(viewer.allowed.get("audience", ()))
    narrowed = Q()
    for name, values in viewer.allowed.items():
        if name == "audience":
            continue
        admits = ~Q(narrowing__contains=f" {name}:")
        for value in sorted(values):
            admits |= Q(narrowing__contains=f" {name}:{value} ")
        narrowed &= admits
    return (
        entries.alias(admitted=F("audience").bitand(mask))
        .filter(admitted__gt=0)
        .filter(Q(narrowing="") | narrowed)
    )


def distance_sql(centre: tuple[float, float]) -> tuple[str, list]:
    """Haversine distance in km from `centre`, for the database to compute once per row."""
    lat0, lon0 = map(math.radians, centre)
    return (
        "(%s * ASIN(SQRT(POWER(SIN((RADIANS(latitude) - %s) / 2), 2)"
        " + %s * COS(RADIANS(latitude)) * POWER(SIN((RADIANS(longitude) - %s) / 2), 2))))",
        [2 * geo.EARTH_RADIUS_KM, lat0, math.cos(lat0), lon0],
    )


def score_sql(query: Query) -> tuple[str, list]:
    """Text relevance x open places x listing rank x distance decay, as in Elasticsearch.

    Relevance: every word counts 1, and more where it is in the title or a tag (the fields the
    Elasticsearch backend boosts)."""
    relevance, params = ["1.0"], []
    for term in query.terms:
        pattern = f"%{escape_like(term)}%"
        relevance.append(
            "1.0 + CASE WHEN title_folded LIKE %s ESCAPE '!' THEN %s ELSE 0.0 END"
            " + CASE WHEN tags_folded LIKE %s ESCAPE '!' THEN %s ELSE 0.0 END"
        )
        params += [pattern, float(TITLE_WEIGHT), pattern, float(TAG_WEIGHT)]
    sql = f"({' + '.join(relevance)}) * LN(2.0 + COALESCE(open_slots, 0)) * rank"
    if query.near is not None:
        sql += " * POWER(0.5, POWER(distance / %s, 2))"
        params.append(decay_scale_km(query))
    return sql, params


class DatabaseBackend:
    # Reads ----------------------------------------------------------------------------------

    def matches(self, query: Query) -> QuerySet | None:
        """Entries the query may find by index, audience, words, open places and bounding box
        (the exact distance comes later); None when the words can match nothing."""
        # Cheap, selective conditions first: SQLite checks them in this order.
        entries = Entry.objects.filter(index=query.index)
        if query.near is not None and query.radius_km:
            box = geo.bounding_box(query.near, query.radius_km)
            cells = geo.cells_covering(box)
            if cells is not None:
                entries = entries.filter(cell__in=cells)
            entries = entries.filter(latitude__range=box[:2]).filter(longitude__range=box[2:])
        elif query.near is not None:
            entries = entries.filter(latitude__isnull=False)
        if query.open_only:
            entries = entries.filter(open_slots__gt=0)
        entries = visible_to(entries, query.viewer)
        if query.terms:
            found = word_index.matching(query.terms)
            if found is None:
                return None
            words_sql, words_params = found
            # Near a place, the bounding box should lead and the words be checked against it:
            # the unary plus keeps the planner from starting with every word match instead.
            column = "+search_entry.id" if query.near is not None else "search_entry.id"
            entries = entries.filter(
                RawSQL(f"{column} IN ({words_sql})", words_params, output_field=BooleanField())  # noqa: S611
            )
        return entries

    def candidates_sql(self, query: Query, matches: QuerySet) -> tuple[str, list]:
        """The CTE `hits`: the matches, with their exact distance from the place (computed once
        per entry; `within()` then keeps those inside the radius)."""
        base, params = matches.values_list(*FACT_COLUMNS).query.sql_with_params()
        if query.near is None:
            return f"hits AS MATERIALIZED (SELECT f.*, NULL AS distance FROM ({base}) f)", [*params]
        distance, distance_params = distance_sql(query.near)
        sql = f"hits AS MATERIALIZED (SELECT f.*, {distance} AS distance FROM ({base}) f)"
        return sql, [*distance_params, *params]

    @staticmethod
    def within(query: Query) -> tuple[str, list]:
        if query.near is not None and query.radius_km:
            return "distance <= %s", [query.radius_km]
        return "1 = 1", []

    @staticmethod
    def selection(query: Query) -> tuple[str, list]:
        """SQL over the candidates for the facet choices (kinds, skills, regions)."""
        parts, params = ["1 = 1"], []
        if query.kinds:
            parts.append(f"kind IN ({', '.join(['%s'] * len(query.kinds))})")
            params += list(query.kinds)
        if query.skills:
            like = "tags_folded LIKE %s ESCAPE '!'"
            parts.append("(" + " OR ".join([like] * len(query.skills)) + ")")
            params += [f"%|{escape_like(normalise(skill))}|%" for skill in query.skills]
        if query.regions:
            parts.append("(" + " OR ".join(["region_path LIKE %s"] * len(query.regions)) + ")")
            params += [f"%/{code}/%" for code in query.regions]
        return " AND ".join(parts), params

    def search(self, query: Query) -> Results:
        matches = self.matches(query)
        if matches is None:
            return Results(hits=[], total=0, page=query.page, per_page=query.per_page, facets={})
        hits, hits_params = self.candidates_sql(query, matches)
        inside, inside_params = self.within(query)
        chosen, chosen_params = self.selection(query)
        chosen, chosen_params = f"{inside} AND {chosen}", [*inside_params, *chosen_params]
        score, score_params = score_sql(query)
        order = "distance, id" if query.sort == "distance" and query.near else "score DESC, id"
        value, elements = TAG_ELEMENTS[connection.vendor]
        sql = (
            f"WITH {hits} "
            f"SELECT 'total', NULL, COUNT(*) FROM hits WHERE {chosen} "
            f"UNION ALL SELECT 'kind', kind, COUNT(*) FROM hits WHERE {inside} GROUP BY kind "
            "UNION ALL SELECT 'region', region_code, COUNT(*) FROM hits "
            f"WHERE {inside} GROUP BY region_code "
            f"UNION ALL SELECT 'skill', {value}, COUNT(*) FROM hits, {elements} "
            f"WHERE {inside} GROUP BY {value} "
            f"UNION ALL SELECT * FROM (SELECT 'hit', CAST(id AS VARCHAR(20)), {score} AS score "
            f"FROM hits WHERE {chosen} ORDER BY {order} LIMIT %s OFFSET %s) page"
        )
        params = [
            *hits_params,
            *chosen_params,
            *inside_params,
            *inside_params,
            *inside_params,
            *score_params,
            *chosen_params,
            query.per_page,
            query.offset,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total, facets, page = 0, {"kind": [], "region": [], "skill": []}, []
        for part, value_, number in rows:
            if part == "total":  # counts share a column with scores: PostgreSQL makes them floats
                total = int(number)
            elif part == "hit":
                page.append((int(value_), number))
            elif value_:
                facets[part].append(FacetValue(value=value_, label=value_, count=int(number)))
        for name, values in facets.items():
            values.sort(key=lambda f: (-f.count, f.value))
            del values[FACET_SIZES[name] :]
        contents = EntryContent.objects.select_related("entry").in_bulk([pk for pk, _ in page])
        return Results(
            hits=[hit(contents[pk].document(), query, score) for pk, score in page],
            total=total,
            page=query.page,
            per_page=query.per_page,
            facets=facets,
        )

    def suggest(self, index: str | None, prefix: str, viewer: Viewer, limit: int) -> list[str]:
        folded = normalise(prefix)
        entries = visible_to(Entry.objects.all(), viewer).filter(
            Q(title_folded__startswith=folded)
            | Q(title_folded__contains=" " + folded)
            | Q(tags_folded__contains="|" + folded)
        )
        if index:
            entries = entries.filter(index=index)
        titles = entries.order_by("-rank", "content__title").values_list(
            "content__title", flat=True
        )
        return list(dict.fromkeys(titles[: limit * 2]))[:limit]

    def count(self, index: str) -> int:
        return Entry.objects.filter(index=index).count()

    # Writes ---------------------------------------------------------------------------------

    def upsert(self, documents: list[Document]) -> None:
        with transaction.atomic():
            self._remove(Entry.objects.filter(key__in=[d.key for d in documents]))
            entries = Entry.objects.bulk_create([entry_for(d) for d in documents])
            EntryContent.objects.bulk_create(
                [
                    EntryContent(
                        entry=entry,
                        title=d.title[:300],
                        body=d.body,
                        url=d.url,
                        published=d.published,
                        payload=d.payload,
                    )
                    for entry, d in zip(entries, documents, strict=True)
                ]
            )
            word_index.replace(
                {
                    entry.pk: (d.title, " ".join(d.tags), d.body)
                    for entry, d in zip(entries, documents, strict=True)
                }
            )

    @staticmethod
    def _remove(entries: QuerySet) -> None:
        with transaction.atomic():
            ids = list(entries.values_list("pk", flat=True))
            if ids:
                word_index.remove(ids)
                Entry.objects.filter(pk__in=ids).delete()

    def delete(self, keys: list[str]) -> None:
        self._remove(Entry.objects.filter(key__in=keys))

    def rebuild(
        self, index: str, documents: Iterable[Document], progress: Callable[[int], None]
    ) -> None:
        """Batch by batch, each replacing its entries in one transaction, so readers always find
        every document (old or new) and writers are never held up for long; then whatever the
        rebuild did not write is removed."""
        started = timezone.now()
        for batch in batched(documents, BATCH):
            self.upsert(batch)
            progress(len(batch))
        self._remove(Entry.objects.filter(index=index, written_at__lt=started))
