"""One contract suite, two backends: every test taking `backend` runs on the database backend
and on Elasticsearch (elasticsearch-dsl against the in-memory OpenSearch-compatible engine)."""

import itertools

import pytest

from search.backends import get_backend

from .elastic_node import OpenSearchCompatibleNode

_prefixes = itertools.count(1)


@pytest.fixture(scope="session")
def search_engine():
    """The test engine, started once for the session and stopped with it."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


def use_elasticsearch(settings, url: str) -> None:
    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {"node_class": OpenSearchCompatibleNode}
    settings.ELASTICSEARCH_TIMEOUT = 5
    settings.SEARCH_INDEX_PREFIX = f"test{next(_prefixes)}"


@pytest.fixture(params=["database", "elasticsearch"])
def backend(request, settings, db):
    """The configured backend, chosen as production chooses it: by ELASTICSEARCH_URL."""
    if request.param == "elasticsearch":
        clone = request.getfixturevalue("search_engine").clone()
        request.addfinalizer(clone.close)
        use_elasticsearch(settings, clone.url)
    else:
        settings.ELASTICSEARCH_URL = ""
    yield get_backend()
    get_backend.cache_clear()
