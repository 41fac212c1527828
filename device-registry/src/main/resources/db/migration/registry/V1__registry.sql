-- The device registry's system of record. Every secret is stored as a SHA-256 hex hash only.

CREATE TABLE account (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username    text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9-]{0,31}$'),
  subdomain   text NOT NULL UNIQUE CHECK (subdomain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  product     text NOT NULL CHECK (product IN ('CLOUD', 'JETSON')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_key (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key_hash    char(64) NOT NULL UNIQUE,
  scope       text NOT NULL CHECK (scope IN ('ADMIN', 'ACCOUNT')),
  account_id  uuid REFERENCES account (id),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK ((scope = 'ADMIN') = (account_id IS NULL))
);

CREATE TABLE jetson (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id    uuid NOT NULL REFERENCES account (id),
  hostname      text NOT NULL,
  public_key    text NOT NULL,
  peer_version  bigint NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);
-- One active Jetson per account: its subdomain names exactly one box.
CREATE UNIQUE INDEX jetson_one_active_per_account ON jetson (account_id) WHERE revoked_at IS NULL;

CREATE TABLE enrollment_code (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code_hash   char(64) NOT NULL UNIQUE,
  account_id  uuid NOT NULL REFERENCES account (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  jetson_id   uuid REFERENCES jetson (id)
);

CREATE TABLE device_token (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash  char(64) NOT NULL UNIQUE,
  jetson_id   uuid NOT NULL REFERENCES jetson (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX device_token_jetson ON device_token (jetson_id);

CREATE TABLE profile (
  jetson_id   uuid NOT NULL REFERENCES jetson (id),
  number      int NOT NULL CHECK (number BETWEEN 1 AND 24),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (jetson_id, number)
);

CREATE TABLE device (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  jetson_id       uuid NOT NULL REFERENCES jetson (id),
  profile         int NOT NULL,
  name            text NOT NULL,
  public_key      text NOT NULL,
  -- The address 10.100.0.<host_octet>; NULL once revoked (the address is free again).
  host_octet      int CHECK (host_octet BETWEEN 10 AND 249 AND host_octet / 10 = profile),
  last_host_octet int NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  key_updated_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  FOREIGN KEY (jetson_id, profile) REFERENCES profile (jetson_id, number),
  CHECK ((revoked_at IS NULL) = (host_octet IS NOT NULL)),
  -- The database, not the application, guarantees that no two devices share an address.
  CONSTRAINT device_address_unique UNIQUE (jetson_id, host_octet)
);
CREATE UNIQUE INDEX device_active_key_unique ON device (jetson_id, public_key) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX device_active_name_unique ON device (jetson_id, name) WHERE revoked_at IS NULL;

-- Public keys replaced by a rotation (devices and Jetsons).
CREATE TABLE key_history (
  id          bigserial PRIMARY KEY,
  jetson_id   uuid NOT NULL REFERENCES jetson (id),
  device_id   uuid REFERENCES device (id),
  public_key  text NOT NULL,
  valid_from  timestamptz NOT NULL,
  replaced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX key_history_device ON key_history (device_id);
CREATE INDEX key_history_jetson ON key_history (jetson_id);

CREATE TABLE ssh_key (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id   uuid NOT NULL REFERENCES account (id),
  key_type     text NOT NULL,
  public_key   text NOT NULL,
  fingerprint  text NOT NULL,
  comment      text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE UNIQUE INDEX ssh_key_active_unique ON ssh_key (account_id, fingerprint) WHERE revoked_at IS NULL;

CREATE TABLE container_route (
  account_id  uuid PRIMARY KEY REFERENCES account (id),
  host        text NOT NULL,
  port        int NOT NULL CHECK (port BETWEEN 1 AND 65535),
  host_key    text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE status_report (
  jetson_id    uuid PRIMARY KEY REFERENCES jetson (id),
  report       jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_event (
  id           bigserial PRIMARY KEY,
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  action       text NOT NULL,
  target       text,
  source_ip    text,
  outcome      text NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE', 'DENIED')),
  account_id   uuid REFERENCES account (id),
  service      text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_event_account ON audit_event (account_id, id);
