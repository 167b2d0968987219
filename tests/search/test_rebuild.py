"""A rebuild keeps answering queries from start to end, and loses no update made meanwhile."""

import dataclasses

import pytest

import search
from search.backends import database, elastic, get_backend

from .conftest import use_elasticsearch
from .corpus import OPENINGS, PAGES, page

pytestmark = pytest.mark.django_db

SERIES = [p for p in PAGES if p.key.startswith("test.page:series")]


def test_queries_are_answered_throughout_a_rebuild(backend, world, monkeypatch):
    monkeypatch.setattr(database, "BATCH", 4)
    monkeypatch.setattr(elastic, "BATCH", 4)
    backend.upsert(OPENINGS + PAGES)
    renamed = [dataclasses.replace(p, title=p.title.replace("法治课堂", "法治讲堂")) for p in PAGES]
    seen = []

    def after_each_batch(count: int) -> None:
        old = search.site("法治课堂", world.caseworker, per_page=50).total
        new = search.site("法治讲堂", world.caseworker, per_page=50).total
        seen.append((old, new))
        # Every series page is found under its old or its new title, never lost in between.
        assert old + new == len(SERIES)
        if len(seen) == 2:
            backend.upsert([page("late", "重建期间新增的课程")])

    backend.rebuild("site", iter(renamed), after_each_batch)

    assert len(seen) == -(-len(renamed) // 4)
    assert search.site("法治课堂", world.caseworker).total == 0
    assert search.site("法治讲堂", world.caseworker).total == len(SERIES)
    assert search.site("重建期间", world.caseworker).total == 1  # written during the rebuild
    assert search.directory("电工", world.caseworker).total == 1  # the other index untouched
    assert backend.count("site") == len(PAGES) + 1


@pytest.fixture
def elasticsearch(settings, request):
    clone = request.getfixturevalue("search_engine").clone()
    request.addfinalizer(clone.close)
    use_elasticsearch(settings, clone.url)
    yield get_backend()
    get_backend.cache_clear()


def test_elasticsearch_swaps_the_alias_and_drops_the_old_index(elasticsearch):
    backend = elasticsearch
    backend.upsert(PAGES)
    before = set(backend.client.indices.get_alias(name=backend.alias("site")).body)
    backend.rebuild("site", iter(PAGES), lambda count: None)
    after = set(backend.client.indices.get_alias(name=backend.alias("site")).body)
    assert len(before) == len(after) == 1 and before != after
    assert not backend.client.indices.exists(index=next(iter(before)))
    assert not backend.client.indices.exists_alias(name=backend.next_alias("site"))


def test_a_rebuild_after_a_killed_one_drops_its_half_filled_index(elasticsearch, world):
    backend = elasticsearch
    backend.upsert(PAGES)
    # What a rebuild killed halfway leaves: a new version, half filled, behind the next alias.
    orphan = backend._create_version("site")
    backend.client.indices.put_alias(index=orphan, name=backend.next_alias("site"))
    backend._bulk(orphan, PAGES[:2], refresh=True)
    meanwhile = page("meanwhile", "中断之后新增的课程")
    backend.upsert([meanwhile])  # still taken, by both

    def while_rebuilding(count: int) -> None:
        # Updates during the new rebuild reach exactly one index beside the live one: its own.
        backend.upsert([page(f"during-{count}", "重建期间新增的课程")])

    backend.rebuild("site", iter([*PAGES, meanwhile]), while_rebuilding)

    assert not backend.client.indices.exists(index=orphan)
    assert not backend.client.indices.exists_alias(name=backend.next_alias("site"))
    assert len(backend.client.indices.get_alias(name=backend.alias("site")).body) == 1
    assert search.site("中断之后", world.caseworker).total == 1
    assert search.site("重建期间", world.caseworker).total == 1
    assert backend.count("site") == len(PAGES) + 2
