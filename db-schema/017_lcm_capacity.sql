-- Caseload limits: the most patients a user may hold per role (NULL: no
-- limit). A user without a row has none. An assignment that would pass a
-- limit locks the user's lcm_workload row and is checked under that lock.
CREATE TABLE lcm_capacity (
  user_id    BIGINT      NOT NULL,
  max_olcm   INT         NULL,
  max_ilcm   INT         NULL,
  updated_at DATETIME(3) NOT NULL,
  updated_by BIGINT      NULL,
  PRIMARY KEY (user_id),
  CONSTRAINT fk_lcm_capacity_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT ck_lcm_capacity_olcm CHECK (max_olcm IS NULL OR max_olcm BETWEEN 0 AND 100000),
  CONSTRAINT ck_lcm_capacity_ilcm CHECK (max_ilcm IS NULL OR max_ilcm BETWEEN 0 AND 100000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
