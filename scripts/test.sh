#!/usr/bin/env bash
# The whole test run: lint, migrations, deploy checks, the suite on SQLite, then again on
# PostgreSQL + Redis. CI calls this through `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PORTAL_TESTING=1
export PORTAL_VAR_DIR=${PORTAL_VAR_DIR:-$(mktemp -d)}

PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

# Browser tests drive Debian's Chromium; install it where we may (CI runs as root).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing Chromium for the browser tests"
  apt-get install -y -q chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)
fi

echo "== lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== migrations are complete"
$PY manage.py makemigrations --check --dry-run

echo "== production settings pass check --deploy"
PORTAL_ENV=production PORTAL_TESTING=0 \
  DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  DJANGO_ALLOWED_HOSTS=jz.example.org PORTAL_TRUSTED_PROXY_COUNT=1 \
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" \
  $PY manage.py check --deploy --fail-level WARNING

echo "== test suite on SQLite, in-memory layers"
$PY -m pytest "$@"

services_up() {
  $PY - "$PG_URL" "$REDIS" <<'PY'
import sys, psycopg, redis
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
    redis.Redis.from_url(sys.argv[2], socket_connect_timeout=3).ping()
except Exception as exc:
    print(f"unreachable: {exc}")
    sys.exit(1)
PY
}

if services_up; then
  echo "== test suite on PostgreSQL + Redis"
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" $PY -m pytest "$@"
elif [ -n "${CI:-}" ]; then
  echo "PostgreSQL/Redis are required in CI but unreachable" >&2
  exit 1
else
  echo "== PostgreSQL/Redis not reachable here: that stage was skipped"
fi
