"""The search contract, on both backends: the same questions get the same answers."""

import pytest
from django.contrib.auth.models import AnonymousUser

import search
from search import geo
from tests.conftest import make_user

from .corpus import CENTRE, OPENINGS, PAGES, north_of_centre, opening

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(backend, world):
    backend.upsert(OPENINGS + PAGES)
    return world


def keys(results) -> list[str]:
    return [hit.key.split(":")[1] for hit in results.hits]


def found(query, user, **options) -> set[str]:
    return set(keys(search.directory(query, user, per_page=50, **options)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("电", {"electrician", "excel", "welder"}),  # one character: title, body or tag
        ("工", {"electrician", "welder"}),
        ("电工", {"electrician"}),  # two characters
        ("电工学徒", {"electrician"}),  # three and more
        ("培训班", {"excel"}),
        ("烹饪", {"chef"}),  # a tag
        ("包食宿", {"electrician"}),  # the body
        ("excel 培训", {"excel"}),  # mixed Chinese and English, every word must match
        ("ＥＸＣＥＬ", {"excel"}),  # full-width and capitals fold
        ("chef 厨师", {"chef"}),
        ("电工 厨师", set()),
        ("火箭", set()),
    ],
)
def test_chinese_and_mixed_queries(indexed, query, expected):
    assert found(query, indexed.caseworker) == expected


def test_highlights_mark_the_matched_words(indexed):
    hit = search.directory("电工", indexed.caseworker).hits[0]
    assert hit.title_html == "<mark>电工</mark>学徒"
    assert "<mark>电工</mark>带教" in hit.snippet_html


def test_radius_keeps_only_what_is_near(indexed):
    near = found("", indexed.caseworker, near=CENTRE, radius_km=10)
    assert near == {"counselling", "electrician", "excel", "chef"}
    assert found("", indexed.caseworker, near=CENTRE, radius_km=20) == near | {"cleaning"}
    assert found("", indexed.caseworker, near=north_of_centre(40), radius_km=3) == {"welder"}


def test_distance_order_and_distances(indexed):
    results = search.directory("", indexed.caseworker, near=CENTRE, radius_km=50, sort="distance")
    assert keys(results) == ["counselling", "electrician", "excel", "chef", "cleaning", "welder"]
    for hit, km in zip(results.hits, [1, 2, 5, 8, 15, 40], strict=True):
        assert hit.distance_km == pytest.approx(km, rel=0.01)
    assert geo.distance_km(CENTRE, north_of_centre(40)) == pytest.approx(40, rel=0.001)


def test_ranking_blends_distance_and_open_places(indexed, backend):
    """Same words: the nearer opening with places comes first; a full one sinks."""
    results = search.directory("培训", indexed.caseworker, near=CENTRE, radius_km=30)
    assert keys(results) == ["excel", "chef"]
    backend.upsert(
        [
            opening("guard-near", "保安 招聘", "employment", 3, 4),
            opening("guard-far", "保安 招聘", "employment", 30, 4),
            opening("guard-full", "保安 招聘", "employment", 1, 0),
        ]
    )
    results = search.directory("保安", indexed.caseworker, near=CENTRE, radius_km=100)
    assert keys(results) == ["guard-near", "guard-far", "guard-full"]


def test_open_only_leaves_out_full_openings(indexed):
    assert "chef" not in found("", indexed.caseworker, open_only=True)
    assert "chef" in found("", indexed.caseworker)


def test_facets_count_before_the_selection_narrows(indexed):
    results = search.directory("", indexed.caseworker, kinds=["training"], per_page=50)
    assert set(keys(results)) == {"excel", "chef"}
    kinds = {f.value: (f.count, f.selected) for f in results.facets["kind"]}
    assert kinds == {
        "employment": (2, False),
        "training": (2, True),
        "welfare": (1, False),
        "counselling": (1, False),
    }
    regions = {f.value: f.count for f in results.facets["region"]}
    assert regions == {"370402001": 4, "370402003": 1, "370830001": 1}
    labels = {f.value: f.label for f in results.facets["region"]}
    assert labels["370402003"] == "矿区街道"
    skills = {f.value: f.count for f in results.facets["skill"]}
    assert skills["电工"] == 1 and skills["烹饪"] == 1


