-- The frp relay fleet: relays (frps hosts), the relay + UDP port each Jetson holds, the Jetsons'
-- relay credentials (hash only), latency reports, usage counters, frps plugin events.

CREATE TABLE relay (
    id                   text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
    region               text NOT NULL CHECK (region ~ '^[a-z][a-z0-9-]{0,31}$'),
    public_host          text NOT NULL,
    bind_port            integer NOT NULL CHECK (bind_port BETWEEN 1 AND 65535),
    port_range_start     integer NOT NULL CHECK (port_range_start BETWEEN 1 AND 65535),
    port_range_end       integer NOT NULL CHECK (port_range_end BETWEEN 1 AND 65535),
    capacity             integer NOT NULL CHECK (capacity > 0),
    admin_url            text NOT NULL,
    admin_user           text NOT NULL,
    admin_password       text NOT NULL,
    status               text NOT NULL DEFAULT 'UNKNOWN' CHECK (status IN ('UNKNOWN', 'UP', 'DOWN')),
    draining             boolean NOT NULL DEFAULT false,
    consecutive_failures integer NOT NULL DEFAULT 0,
    last_check_at        timestamptz,
    last_ok_at           timestamptz,
    last_error           text,
    frps_version         text,
    client_count         bigint,
    proxy_count          bigint,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (port_range_start <= port_range_end)
);

CREATE INDEX relay_region_idx ON relay (region);

-- One row per Jetson: its relay and remote UDP port. The UNIQUE constraint is what guarantees that
-- no port is ever handed out twice on a relay, whatever the application does.
CREATE TABLE assignment (
    jetson_id       uuid PRIMARY KEY,
    relay_id        text NOT NULL REFERENCES relay (id),
    remote_port     integer NOT NULL CHECK (remote_port BETWEEN 1 AND 65535),
    reason          text NOT NULL,
    assigned_at     timestamptz NOT NULL DEFAULT now(),
    proxy_open      boolean NOT NULL DEFAULT false,
    last_login_at   timestamptz,
    last_proxy_at   timestamptz,
    last_closed_at  timestamptz,
    CONSTRAINT assignment_port_unique UNIQUE (relay_id, remote_port)
);

-- The plaintext credential is never stored: it is derived as HMAC(credential-key, jetson:generation)
-- when the Jetson asks for its assignment; only its SHA-256 is kept, for the frps plugin's look-up.
CREATE TABLE relay_credential (
    jetson_id   uuid PRIMARY KEY,
    generation  integer NOT NULL DEFAULT 1,
    token_hash  text NOT NULL UNIQUE,
    issued_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE latency_report (
    jetson_id    uuid NOT NULL,
    region       text NOT NULL,
    rtt_ms       double precision NOT NULL CHECK (rtt_ms >= 0),
    measured_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (jetson_id, region)
);

-- Cumulative bytes per Jetson per relay, from frps's counters (reset-safe: see UsageRecorder).
CREATE TABLE jetson_usage (
    relay_id      text NOT NULL REFERENCES relay (id) ON DELETE CASCADE,
    jetson_id     uuid NOT NULL,
    last_raw_in   double precision NOT NULL,
    last_raw_out  double precision NOT NULL,
    bytes_in      bigint NOT NULL DEFAULT 0,
    bytes_out     bigint NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (relay_id, jetson_id)
);

CREATE INDEX jetson_usage_jetson_idx ON jetson_usage (jetson_id);

-- What frps told the plugin (Login, NewProxy, CloseProxy; Ping is too frequent to keep).
CREATE TABLE plugin_event (
    id           bigserial PRIMARY KEY,
    relay_id     text NOT NULL,
    jetson_id    uuid,
    op           text NOT NULL,
    proxy_name   text,
    allowed      boolean NOT NULL,
    reason       text,
    run_id       text,
    client_addr  text,
    at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX plugin_event_jetson_idx ON plugin_event (jetson_id, at DESC);
CREATE INDEX plugin_event_at_idx ON plugin_event (at);
