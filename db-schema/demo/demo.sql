-- Demo data of DECISIONS.md: loaded by the local run and the tests, never by
-- a deployment. Tokens are stored as their SHA-256 only.
-- admin and ecm may be there already (migration 011), with these ids.
INSERT IGNORE INTO roles (id, name) VALUES (1, 'admin'), (2, 'ecm'), (3, 'coordinator'), (4, 'frontdesk');

INSERT INTO users (id, name, email, active) VALUES
  (1,   'Ada Admin',        'ada.admin@example.test',        1),
  (2,   'Nora Nurse',       'nora.nurse@example.test',       1),
  (101, 'Jane Coordinator', 'jane.coordinator@example.test', 1),
  (102, 'Bob Manager',      'bob.manager@example.test',      1),
  (103, 'Carla Intensive',  'carla.intensive@example.test',  1),
  (104, 'Ian Inactive',     'ian.inactive@example.test',     0),
  (105, 'Frank Frontdesk',  'frank.frontdesk@example.test',  1);

INSERT INTO api_tokens (id, user_id, token_sha256, label, created_at) VALUES
  (1, 1, UNHEX(SHA2('dev-admin-token', 256)), 'demo', NOW(3)),
  (2, 2, UNHEX(SHA2('dev-user-token', 256)), 'demo', NOW(3));

INSERT INTO user_roles (user_id, role_id) VALUES
  (1, 1),
  (2, 2),
  (101, 2), (101, 3),
  (102, 2), (102, 3),
  (103, 2),
  (104, 2),
  (105, 4);

INSERT INTO providers (id, name) VALUES (456, 'Dr. Smith');

INSERT INTO patients (id, name, primary_provider_id) VALUES
  (123, 'John Doe',       456),
  (124, 'Mary Major',     456),
  (125, 'Sam Minor',      456),
  (126, 'Pat Noprovider', NULL);

-- The caseload weights start at 1 each (migration 045); a reset empties the table.
INSERT IGNORE INTO acuity_weights (acuity_level, weight, updated_at)
VALUES ('low', 1, NOW(3)), ('medium', 1, NOW(3)), ('high', 1, NOW(3));
