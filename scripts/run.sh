#!/usr/bin/env bash
# `make run`: migrate, seed an empty database, then web + worker + scheduler (+ a local
# mail sink when no SMTP server is configured) under honcho.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" FLASK_APP=intranet PORT="${PORT:-5000}"
set -a; [ -f .env ] && . ./.env; set +a
mkdir -p instance

redis_answers() { python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$1" 2>/dev/null; }

if [ -z "${REDIS_URL:-}" ]; then
  if redis_answers redis://127.0.0.1:6379/0; then
    export REDIS_URL=redis://127.0.0.1:6379/0
  elif command -v redis-server >/dev/null; then
    # A private Redis for this session only, stopped when `make run` ends.
    redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$PWD/instance/redis.pid" --logfile "$PWD/instance/redis.log"
    trap 'kill "$(cat instance/redis.pid)" 2>/dev/null || true' EXIT
    export REDIS_URL=redis://127.0.0.1:6390/0
    for _ in $(seq 20); do redis_answers "$REDIS_URL" && break; sleep 0.2; done
  else
    echo "需要 Redis：请安装 redis-server（Debian/Ubuntu：apt-get install redis-server），或设置 REDIS_URL。 Redis is required: install redis-server or set REDIS_URL." >&2
    exit 1
  fi
fi

export DEMO_MODE="${DEMO_MODE:-true}"  # the demo lists its accounts on the login page; off by default elsewhere
flask db upgrade
flask seed-demo --if-empty

port_answers() { python -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)" "$1" "$2" 2>/dev/null; }

processes="web worker scheduler"
# No SMTP server configured: print outgoing mail to the console with a local sink,
# unless something already listens on that port (another instance's sink, a real relay).
if [ -z "${MAIL_HOST:-}" ] && ! port_answers 127.0.0.1 "${MAIL_PORT:-8025}"; then
  processes="$processes mail"
fi
echo "销售内勤系统: http://127.0.0.1:${PORT}/  (Redis: ${REDIS_URL})"
honcho start -f Procfile -p "$PORT" $processes
