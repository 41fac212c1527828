#!/usr/bin/env bash
# Container health check without curl/wget in the image: asks the service's actuator readiness group
# over bash's /dev/tcp and succeeds only on HTTP 200 with status UP.
set -euo pipefail
port="${MANAGEMENT_SERVER_PORT:-${SERVER_PORT:-8080}}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
answer="$(timeout 4 cat <&3)"
exec 3<&-
case "${answer}" in
  "HTTP/1."[01]" 200"*'"status":"UP"'*) exit 0 ;;
  *) echo "not ready: $(printf '%s' "${answer}" | head -n 1)" >&2; exit 1 ;;
esac
