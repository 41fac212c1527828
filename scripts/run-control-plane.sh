#!/usr/bin/env bash
# The control plane on an embedded PostgreSQL, nothing else to install but a JDK 17:
# builds the service jars (tests skipped), then starts every service and prints where each listens.
# Options are passed to the launcher; see scripts/run-control-plane.sh --help.
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  if [ "$arg" = "-h" ] || [ "$arg" = "--help" ]; then
    ./mvnw -B -q -ntp install -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -pl local-stack -am >/dev/null
    exec java -jar local-stack/target/local-stack-0.1.0-SNAPSHOT-exec.jar --help
  fi
done
echo "Building the control plane (tests skipped)..."
./mvnw -B -q -ntp install -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
  -pl device-registry,dns-api,relay-coordinator,jump-router,relay-server,local-stack -am
exec java -jar local-stack/target/local-stack-0.1.0-SNAPSHOT-exec.jar "$@"
