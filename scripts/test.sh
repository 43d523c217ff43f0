#!/usr/bin/env bash
# Runs on demand and in CI (.ci/run): installs everything the tests need (a virtualenv
# with the package and its test extras, Debian's chromium for browser tests, the
# machine's PostgreSQL 15 for storage tests; the test role may end autovacuum workers so
# a test's database can always be dropped), checks lint and types, runs the suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k feed -x`.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || echo "warning: could not install ${missing[*]}; the tests that need them will skip"
fi

if [ -z "${PAPERBOY_TEST_POSTGRES_URL:-}" ] && command -v pg_ctlcluster >/dev/null; then
  version=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1}')
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $2}')
  port=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $3}')
  [ -n "$version" ] && { as_root pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true; }
  if pg_lsclusters --no-header 2>/dev/null | awk '{print $4}' | grep -q online; then
    as_root su postgres -c "psql -q -p $port -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'paperboy_test') THEN CREATE ROLE paperboy_test LOGIN CREATEDB PASSWORD 'paperboy_test'; END IF; END \\\$\\\$; GRANT pg_signal_backend TO paperboy_test;\"" \
      && export PAPERBOY_TEST_POSTGRES_URL="postgresql+psycopg://paperboy_test:paperboy_test@127.0.0.1:$port/postgres" \
      || echo "warning: could not prepare PostgreSQL; its tests will skip"
  fi
fi

.venv/bin/ruff check paperboy tests benchmarks scripts
.venv/bin/ruff format --check paperboy tests benchmarks scripts
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
# Two processes, one test file each at a time (module fixtures stay in one process): the
# suite is mostly waiting on servers, browsers and subprocesses, so this halves its time
# on a 2-core machine (10 min 51 s -> 5 min 53 s). PAPERBOY_TEST_WORKERS=0 runs it in
# one process.
.venv/bin/pytest -n "${PAPERBOY_TEST_WORKERS:-2}" --dist loadfile "$@"
