#!/usr/bin/env bash
# The whole test suite: installs what the tests drive (Debian packages), then builds and runs
# every module's tests, including the real-component and network-namespace tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
exec ./mvnw -B -ntp verify "$@"
