"""The Elasticsearch backend, written with elasticsearch-dsl.

Chinese text is analysed with the built-in `cjk` analyzer (overlapping bigrams, used for
relevance) and a `char` subfield of single characters, on which a phrase query finds any run of
characters, so one-character queries match as they do in the database backend. Each index is a
versioned concrete index behind an alias; a rebuild fills a new one and swaps the alias in one
request, while writes made during the rebuild go to both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exceptions
from elasticsearch_dsl import (
    Completion,
    Date,
    Float,
    GeoPoint,
    Integer,
    Keyword,
    Object,
    Q,
    Search,
    Text,
    analyzer,
)
from elasticsearch_dsl import (
    Document as DslDocument,
)

from .. import text
from ..types import (
    ACCESS_FIELDS,
    ANY,
    INDEXES,
    Document,
    FacetValue,
    Query,
    Results,
    SearchUnavailable,
    Viewer,
)
from .base import BODY_WEIGHT, FACET_SIZES, TAG_WEIGHT, TITLE_WEIGHT, batched, decay_scale_km
from .hits import hit

logger = logging.getLogger(__name__)

BATCH = 500
ENGINE_ERRORS = (es_exceptions.ApiError, es_exceptions.TransportError, helpers.BulkIndexError)

# Single characters, width- and case-folded: a phrase over them is a substring match.
chars = analyzer("zh_char", tokenizer="standard", filter=["cjk_width", "lowercase"])


def chinese_text(**extra) -> Text:
    return Text(analyzer="cjk", fields={"char": Text(analyzer=chars), **extra})


class SearchDocument(DslDocument):
    """The mapping shared by the site and directory indexes."""

    key = Keyword()
    kind = Keyword()
    title = chinese_text(raw=Keyword())
    body = chinese_text()
    tags = Keyword(fields={"char": Text(analyzer=chars)})
    url = Keyword(index=False)
    region_code = Keyword()
    region_path = Keyword()
    location = GeoPoint()
    open_slots = Integer()
    rank = Float()
    published = Date()
    payload = Object(enabled=False)
    audience = Keyword()
    levels = Keyword()
    sentences = Keyword()
    offences = Keyword()
    ages = Keyword()
    regions = Keyword()
    scope = Keyword()
    suggest = Completion(contexts=[{"name": "audience", "type": "category"}])

    @classmethod
    def source_for(cls, document: Document) -> dict:
        tokens = document.access.tokens()
        body = {
            "key": document.key,
            "kind": document.kind,
            "title": document.title,
            "body": document.body,
            "tags": list(document.tags),
            "url": document.url,
            "region_code": document.region_code,
            "region_path": [code for code in document.region_path.split("/") if code],
            "open_slots": document.open_slots,
            "rank": document.rank,
            "published": document.published.isoformat() if document.published else None,
            "payload": document.payload,
            "suggest": {
                "input": [s for s in document.suggestions if s],
                "contexts": {"audience": tokens["audience"]},
            },
            **tokens,
        }
        if document.location is not None:
            body["location"] = {"lat": document.location[0], "lon": document.location[1]}
        return body


def document_from(index: str, source: dict) -> Document:
    location = source.get("location")
    path = source.get("region_path") or []
    return Document(
        key=source["key"],
        index=index,
        kind=source["kind"],
        title=source["title"],
        body=source.get("body") or "",
        url=source.get("url") or "",
        tags=tuple(source.get("tags") or ()),
        region_code=source.get("region_code") or "",
        region_path=("/" + "/".join(path) + "/") if path else "",
        location=(location["lat"], location["lon"]) if location else None,
        open_slots=source.get("open_slots"),
        rank=source.get("rank") or 1.0,
        payload=source.get("payload") or {},
    )


@contextmanager
def _engine() -> Iterator[None]:
    """Turns the client's connection and API errors into SearchUnavailable."""
    try:
        yield
    except ENGINE_ERRORS as error:
        logger.warning("Elasticsearch failed: %s", error)
        raise SearchUnavailable(str(error)) from error


def access_filters(viewer: Viewer) -> list[Q]:
    return [Q("terms", **{name: [ANY, *sorted(values)]}) for name, values in viewer.allowed.items()]


