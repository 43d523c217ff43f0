#!/usr/bin/env bash
# A longer schemathesis run against the JSON API than the one in the test suite.
#
# Runs tests/web/test_api_fuzz.py (the in-process app over the 37 fixture papers, writes
# with a real API token, the arXiv API played by the local test server) with many random
# examples per operation and mode (valid and invalid inputs) instead of the suite's
# deterministic dozen. Prints the number of requests and the time; fails on any 5xx.
#
# Usage: benchmarks/fuzz_api.sh [EXAMPLES] [all]
#   EXAMPLES  examples per operation (default 300)
#   all       run every schemathesis check (response schemas, status codes, ...), not
#             only "no 5xx"; expect some reports where the schema cannot say everything
#             (e.g. a schema-valid date string that is not a real date answers 422)
# Example: benchmarks/fuzz_api.sh 1000
set -euo pipefail
cd "$(dirname "$0")/.."
export PAPERBOY_FUZZ_EXAMPLES="${1:-300}"
export PAPERBOY_FUZZ_RANDOM=1
if [[ "${2:-}" == "all" ]]; then
    export PAPERBOY_FUZZ_CHECKS=all
fi
exec .venv/bin/python -m pytest -q -s -p no:cacheprovider tests/web/test_api_fuzz.py
