-- Caseload weights. A clinic gives each acuity a weight (acuity_weights:
-- low, medium and high, 1 to 100 points, 1 each until changed, so that a
-- weighted load starts equal to a count of patients); a patient without an
-- acuity weighs as a low one. A person's limit may then be in points too
-- (lcm_capacity's max_*_points, NULL: none), beside the limits in patients.
-- lcm_workload counts, per role, the medium and the high patients among
-- the ones it counts already (the low and those without an acuity are the
-- rest): a weighted load is read from one row whatever the weights are, and
-- changing a weight rewrites nothing. An assignment past an inactive ECM
-- authorization, allowed by override_authorization, says so in the history.
CREATE TABLE acuity_weights (
  acuity_level VARCHAR(10) COLLATE utf8mb4_bin NOT NULL,
  weight       INT         NOT NULL,
  updated_at   DATETIME(3) NOT NULL,
  updated_by   BIGINT      NULL,
  PRIMARY KEY (acuity_level),
  CONSTRAINT ck_acuity_weights_level CHECK (acuity_level IN ('low', 'medium', 'high')),
  CONSTRAINT ck_acuity_weights_weight CHECK (weight BETWEEN 1 AND 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO acuity_weights (acuity_level, weight, updated_at)
VALUES ('low', 1, NOW(3)), ('medium', 1, NOW(3)), ('high', 1, NOW(3));

ALTER TABLE lcm_capacity
  ADD COLUMN max_olcm_points INT NULL AFTER max_ilcm,
  ADD COLUMN max_ilcm_points INT NULL AFTER max_olcm_points,
  ADD CONSTRAINT ck_lcm_capacity_olcm_points CHECK (max_olcm_points IS NULL
    OR max_olcm_points BETWEEN 0 AND 10000000),
  ADD CONSTRAINT ck_lcm_capacity_ilcm_points CHECK (max_ilcm_points IS NULL
    OR max_ilcm_points BETWEEN 0 AND 10000000);

ALTER TABLE lcm_workload
  ADD COLUMN olcm_medium INT NOT NULL DEFAULT 0,
  ADD COLUMN olcm_high   INT NOT NULL DEFAULT 0,
  ADD COLUMN ilcm_medium INT NOT NULL DEFAULT 0,
  ADD COLUMN ilcm_high   INT NOT NULL DEFAULT 0;

-- A case load carries its patient's acuity (046's triggers keep it), so that
-- the triggers that count a change of holders read it from the row they are
-- given: no read of ecm_members in an assignment's UPDATE.
ALTER TABLE case_loads
  ADD COLUMN acuity_level VARCHAR(10) COLLATE utf8mb4_bin NULL;

ALTER TABLE patient_activities
  ADD COLUMN authorization_override TINYINT(1) NOT NULL DEFAULT 0 AFTER capacity_override;
