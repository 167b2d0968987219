#!/usr/bin/env bash
# Start the web server and a background-task worker; stop both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${PORTAL_HOST:-127.0.0.1}
PORT=${PORTAL_PORT:-8000}
# The demo also "sends" every notification by SMS and email: both backends print to this console.
export PORTAL_NOTIFY_CHANNELS=${PORTAL_NOTIFY_CHANNELS-sms,email}

trap 'kill 0' EXIT INT TERM
$PY manage.py worker --queue-name '*' &
echo "矫正帮教平台: http://$HOST:$PORT/   (Ctrl-C to stop)"
.venv/bin/daphne -b "$HOST" -p "$PORT" portal.asgi:application
