-- Failed authentication and refusal audit shared by every replica (issue 11): N replicas allow the
-- same failures as one, and write one aggregated audit row per key and window.

-- Failed authentications per source address in the window that began with its first failure. One
-- upsert per failure counts it (or opens a new window) and answers the count.
CREATE TABLE failed_auth_window (
  source_ip  text        PRIMARY KEY,
  window_end timestamptz NOT NULL,
  failures   integer     NOT NULL
);
CREATE INDEX failed_auth_window_end ON failed_auth_window (window_end);

-- The open aggregation window of each refusal key (source, actor, action, outcome, target) and the
-- audit_event row that carries its count. Replicas add their counts to that one row.
CREATE TABLE refusal_window (
  aggregation_key text        PRIMARY KEY,
  window_end      timestamptz NOT NULL,
  audit_event_id  bigint      REFERENCES audit_event (id) ON DELETE SET NULL
);
CREATE INDEX refusal_window_end ON refusal_window (window_end);
