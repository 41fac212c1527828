#!/usr/bin/env bash
# The end-to-end demonstration ("internet in a box"): builds the four services and the Jetson agent
# and relay-server (tests skipped), then runs the e2e harness, which creates network namespaces (an internet core,
# a cloud with the control plane, a home router with NAT + miniupnpd, the Jetson running the real
# agent, a phone behind carrier-grade NAT, a relay host, BIND), runs every scenario and tears it
# all down. Prints the readable report at the end (also in e2e/target/e2e-report.txt).
#
# Needs root (namespaces, iptables inside them) and the Debian packages the harness drives;
# scripts/install-test-deps.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
Usage: scripts/e2e-demo.sh [--only TAGS] [--no-build]

  --only TAGS   run only some scenarios, comma-separated JUnit tags:
                direct (1), ip-change (2), relay (3), cloud (4), lockdown (5),
                control-plane-down (6), proxy (7), stock-client (8),
                replica-loss (9), topology (the namespace internet alone)
  --no-build    use the jars already built (skip the Maven install of the services)
  -h, --help    this text

The report (path used, handshake time, SSH round trip per scenario) is printed at the end and
written to e2e/target/e2e-report.txt. Scenario 3 (frp relay kind) needs frps/frpc on PATH to go
through frp; without them it reports why it was skipped. Scenario 8 (stock client) goes through
relay-server, which the build makes.
USAGE
}

groups=""
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || { echo "e2e-demo: --only needs a value" >&2; exit 2; }; groups="$2"; shift 2 ;;
    --only=*) groups="${1#--only=}"; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "e2e-demo: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$groups" ] && ! printf '%s' "$groups" | grep -Eq '^[a-z-]+(,[a-z-]+)*$'; then
  echo "e2e-demo: --only takes tag names separated by commas" >&2; exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e-demo: must run as root (it creates network namespaces)" >&2; exit 1
fi

scripts/install-test-deps.sh
if [ "$build" -eq 1 ]; then
  echo "e2e-demo: building the services and the agent (tests skipped)..."
  ./mvnw -B -ntp -q install -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -pl e2e -am
fi

report=e2e/target/e2e-report.txt
rm -f "$report"
args=(-B -ntp -pl e2e -Djacoco.skip=true -Dspotless.check.skip=true
      test-compile failsafe:integration-test failsafe:verify)
if [ -n "$groups" ]; then
  args+=("-Dgroups=$groups")
fi
status=0
SPOQ_E2E_PRINT_REPORT=false ./mvnw "${args[@]}" || status=$?

echo
if [ -f "$report" ]; then
  cat "$report"
else
  echo "e2e-demo: no report was written (the harness did not start; see the Maven output above)" >&2
fi
exit "$status"
