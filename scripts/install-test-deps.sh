#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: OpenSSH, WireGuard (userspace),
# miniupnpd, BIND, coturn (STUN), iptables/nftables, iproute2, tmux, qrencode, iperf3 (relay
# throughput benchmark), prometheus (promtool checks the alert rules), nginx with its stream module (the
# proxy and balancer config is run for real), and docker-compose only when the Docker CLI has no Compose v2
# plugin (the compose file is validated with `config`). Idempotent: does nothing when everything
# is already there.
set -euo pipefail

declare -A needs=(
  [ssh]=openssh-client [sshd]=openssh-server [scp]=openssh-client [sftp]=openssh-client
  [wg]=wireguard-tools [wg-quick]=wireguard-tools [wireguard-go]=wireguard-go
  [miniupnpd]=miniupnpd [named]=bind9 [dig]=bind9-dnsutils [nsupdate]=bind9-dnsutils
  [turnserver]=coturn [iptables]=iptables [ip]=iproute2 [tmux]=tmux [qrencode]=qrencode
  [curl]=curl [iperf3]=iperf3 [promtool]=prometheus [ss]=iproute2 [ping]=iputils-ping [nginx]=nginx [nft]=nftables [openssl]=openssl
)

# The stream module (dynamic on Debian) runs the SSH balancer of deploy/proxy/stream.conf.
if [ ! -e /usr/lib/nginx/modules/ngx_stream_module.so ]; then
  missing_extra=(libnginx-mod-stream)
else
  missing_extra=()
fi

if ! docker compose version >/dev/null 2>&1; then
  needs[docker-compose]=docker-compose
fi

missing=("${missing_extra[@]}")
for bin in "${!needs[@]}"; do
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$bin" >/dev/null 2>&1; then
    missing+=("${needs[$bin]}")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all test tools present"
  exit 0
fi

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
echo "install-test-deps: installing ${packages}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "install-test-deps: need root (or sudo) to install: ${packages}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# shellcheck disable=SC2086
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends ${packages} </dev/null
# Debian enables these services on install; the tests start their own instances.
for svc in named bind9 miniupnpd coturn ssh nginx iperf3 prometheus; do
  "${sudo_cmd[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
echo "install-test-deps: done"
