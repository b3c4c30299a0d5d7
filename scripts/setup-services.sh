#!/usr/bin/env bash
# Makes the services the test suite talks to answer on this machine:
# PostgreSQL with the pgvector extension, MariaDB (the connectors' SQL tests)
# and Redis. Installs what is missing
# (pgvector is built from Debian's source package, since Debian 12 ships no
# binary for PostgreSQL 15). Safe to run again: each step checks first.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

log() { printf '[setup] %s\n' "$*"; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    log "this step needs root: $*" >&2
    exit 1
  fi
}

apt_updated=0
apt_install() {
  need_root "apt-get install $*"
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- PostgreSQL --------------------------------------------------------------
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  log "PostgreSQL is not answering on $PGHOST:$PGPORT, starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
  pg_isready -h "$PGHOST" -p "$PGPORT"
fi

pg_major=$(psql -d postgres -Atc "show server_version_num" | cut -c1-2)
have_vector=$(psql -d postgres -Atc "select count(*) from pg_available_extensions where name = 'vector'")
if [ "$have_vector" = 0 ]; then
  log "pgvector is missing for PostgreSQL $pg_major: building it from Debian's source package"
  apt_install "postgresql-server-dev-$pg_major" build-essential dpkg-dev
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  src_list=/etc/apt/sources.list.d/chatgw-trixie-src.list
  if [ ! -f "$src_list" ]; then
    echo "deb-src $mirror trixie main" >"$src_list"
    apt-get update -qq
  fi
  work=$(mktemp -d)
  (
    cd "$work"
    apt-get source -qq pgvector >/dev/null 2>&1
    cd "$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n1)"
    # Built for this machine's CPU (pgvector's upstream default, which
    # Debian's portable package turns off): vectorised distance functions.
    make -s OPTFLAGS="-march=native" PG_CONFIG="/usr/lib/postgresql/$pg_major/bin/pg_config" >/dev/null
    make -s install OPTFLAGS="-march=native" PG_CONFIG="/usr/lib/postgresql/$pg_major/bin/pg_config" >/dev/null
  )
  rm -rf "$work"
fi
for db in postgres test; do
  psql -d "$db" -qc "create extension if not exists vector" >/dev/null
done
log "PostgreSQL $(psql -d postgres -Atc "select extversion from pg_extension where extname='vector'" | sed 's/^/with pgvector /') answers on $PGHOST:$PGPORT"

# --- Redis -------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "Redis is not answering on 127.0.0.1:6379, starting it"
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
log "Redis answers on 127.0.0.1:6379"

# --- MariaDB -----------------------------------------------------------------
mariadb_up() { mariadb -h 127.0.0.1 -P 3306 -u root -e 'select 1' >/dev/null 2>&1; }
if ! mariadb_up; then
  log "MariaDB is not answering on 127.0.0.1:3306, starting it"
  if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then apt_install mariadb-server mariadb-client; fi
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 30); do mariadb_up && break; sleep 1; done
fi
mariadb -h 127.0.0.1 -P 3306 -u root -e 'create database if not exists test' >/dev/null
log "MariaDB answers on 127.0.0.1:3306"

# --- Node.js -----------------------------------------------------------------
# The Shopify emulator's webhook signatures are checked against Node's own
# crypto (an implementation independent of ours).
if ! command -v node >/dev/null 2>&1; then
  log "Node.js is missing: installing Debian's nodejs"
  apt_install nodejs
fi

# --- Django REST Framework test peer ----------------------------------------
# The django-rest connector is tested against a real DRF app (testkit/drf),
# run from a venv of its own with the versions its requirements.txt pins.
drf="$(cd "$(dirname "$0")/.." && pwd)/testkit/drf"
if ! cmp -s "$drf/requirements.txt" "$drf/.venv/requirements.installed" 2>/dev/null \
  || ! "$drf/.venv/bin/python" -c 'import django, rest_framework' >/dev/null 2>&1; then
  log "installing Django and djangorestframework for the DRF test peer into testkit/drf/.venv"
  if ! command -v python3 >/dev/null 2>&1; then apt_install python3 python3-venv; fi
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then apt_install python3-venv; fi
  python3 -m venv "$drf/.venv"
  "$drf/.venv/bin/pip" install -q --disable-pip-version-check -r "$drf/requirements.txt"
  cp "$drf/requirements.txt" "$drf/.venv/requirements.installed"
fi
log "DRF test peer: $("$drf/.venv/bin/python" -c 'import django, rest_framework; print("Django", django.get_version(), "+ DRF", rest_framework.VERSION)')"
