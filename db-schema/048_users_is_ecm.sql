-- Whether a user has the ecm role, kept on the user's row: the single
-- assign's reference read (STMT_REFS) checked it by joining roles and
-- user_roles twice, three of its thirteen tables, 100,000 instructions of
-- the server's per assign (tests/bench/instructions.sh) where a column of
-- the users row it reads anyway costs nothing. The triggers below keep it:
-- a user's ecm row in user_roles added, removed or moved, the ecm role
-- made or renamed (a role with users cannot be deleted: user_roles' key).
-- The user's updated_at stays: the role is not the user's record. As with
-- the case load triggers, a statement that writes user_roles may not read
-- users (MariaDB's error 1442): give roles from a list or a sequence
-- (SELECT seq, ... FROM seq_101_to_300), or with lcm-admin.
ALTER TABLE users ADD COLUMN is_ecm TINYINT(1) NOT NULL DEFAULT 0;

UPDATE users u SET u.is_ecm = EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
  WHERE ur.user_id = u.id AND r.name = 'ecm'), u.updated_at = u.updated_at;

CREATE OR REPLACE TRIGGER tr_user_roles_ecm_insert AFTER INSERT ON user_roles FOR EACH ROW
  UPDATE users u JOIN roles r ON r.id = NEW.role_id AND r.name = 'ecm'
  SET u.is_ecm = 1, u.updated_at = u.updated_at WHERE u.id = NEW.user_id;

CREATE OR REPLACE TRIGGER tr_user_roles_ecm_delete AFTER DELETE ON user_roles FOR EACH ROW
  UPDATE users u JOIN roles r ON r.id = OLD.role_id AND r.name = 'ecm'
  SET u.is_ecm = 0, u.updated_at = u.updated_at WHERE u.id = OLD.user_id;

CREATE OR REPLACE TRIGGER tr_user_roles_ecm_update AFTER UPDATE ON user_roles FOR EACH ROW
BEGIN
  UPDATE users u JOIN roles r ON r.id = OLD.role_id AND r.name = 'ecm'
  SET u.is_ecm = 0, u.updated_at = u.updated_at WHERE u.id = OLD.user_id;
  UPDATE users u JOIN roles r ON r.id = NEW.role_id AND r.name = 'ecm'
  SET u.is_ecm = 1, u.updated_at = u.updated_at WHERE u.id = NEW.user_id;
END;

CREATE OR REPLACE TRIGGER tr_roles_ecm_insert AFTER INSERT ON roles FOR EACH ROW
  UPDATE users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role_id = NEW.id
  SET u.is_ecm = (NEW.name = 'ecm'), u.updated_at = u.updated_at;

CREATE OR REPLACE TRIGGER tr_roles_ecm_update AFTER UPDATE ON roles FOR EACH ROW
  UPDATE users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role_id = NEW.id
  SET u.is_ecm = (NEW.name = 'ecm'), u.updated_at = u.updated_at
  WHERE (OLD.name = 'ecm') <> (NEW.name = 'ecm');
