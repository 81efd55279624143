-- The two roles the service itself reads: "admin" may call the API, "ecm" may
-- be a Lead Care Manager. Other role names are the clinic's (lcm-admin role add).
INSERT IGNORE INTO roles (name) VALUES ('admin'), ('ecm');
