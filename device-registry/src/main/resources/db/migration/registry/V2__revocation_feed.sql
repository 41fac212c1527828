-- Revocation feed: one row per revoked credential or object, written in the same transaction as the
-- revocation itself. Other services long-poll GET /internal/v1/revocations?after=<id>; replicas are
-- woken by NOTIFY spoq_revocation (delivered on commit). Rows are pruned after a retention period.
CREATE TABLE revocation_event (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('DEVICE_TOKEN', 'API_KEY', 'JETSON', 'DEVICE', 'SSH_KEY')),
  token_hash  char(64),
  jetson_id   uuid,
  account_id  uuid,
  username    text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revocation_event_at ON revocation_event (at);

-- ShedLock (JDBC provider): a scheduled job runs on one replica per period.
CREATE TABLE shedlock (
  name        varchar(64) PRIMARY KEY,
  lock_until  timestamptz NOT NULL,
  locked_at   timestamptz NOT NULL,
  locked_by   varchar(255) NOT NULL
);
