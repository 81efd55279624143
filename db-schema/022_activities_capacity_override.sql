-- An assignment past a user's caseload limit, allowed by override_capacity,
-- says so in the history.
ALTER TABLE patient_activities
  ADD COLUMN capacity_override TINYINT(1) NOT NULL DEFAULT 0 AFTER source;
