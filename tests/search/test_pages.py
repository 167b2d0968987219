"""The site search page and the autocomplete endpoint, as people use them."""

import pytest

from .corpus import PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(backend, world):
    backend.upsert(PAGES)
    return world


def test_results_with_highlights_facets_and_pages(indexed, client_for):
    client = client_for(indexed.caseworker)
    page = client.get("/search/", {"q": "法治课堂"}).content.decode()
    assert "共 25 条结果" in page
    assert "<mark>法治课堂</mark> 第1讲" in page
    assert "第 1 页，共 2 页" in page
    assert 'href="?q=%E6%B3%95%E6%B2%BB%E8%AF%BE%E5%A0%82&amp;page=2"' in page
    second = client.get("/search/", {"q": "法治课堂", "page": 2}).content.decode()
    assert "第 2 页，共 2 页" in second


def test_facet_links_narrow_and_count(indexed, client_for):
    client = client_for(indexed.caseworker)
    page = client.get("/search/", {"q": "课", "kind": "course"}).content.decode()
    assert "共 2 条结果" in page  # 枣庄 and 济宁 courses; the 25 法治课堂 news items are left out
    assert 'class="selected">课程 <span class="count">2</span>' in page
    assert "法治课堂" not in page.split("search-results")[1]
    assert "?q=%E8%AF%BE&amp;kind=course&amp;kind=news" in page  # choosing news as well


def test_did_you_mean_and_nothing_found(indexed, client_for):
    page = client_for(indexed.caseworker).get("/search/", {"q": "法律援助问达"}).content.decode()
    assert "没有找到与“法律援助问达”相关的内容" in page
    assert "您是不是要找" in page and "法律援助问答" in page


def test_an_empty_query_explains_what_to_type(client):
    page = client.get("/search/").content.decode()
    assert "单字也可以" in page
    assert 'role="search"' in page


def test_anonymous_visitors_search_public_pages(indexed, client):
    page = client.get("/search/", {"q": "遵纪"}).content.decode()
    assert "<mark>遵纪</mark>守法 从我做起" in page
    assert "没有找到与“严管”相关的内容" in client.get("/search/", {"q": "严管"}).content.decode()


def test_autocomplete_endpoint(indexed, client, client_for):
    response = client.get("/api/v1/search/suggest", {"q": "法律"})
    assert response.status_code == 200
    assert response.json() == {"suggestions": ["法律援助问答"], "available": True}
    assert client.get("/api/v1/search/suggest", {"q": "严管"}).json()["suggestions"] == []
    staff = client_for(indexed.caseworker).get("/api/v1/search/suggest", {"q": "严管"}).json()
    assert staff["suggestions"] == ["严管对象专题教育"]
    assert client.get("/api/v1/search/suggest").json()["suggestions"] == []
