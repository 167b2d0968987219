# The URL matrix's objects (one of each kind a URL can name), for the checks over every URL.
from tests.portal.test_url_matrix import objects  # noqa: F401
