-- Role names (admin, ecm, ...); a name never holds a comma (the list joins them).
CREATE TABLE roles (
  id   BIGINT      NOT NULL AUTO_INCREMENT,
  name VARCHAR(40) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_roles_name (name),
  CONSTRAINT ck_roles_name CHECK (name NOT LIKE '%,%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
