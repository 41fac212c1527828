-- ShedLock (JDBC provider): each scheduled job runs on one replica per period.
CREATE TABLE shedlock (
    name        varchar(64) PRIMARY KEY,
    lock_until  timestamptz NOT NULL,
    locked_at   timestamptz NOT NULL,
    locked_by   varchar(255) NOT NULL
);
