-- Failed-authentication limits and refusal audit shared by every coordinator replica (issue 11).

-- Failed authentications (and refused frps Logins) per source in the window that began with its
-- first failure. One upsert per failure counts it, or opens a new window, and answers the count.
CREATE TABLE auth_failure_window (
    source     text        PRIMARY KEY,
    window_end timestamptz NOT NULL,
    failures   integer     NOT NULL
);
CREATE INDEX auth_failure_window_end ON auth_failure_window (window_end);

-- Refusal counts per key and fixed window (aligned to the epoch, so every replica names the same
-- window). Replicas add their counts; the window is reported to the registry's audit log once, as
-- one event with the sum, by whichever replica claims it first after it ended.
CREATE TABLE denial_window (
    id             bigserial   PRIMARY KEY,
    window_start   timestamptz NOT NULL,
    action         text        NOT NULL,
    actor          text        NOT NULL,
    source         text        NOT NULL,
    target         text        NOT NULL,
    reason         text        NOT NULL,
    denials        bigint      NOT NULL,
    reported       bigint      NOT NULL DEFAULT 0,
    UNIQUE (window_start, action, actor, source, target, reason)
);
CREATE INDEX denial_window_unreported ON denial_window (window_start) WHERE denials > reported;
