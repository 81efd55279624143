-- A version per case load, incremented by every change of it: the ETag of
-- the care team (If-Match, If-None-Match). A patient without one is version 0.
ALTER TABLE case_loads ADD COLUMN version BIGINT NOT NULL DEFAULT 1 AFTER ilcm_assigned_at;
