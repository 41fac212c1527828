# syntax=docker/dockerfile:1.7
#
# The relay server (frps) image, built from an frp release archive the operator downloaded and
# verified (deploy/docker/frp-dist/README.md). Build context: deploy/docker.
#
#   docker build -f deploy/docker/frps.Dockerfile --build-arg FRP_VERSION=0.61.1 \
#     --build-arg FRP_SHA256=<sha256 of the archive> -t spoq/frps:0.61.1 deploy/docker

FROM debian:bookworm-slim AS unpack
ARG FRP_VERSION
ARG FRP_SHA256
ARG TARGETARCH=amd64
RUN test -n "${FRP_VERSION}" && test -n "${FRP_SHA256}" \
 || { echo "build with --build-arg FRP_VERSION=... --build-arg FRP_SHA256=..." >&2; exit 1; }
COPY frp-dist/frp_${FRP_VERSION}_linux_${TARGETARCH}.tar.gz /tmp/frp.tar.gz
RUN echo "${FRP_SHA256}  /tmp/frp.tar.gz" | sha256sum --check --strict - \
 && mkdir /tmp/frp && tar -xzf /tmp/frp.tar.gz -C /tmp/frp --strip-components=1 \
 && install -m 0755 /tmp/frp/frps /usr/local/bin/frps

FROM debian:bookworm-slim
ARG FRP_VERSION
LABEL org.opencontainers.image.title="spoq-frps" org.opencontainers.image.version="${FRP_VERSION}"
RUN groupadd --system --gid 10002 frp \
 && useradd --system --uid 10002 --gid frp --no-create-home --shell /usr/sbin/nologin frp
COPY --from=unpack /usr/local/bin/frps /usr/local/bin/frps
USER frp:frp
EXPOSE 7000/tcp 7500/tcp
# frps is healthy when its control port accepts connections.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${FRPS_BIND_PORT:-7000}"]
ENTRYPOINT ["frps"]
CMD ["-c", "/etc/frp/frps.toml"]
