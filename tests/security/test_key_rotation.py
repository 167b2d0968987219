"""Rotating the secret key: what the old key signed stays valid while the old key is listed in
DJANGO_SECRET_KEY_FALLBACKS, and only then. Each step is a process of its own, configured
through the environment as a deployment is."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db  # the suite's set-up; the processes read no data

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = "old-" + "o" * 50, "new-" + "n" * 50

SCRIPT = """
import sys
import django
django.setup()
from live.calendar import feed_token, user_of_token
from portal.models import User
if sys.argv[1] == "sign":
    print(feed_token(User(pk=7)))
else:
    print(user_of_token(sys.argv[2]))
"""


def run(*args: str, key: str, fallbacks: str = "") -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": key,
        "DJANGO_SECRET_KEY_FALLBACKS": fallbacks,
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_an_old_key_listed_as_fallback_still_opens_what_it_signed():
    address = run("sign", key=OLD)  # a calendar feed address someone copied
    assert run("check", address, key=NEW, fallbacks=OLD) == "7"
    assert run("check", address, key=NEW) == "None"
