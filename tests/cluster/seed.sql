-- The cluster test's data: an admin, twelve Lead Care Managers, 400
-- patients. Roles by name: on a cluster, AUTO_INCREMENT steps by the number
-- of nodes, so the base roles' ids are not 1 and 2.
INSERT IGNORE INTO roles (name) VALUES ('admin'), ('ecm');
INSERT INTO users (id, name, email, active) VALUES (1, 'Cluster Admin', 'admin@cluster.test', 1);
INSERT INTO user_roles (user_id, role_id) SELECT 1, id FROM roles WHERE name = 'admin';
INSERT INTO api_tokens (user_id, token_sha256, label, created_at)
  VALUES (1, UNHEX(SHA2('cluster-admin-token', 256)), 'cluster test', NOW(3));
INSERT INTO users (id, name, email, active)
  SELECT 100 + seq, CONCAT('Manager ', seq), CONCAT('m', seq, '@cluster.test'), 1 FROM seq_1_to_12;
INSERT INTO user_roles (user_id, role_id) SELECT 100 + s.seq, r.id FROM seq_1_to_12 s JOIN roles r ON r.name = 'ecm';
INSERT INTO providers (id, name) VALUES (1, 'Dr. Cluster');
INSERT INTO patients (id, name, primary_provider_id)
  SELECT seq, CONCAT('Patient ', seq), 1 FROM seq_1_to_400;