def term_query(term: str) -> Q:
    """A word is found when it occurs in the title, a tag or the body."""
    return Q(
        "bool",
        should=[
            Q("match_phrase", **{"title.char": {"query": term, "boost": TITLE_WEIGHT}}),
            Q("match_phrase", **{"tags.char": {"query": term, "boost": TAG_WEIGHT}}),
            Q("match_phrase", **{"body.char": {"query": term, "boost": BODY_WEIGHT}}),
        ],
        minimum_should_match=1,
    )


class ElasticBackend:
    def __init__(self, client: Elasticsearch | None = None, prefix: str | None = None):
        self.client = client or Elasticsearch(
            settings.ELASTICSEARCH_URL,
            request_timeout=settings.ELASTICSEARCH_TIMEOUT,
            **settings.ELASTICSEARCH_CLIENT_OPTIONS,
        )
        self.prefix = prefix or settings.SEARCH_INDEX_PREFIX

    # Names -----------------------------------------------------------------------------------

    def alias(self, index: str) -> str:
        return f"{self.prefix}-{index}"

    def next_alias(self, index: str) -> str:
        """Points at the index a running rebuild fills, so updates reach it too."""
        return f"{self.alias(index)}-next"

    def _targets(self, index: str) -> list[str]:
        targets = [self.alias(index)]
        if self.client.indices.exists_alias(name=self.next_alias(index)):
            targets.append(self.next_alias(index))
        return targets

    def ensure_index(self, index: str) -> None:
        """Create the first version of `index` behind its alias, if there is none."""
        with _engine():
            if not self.client.indices.exists_alias(name=self.alias(index)):
                name = self._create_version(index)
                self.client.indices.put_alias(index=name, name=self.alias(index))

    def _create_version(self, index: str) -> str:
        name = f"{self.alias(index)}-{timezone.now():%Y%m%d%H%M%S%f}"
        SearchDocument.init(index=name, using=self.client)
        return name

    # Writes ----------------------------------------------------------------------------------

    def upsert(self, documents: list[Document]) -> None:
        with _engine():
            for index in {d.index for d in documents}:
                self.ensure_index(index)
                for target in self._targets(index):
                    self._bulk(target, [d for d in documents if d.index == index], refresh=True)

    def _bulk(self, target: str, documents: list[Document], refresh: bool = False) -> None:
        actions = [
            {
                "_op_type": "index",
                "_index": target,
                "_id": d.key,
                "_source": SearchDocument.source_for(d),
            }
            for d in documents
        ]
        helpers.bulk(self.client, actions, refresh=refresh)

    def delete(self, keys: list[str]) -> None:
        with _engine():
            for index in INDEXES:
                if not self.client.indices.exists_alias(name=self.alias(index)):
                    continue
                for target in self._targets(index):
                    self.client.delete_by_query(
                        index=target, query={"terms": {"key": keys}}, refresh=True
                    )

    def rebuild(
        self, index: str, documents: Iterable[Document], progress: Callable[[int], None]
    ) -> None:
        with _engine():
            self.ensure_index(index)
            alias, next_alias = self.alias(index), self.next_alias(index)
            old = list(self.client.indices.get_alias(name=alias).body)
            self._drop_abandoned(next_alias, old)
            new = self._create_version(index)
            self.client.indices.put_alias(index=new, name=next_alias)
            try:
                for batch in batched(documents, BATCH):
                    self._bulk(new, batch)
                    progress(len(batch))
                self.client.indices.refresh(index=new)
                actions = [{"remove": {"index": name, "alias": alias}} for name in old]
                actions += [
                    {"add": {"index": new, "alias": alias}},
                    {"remove": {"index": new, "alias": next_alias}},
                ]
                self.client.indices.update_aliases(actions=actions)
            except BaseException:
                self.client.indices.delete(index=new, ignore_unavailable=True)
                raise
            for name in old:
                self.client.indices.delete(index=name, ignore_unavailable=True)

    def _drop_abandoned(self, next_alias: str, live: list[str]) -> None:
        """A rebuild that was killed leaves its half-filled index behind the next alias, where
        it would take every update and, beside this rebuild's, make the alias refuse writes:
        drop it. (So of two rebuilds of one index at once, the later one wins.)"""
        if not self.client.indices.exists_alias(name=next_alias):
            return
        for name in self.client.indices.get_alias(name=next_alias).body:
            if name not in live:
                logger.warning("dropping %s, left by an unfinished rebuild", name)
                self.client.indices.delete(index=name, ignore_unavailable=True)

    def count(self, index: str) -> int:
        with _engine():
            self.ensure_index(index)
            return self.client.count(index=self.alias(index))["count"]

    # Reads -----------------------------------------------------------------------------------

    def search(self, query: Query) -> Results:
        with _engine():
            self.ensure_index(query.index)
            response = self._search(query).execute()
        hits = []
        for found in response.hits:
            source = found.to_dict()
            document = document_from(query.index, source)
            hits.append(hit(document, query, found.meta.score))
        return Results(
            hits=hits,
            total=response.hits.total.value,
            page=query.page,
            per_page=query.per_page,
            facets=self._facets(response.aggregations),
        )

    def _search(self, query: Query) -> Search:
        search = Search(using=self.client, index=self.alias(query.index)).extra(
            track_total_hits=True
        )
        must = [term_query(term) for term in query.terms]
        relevance = [
            Q("match", title={"query": " ".join(query.terms), "boost": TITLE_WEIGHT}),
            Q("match", body={"query": " ".join(query.terms), "boost": BODY_WEIGHT}),
        ]
        filters = access_filters(query.viewer)
        if query.open_only:
            filters.append(Q("range", open_slots={"gt": 0}))
        if query.near is not None:
            centre = {"lat": query.near[0], "lon": query.near[1]}
            if query.radius_km:
                filters.append(Q("geo_distance", distance=f"{query.radius_km}km", location=centre))
            else:
                filters.append(Q("exists", field="location"))
        matched = Q(
            "bool",
            must=must or [Q("match_all")],
            should=relevance if query.terms else [],
            filter=filters,
        )
        functions = [
            {"field_value_factor": {"field": "open_slots", "modifier": "ln2p", "missing": 0}},
            {"field_value_factor": {"field": "rank", "missing": 1}},
        ]
        if query.near is not None:
            functions.append(
                {
                    "gauss": {
                        "location": {
                            "origin": centre,
                            "scale": f"{decay_scale_km(query)}km",
                            "decay": 0.5,
                        }
                    }
                }
            )
        search = search.query(
            "function_score",
            query=matched,
            functions=functions,
            score_mode="multiply",
            boost_mode="multiply",
        )
        post = []
        if query.kinds:
            post.append(Q("terms", kind=list(query.kinds)))
        if query.skills:
            post.append(Q("terms", tags=list(query.skills)))
        if query.regions:
            post.append(Q("terms", region_path=list(query.regions)))
        if post:
            search = search.post_filter("bool", filter=post)
        search.aggs.bucket("kind", "terms", field="kind", size=FACET_SIZES["kind"])
        search.aggs.bucket("region", "terms", field="region_code", size=FACET_SIZES["region"])
        search.aggs.bucket("skill", "terms", field="tags", size=FACET_SIZES["skill"])
        if query.sort == "distance" and query.near is not None:
            search = search.sort(
                {"_geo_distance": {"location": centre, "order": "asc", "unit": "km"}}, "key"
            )
        else:
            search = search.sort("_score", "key")
        return search[query.offset : query.offset + query.per_page]

    @staticmethod
    def _facets(aggregations) -> dict[str, list[FacetValue]]:
        return {
            name: [
                FacetValue(value=bucket.key, label=bucket.key, count=bucket.doc_count)
                for bucket in getattr(aggregations, name).buckets
                if bucket.key
            ]
            for name in ("kind", "region", "skill")
        }

    def suggest(self, index: str | None, prefix: str, viewer: Viewer, limit: int) -> list[str]:
        indexes = [index] if index else list(INDEXES)
        with _engine():
            for name in indexes:
                self.ensure_index(name)
            audience = sorted(viewer.allowed.get("audience", {ANY}) | {ANY})
            search = Search(using=self.client, index=[self.alias(n) for n in indexes])
            search = search.suggest(
                "titles",
                text.normalise(prefix),
                completion={
                    "field": "suggest",
                    "size": limit * 4,
                    "skip_duplicates": True,
                    "contexts": {"audience": audience},
                },
            )
            response = search.execute()
        found: list[str] = []
        for option in response.suggest.titles[0].options:
            source = option._source.to_dict()
            # The completion context holds the audience only; the finer rules are checked here.
            admitted = viewer.admits({name: source.get(name) or [ANY] for name in ACCESS_FIELDS})
            if admitted and source["title"] not in found:
                found.append(source["title"])
        return found[:limit]
