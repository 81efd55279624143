-- Benchmark data in the service's own schema, the same shapes as the PHP-FPM
-- peer's seed.sql: 10,000 patients, 50 providers, 200 coordinators (users
-- 101..300, role 'ecm'), every patient with a case load naming an oLCM and an
-- iLCM; admin user 1 with the API token 'admintoken' (stored as its SHA-256).
-- Every patient is also an ECM member, as in the program (the peer has no
-- such facts): acuity low, medium and high in turn, an authorization active
-- from 2024 to 2099, so that every assignment checks it and weighs them.
-- Replaces whatever the database holds (the harness loads the demo data).
-- Generated in SQL from MariaDB's sequence tables (seq_1_to_N).
SET FOREIGN_KEY_CHECKS = 0;
TRUNCATE TABLE phi_access_log;
TRUNCATE TABLE ecm_member_activities;
TRUNCATE TABLE ecm_members;
TRUNCATE TABLE idempotency_keys;
TRUNCATE TABLE lcm_capacity;
TRUNCATE TABLE lcm_workload;
TRUNCATE TABLE patient_index;
TRUNCATE TABLE patient_activities;
TRUNCATE TABLE case_loads;
TRUNCATE TABLE patients;
TRUNCATE TABLE providers;
TRUNCATE TABLE api_tokens;
TRUNCATE TABLE user_roles;
TRUNCATE TABLE roles;
TRUNCATE TABLE users;
SET FOREIGN_KEY_CHECKS = 1;

INSERT INTO roles (id, name) VALUES (1, 'admin'), (2, 'ecm');

INSERT INTO users (id, name, email, active)
  VALUES (1, 'Admin', 'admin@example.test', 1);
INSERT INTO api_tokens (user_id, token_sha256, label, created_at)
  VALUES (1, UNHEX(SHA2('admintoken', 256)), 'bench', NOW(3));
INSERT INTO users (id, name, email, active)
  SELECT 100 + seq, CONCAT('Coordinator ', seq), CONCAT('c', seq, '@example.test'), 1
  FROM seq_1_to_200;

INSERT INTO user_roles (user_id, role_id) VALUES (1, 1);
INSERT INTO user_roles (user_id, role_id) SELECT seq, 2 FROM seq_101_to_300;

INSERT INTO providers (id, name) SELECT seq, CONCAT('Dr. ', seq) FROM seq_1_to_50;

INSERT INTO patients (id, name, primary_provider_id)
  SELECT seq, CONCAT('Patient ', seq), 1 + (seq % 50) FROM seq_1_to_10000;

INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,
                        ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
  SELECT id, primary_provider_id, 101 + (id % 200), NOW(3),
         101 + ((id * 7) % 200), NOW(3), NOW(3), NOW(3)
  FROM patients;

INSERT INTO ecm_members (patient_id, member_id, cin, ecm_service_auth_id, ecm_benefit_auth_eff_date,
                         ecm_benefit_auth_end_date, acuity_level, member_record_status, created_at,
                         updated_at)
  SELECT id, CONCAT('MEM', LPAD(id, 10, '0')), CONCAT('CIN', id), CONCAT('AUTH', id), '2024-01-01',
         '2099-12-31', ELT(1 + id % 3, 'low', 'medium', 'high'), 'existing_member', NOW(3), NOW(3)
  FROM patients;
