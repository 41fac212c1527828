-- Desired and applied state of every Jetson's dynamic DNS record. The desired value is stored
-- first; the provider is written afterwards, outside any transaction, and the reconciler retries
-- until applied_ip = desired_ip.
CREATE TABLE dns_record (
    subdomain        text        NOT NULL,
    record_type      text        NOT NULL CHECK (record_type IN ('A', 'AAAA')),
    fqdn             text        NOT NULL,
    jetson_id        uuid        NOT NULL,
    account_id       uuid        NOT NULL,
    desired_ip       text        NOT NULL,
    applied_ip       text,
    version          bigint      NOT NULL DEFAULT 1,
    state            text        NOT NULL CHECK (state IN ('PENDING', 'APPLIED')),
    last_update      timestamptz NOT NULL,
    last_applied_at  timestamptz,
    last_verified_at timestamptz,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subdomain, record_type)
);

CREATE INDEX dns_record_due ON dns_record (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX dns_record_verified ON dns_record (last_verified_at NULLS FIRST) WHERE state = 'APPLIED';

-- Every value a name has pointed to, newest last.
CREATE TABLE dns_record_history (
    id          bigserial   PRIMARY KEY,
    subdomain   text        NOT NULL,
    record_type text        NOT NULL,
    ip          text        NOT NULL,
    changed_at  timestamptz NOT NULL,
    source_ip   text
);

CREATE INDEX dns_record_history_name ON dns_record_history (subdomain, id DESC);
