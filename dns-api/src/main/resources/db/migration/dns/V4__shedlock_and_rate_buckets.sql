-- ShedLock: each scheduled job (retries, drift repair, bucket pruning) runs once across replicas.
CREATE TABLE shedlock (
    name       varchar(64)  PRIMARY KEY,
    lock_until timestamptz  NOT NULL,
    locked_at  timestamptz  NOT NULL,
    locked_by  varchar(255) NOT NULL
);

-- Token buckets of the per-device and per-address rate limits, shared by every replica. One
-- statement refills, decides and takes a token (see SharedRateLimiter).
CREATE TABLE rate_bucket (
    bucket       text             PRIMARY KEY,
    tokens       double precision NOT NULL,
    updated_at   timestamptz      NOT NULL,
    last_allowed boolean          NOT NULL
);

CREATE INDEX rate_bucket_updated ON rate_bucket (updated_at);
