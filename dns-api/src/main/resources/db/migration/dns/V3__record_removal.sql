-- A revoked Jetson's records are removed from the provider (state REMOVING until done, retried by
-- the reconciler like a pending write), then deleted here.
ALTER TABLE dns_record DROP CONSTRAINT dns_record_state_check;
ALTER TABLE dns_record
    ADD CONSTRAINT dns_record_state_check CHECK (state IN ('PENDING', 'APPLIED', 'REMOVING'));

DROP INDEX dns_record_due;
CREATE INDEX dns_record_due ON dns_record (next_attempt_at) WHERE state <> 'APPLIED';
CREATE INDEX dns_record_jetson ON dns_record (jetson_id);
