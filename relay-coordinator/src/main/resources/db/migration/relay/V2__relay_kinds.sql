-- Relay kinds: 'frp' (frps, per-Jetson UDP ports, the frps plugin) and 'spoq' (relay-server: clients
-- on UDP wg_port, agents on agent_port; it fetches its Jetson set and reports sessions and usage).

ALTER TABLE relay ADD COLUMN kind text NOT NULL DEFAULT 'frp' CHECK (kind IN ('frp', 'spoq'));
ALTER TABLE relay ADD COLUMN wg_port integer CHECK (wg_port BETWEEN 1 AND 65535);
ALTER TABLE relay ADD COLUMN agent_port integer CHECK (agent_port BETWEEN 1 AND 65535);
-- SHA-256 of the relay-server's bearer token (spoq_rls_...); the token is shown once.
ALTER TABLE relay ADD COLUMN token_hash text UNIQUE;
ALTER TABLE relay ADD COLUMN last_report_at timestamptz;
ALTER TABLE relay ADD COLUMN relay_started_at timestamptz;

-- frp-only settings are absent on a spoq relay.
ALTER TABLE relay ALTER COLUMN bind_port DROP NOT NULL;
ALTER TABLE relay ALTER COLUMN port_range_start DROP NOT NULL;
ALTER TABLE relay ALTER COLUMN port_range_end DROP NOT NULL;
ALTER TABLE relay ALTER COLUMN admin_url DROP NOT NULL;
ALTER TABLE relay ALTER COLUMN admin_user DROP NOT NULL;
ALTER TABLE relay ALTER COLUMN admin_password DROP NOT NULL;
ALTER TABLE relay ADD CONSTRAINT relay_kind_fields CHECK (
    (kind = 'frp' AND bind_port IS NOT NULL AND port_range_start IS NOT NULL
        AND port_range_end IS NOT NULL AND admin_url IS NOT NULL AND admin_user IS NOT NULL
        AND admin_password IS NOT NULL)
    OR (kind = 'spoq' AND wg_port IS NOT NULL AND agent_port IS NOT NULL AND token_hash IS NOT NULL));

-- A Jetson on a spoq relay holds no port (every client reaches the relay on wg_port).
ALTER TABLE assignment ALTER COLUMN remote_port DROP NOT NULL;

-- The WireGuard public key of each Jetson with an assignment (from the registry) and whether the
-- registry revoked it; the Jetson set a relay-server fetches is built from this.
CREATE TABLE jetson_key (
    jetson_id   uuid PRIMARY KEY,
    public_key  text NOT NULL,
    revoked     boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Live agent sessions a relay-server reported (replaced by each report).
CREATE TABLE relay_session (
    relay_id        text NOT NULL REFERENCES relay (id) ON DELETE CASCADE,
    jetson_id       uuid NOT NULL,
    agent_address   text NOT NULL,
    up_since        timestamptz NOT NULL,
    clients         integer NOT NULL,
    bytes_to_jetson bigint NOT NULL,
    bytes_from_jetson bigint NOT NULL,
    reported_at     timestamptz NOT NULL,
    PRIMARY KEY (relay_id, jetson_id)
);

CREATE INDEX relay_session_jetson_idx ON relay_session (jetson_id);

-- Counter epoch of a spoq relay's cumulative counters (its startedAt); a new epoch = a restart.
ALTER TABLE jetson_usage ADD COLUMN counter_epoch timestamptz;
