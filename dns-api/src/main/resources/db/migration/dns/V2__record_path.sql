-- Which path the published address belongs to (contract C5): the Jetson's home address
-- ("direct") or its relay's public address ("relay"). applied_path is the path of applied_ip.
ALTER TABLE dns_record
    ADD COLUMN path text NOT NULL DEFAULT 'direct' CHECK (path IN ('direct', 'relay')),
    ADD COLUMN applied_path text CHECK (applied_path IN ('direct', 'relay'));

UPDATE dns_record SET applied_path = 'direct' WHERE applied_ip IS NOT NULL;

ALTER TABLE dns_record_history
    ADD COLUMN path text NOT NULL DEFAULT 'direct' CHECK (path IN ('direct', 'relay'));