def test_skill_and_region_filters(indexed):
    assert found("", indexed.caseworker, skills=["电焊", "烹饪"]) == {"welder", "chef"}
    assert found("", indexed.caseworker, regions=["370402"]) == {
        "electrician",
        "excel",
        "chef",
        "cleaning",
        "counselling",
    }


def test_pagination(indexed):
    first = search.site("法治课堂", indexed.caseworker, per_page=10)
    third = search.site("法治课堂", indexed.caseworker, per_page=10, page=3)
    everything = search.site("法治课堂", indexed.caseworker, per_page=50)
    assert (first.total, first.pages, len(first.hits)) == (25, 3, 10)
    assert len(third.hits) == 5 and not third.has_next and third.has_previous
    pages = [search.site("法治课堂", indexed.caseworker, per_page=10, page=n) for n in (1, 2, 3)]
    paged = [key for results in pages for key in keys(results)]
    assert len(paged) == len(set(paged)) == 25
    assert set(paged) == set(keys(everything))


def test_suggestions(indexed):
    """Titles whose beginning, a later word or a tag starts with what was typed."""
    assert set(search.suggest("电", indexed.caseworker)) == {
        "电工学徒",
        "电焊工 招聘",
        "Excel 电脑培训班",  # "电脑" is a word of the title and a tag
    }
    assert set(search.suggest("烹", indexed.caseworker)) == {"厨师培训 Chef training"}
    assert search.suggest("ｅｘ", indexed.caseworker) == ["Excel 电脑培训班"]
    assert "遵纪守法 从我做起" in search.suggest("遵纪", AnonymousUser())
    assert search.suggest("火箭", indexed.caseworker) == []


def test_did_you_mean(indexed):
    results = search.directory("电工学图", indexed.caseworker)
    assert results.total == 0
    assert results.did_you_mean == "电工学徒"
    assert search.directory("电工", indexed.caseworker).did_you_mean == ""


class TestScoping:
    def test_anonymous_visitors_find_public_pages_only(self, indexed):
        anonymous = AnonymousUser()
        assert found("", anonymous) == set()
        assert set(keys(search.site("法", anonymous, per_page=50))) >= {"law", "aid"}
        assert "strict" not in keys(search.site("专题教育", anonymous))
        assert search.suggest("严管", anonymous) == []

    def test_supervisees_find_courses_of_their_audience_only(self, indexed):
        person = indexed.supervisee_user  # adult, standard level, 枣庄
        assert keys(search.site("课程", person)) == ["zaozhuang"]
        assert keys(search.site("专题教育", person)) == []
        assert keys(search.site("心理健康", person)) == []
        assert search.suggest("未成年", person) == []

    def test_a_strict_level_minor_finds_theirs(self, indexed):
        minor = indexed.minor
        minor.user = make_user("minor_user")
        minor.supervision_level = "strict"
        minor.save()
        assert keys(search.site("专题教育", minor.user)) == ["strict"]
        assert keys(search.site("心理健康", minor.user)) == ["minors"]

    def test_staff_only_documents_follow_the_viewers_region(self, indexed):
        assert "counselling" in found("心理", indexed.caseworker) | found("心理", indexed.official)
        assert "counselling" not in found("心理", indexed.jining_official)
        assert "counselling" not in found("心理", indexed.supervisee_user)
        assert "counselling" not in found("心理", indexed.operator)
        assert search.suggest("心理咨询", indexed.jining_official) == []

    def test_operators_find_openings_but_not_courses(self, indexed):
        assert "electrician" in found("电工", indexed.operator)
        assert keys(search.site("课程", indexed.operator)) == []
