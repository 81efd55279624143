-- Each user's current workload: patients held as oLCM, as iLCM, and in both
-- roles at once (counted once in assigned_patients_count). Kept by the
-- triggers of 019 and 020 in the transaction of every case load change, so
-- the list and the caseload limits read one row per user whatever the
-- number of case loads.
CREATE TABLE lcm_workload (
  user_id    BIGINT NOT NULL,
  olcm_count INT    NOT NULL DEFAULT 0,
  ilcm_count INT    NOT NULL DEFAULT 0,
  both_count INT    NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id),
  KEY ix_lcm_workload_total (olcm_count, ilcm_count)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
