from hypothesis import HealthCheck, settings

# The URL matrix's objects (one of each kind a URL can name), for the checks over every URL.
from tests.portal.test_url_matrix import objects  # noqa: F401


def repeatable(max_examples: int):
    """Hypothesis settings of the fuzzing tests: the same examples on every run (so a failure can
    be replayed), no example database, and neither deadline nor health checks (each example goes
    through the whole Django stack, which is slow for hypothesis's taste)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
