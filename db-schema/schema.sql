-- db-schema/schema.sql: the schema of a database that lcm-admin migrate has
-- taken through the last migration,
--     049_case_loads_update_trigger_caller_first.sql
-- every table, index and trigger, to read. It is not a migration: lcm-admin
-- applies, and make install installs, only the NNN_name.sql files, which
-- alone make and change a database.
--
-- Regenerate it after adding a migration, or after merging a branch that
-- adds one (a conflict here included), with
--     make schema
-- which runs db-schema/schema.sh: every migration applied to a throwaway
-- MariaDB, then mariadb-dump --no-data, normalised. tests/deploy/run.sh
-- fails with the difference when this file is not what its migrated
-- database has.

CREATE TABLE `acuity_weights` (
  `acuity_level` varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `weight` int(11) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `updated_by` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`acuity_level`),
  CONSTRAINT `ck_acuity_weights_level` CHECK (`acuity_level` in ('low','medium','high')),
  CONSTRAINT `ck_acuity_weights_weight` CHECK (`weight` between 1 and 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `api_tokens` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `user_id` bigint(20) NOT NULL,
  `token_sha256` binary(32) NOT NULL,
  `label` varchar(100) NOT NULL DEFAULT '',
  `created_at` datetime(3) NOT NULL,
  `last_used_at` datetime(3) DEFAULT NULL,
  `expires_at` datetime(3) DEFAULT NULL,
  `revoked_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_api_tokens_sha256` (`token_sha256`),
  KEY `ix_api_tokens_user` (`user_id`),
  CONSTRAINT `fk_api_tokens_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `case_loads` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `patient_id` bigint(20) NOT NULL,
  `provider_id` bigint(20) DEFAULT NULL,
  `olcm_user_id` bigint(20) DEFAULT NULL,
  `olcm_assigned_at` datetime(3) DEFAULT NULL,
  `ilcm_user_id` bigint(20) DEFAULT NULL,
  `ilcm_assigned_at` datetime(3) DEFAULT NULL,
  `version` bigint(20) NOT NULL DEFAULT 1,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `acuity_level` varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_case_loads_patient` (`patient_id`),
  KEY `ix_case_loads_olcm` (`olcm_user_id`,`ilcm_user_id`),
  KEY `ix_case_loads_ilcm` (`ilcm_user_id`),
  KEY `ix_case_loads_provider` (`provider_id`),
  CONSTRAINT `fk_case_loads_ilcm` FOREIGN KEY (`ilcm_user_id`) REFERENCES `users` (`id`),
  CONSTRAINT `fk_case_loads_olcm` FOREIGN KEY (`olcm_user_id`) REFERENCES `users` (`id`),
  CONSTRAINT `fk_case_loads_patient` FOREIGN KEY (`patient_id`) REFERENCES `patients` (`id`),
  CONSTRAINT `fk_case_loads_provider` FOREIGN KEY (`provider_id`) REFERENCES `providers` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELIMITER ;;
CREATE TRIGGER tr_case_loads_acuity BEFORE INSERT ON case_loads FOR EACH ROW
  SET NEW.acuity_level = (SELECT acuity_level FROM ecm_members WHERE patient_id = NEW.patient_id);;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_case_loads_workload_insert AFTER INSERT ON case_loads FOR EACH ROW
BEGIN
  DECLARE md, hi INT;
  SET md = NEW.acuity_level <=> 'medium', hi = NEW.acuity_level <=> 'high';
  IF NEW.olcm_user_id <=> NEW.ilcm_user_id THEN
    IF NEW.olcm_user_id IS NOT NULL THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high,
        ilcm_medium, ilcm_high)
      VALUES (NEW.olcm_user_id, 1, 1, 1, md, hi, md, hi)
      ON DUPLICATE KEY UPDATE olcm_count = olcm_count + 1, ilcm_count = ilcm_count + 1,
        both_count = both_count + 1, olcm_medium = olcm_medium + md, olcm_high = olcm_high + hi,
        ilcm_medium = ilcm_medium + md, ilcm_high = ilcm_high + hi;
    END IF;
  ELSE
    IF NEW.olcm_user_id IS NOT NULL AND (NEW.ilcm_user_id IS NULL OR NEW.olcm_user_id < NEW.ilcm_user_id) THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high)
      VALUES (NEW.olcm_user_id, 1, 0, 0, md, hi) ON DUPLICATE KEY UPDATE olcm_count = olcm_count + 1,
        olcm_medium = olcm_medium + md, olcm_high = olcm_high + hi;
    END IF;
    IF NEW.ilcm_user_id IS NOT NULL THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, ilcm_medium, ilcm_high)
      VALUES (NEW.ilcm_user_id, 0, 1, 0, md, hi) ON DUPLICATE KEY UPDATE ilcm_count = ilcm_count + 1,
        ilcm_medium = ilcm_medium + md, ilcm_high = ilcm_high + hi;
    END IF;
    IF NEW.olcm_user_id IS NOT NULL AND NEW.ilcm_user_id IS NOT NULL AND NEW.olcm_user_id > NEW.ilcm_user_id THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high)
      VALUES (NEW.olcm_user_id, 1, 0, 0, md, hi) ON DUPLICATE KEY UPDATE olcm_count = olcm_count + 1,
        olcm_medium = olcm_medium + md, olcm_high = olcm_high + hi;
    END IF;
  END IF;
  UPDATE patient_index SET has_case_load = 1, provider_id = NEW.provider_id,
    olcm_user_id = NEW.olcm_user_id,
    ilcm_user_id = NEW.ilcm_user_id WHERE patient_id = NEW.patient_id;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_case_loads_workload_update AFTER UPDATE ON case_loads FOR EACH ROW
IF @lcm_bookkeeping IS NULL OR @lcm_bookkeeping <> 'caller' THEN
  books: BEGIN
    DECLARE u, v, done BIGINT DEFAULT 0;
    DECLARE o, i, b INT;
    IF NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id
            AND OLD.acuity_level <=> NEW.acuity_level) THEN
      IF OLD.acuity_level <=> NEW.acuity_level
         AND (OLD.olcm_user_id <=> NEW.olcm_user_id OR OLD.ilcm_user_id <=> NEW.ilcm_user_id) THEN
        -- One role changed: its two holders u and v, lower id first, or the
        -- one there is as u (LEAST and GREATEST are NULL with a NULL). o is
        -- u's change in the role, +1 or -1, and v's is -o; the other role
        -- stayed, so its counts stay and a holder's "both" moves with o when
        -- they hold the other role too. A medium or high patient moves the
        -- role's acuity count in the same upsert.
        IF OLD.olcm_user_id <=> NEW.olcm_user_id THEN
          SET u = LEAST(OLD.ilcm_user_id, NEW.ilcm_user_id), v = GREATEST(OLD.ilcm_user_id, NEW.ilcm_user_id),
              done = IFNULL(OLD.ilcm_user_id, NEW.ilcm_user_id);
          IF u IS NULL THEN
            SET u = done;
          END IF;
          SET o = (NEW.ilcm_user_id <=> u) - (OLD.ilcm_user_id <=> u);
          IF NEW.acuity_level IS NULL OR NEW.acuity_level = 'low' THEN
            IF v IS NULL THEN
              INSERT INTO lcm_workload (user_id, ilcm_count, both_count)
              VALUES (u, o, o * (NEW.olcm_user_id <=> u))
              ON DUPLICATE KEY UPDATE ilcm_count = ilcm_count + VALUES(ilcm_count),
                both_count = both_count + VALUES(both_count);
            ELSE
              INSERT INTO lcm_workload (user_id, ilcm_count, both_count)
              VALUES (u, o, o * (NEW.olcm_user_id <=> u)), (v, -o, -o * (NEW.olcm_user_id <=> v))
              ON DUPLICATE KEY UPDATE ilcm_count = ilcm_count + VALUES(ilcm_count),
                both_count = both_count + VALUES(both_count);
            END IF;
          ELSEIF v IS NULL THEN
            INSERT INTO lcm_workload (user_id, ilcm_count, both_count, ilcm_medium, ilcm_high)
            VALUES (u, o, o * (NEW.olcm_user_id <=> u),
                    o * (NEW.acuity_level = 'medium'), o * (NEW.acuity_level = 'high'))
            ON DUPLICATE KEY UPDATE ilcm_count = ilcm_count + VALUES(ilcm_count),
              both_count = both_count + VALUES(both_count),
              ilcm_medium = ilcm_medium + VALUES(ilcm_medium), ilcm_high = ilcm_high + VALUES(ilcm_high);
          ELSE
            INSERT INTO lcm_workload (user_id, ilcm_count, both_count, ilcm_medium, ilcm_high)
            VALUES (u, o, o * (NEW.olcm_user_id <=> u), o * (NEW.acuity_level = 'medium'), o * (NEW.acuity_level = 'high')),
                   (v, -o, -o * (NEW.olcm_user_id <=> v),
                       -o * (NEW.acuity_level = 'medium'), -o * (NEW.acuity_level = 'high'))
            ON DUPLICATE KEY UPDATE ilcm_count = ilcm_count + VALUES(ilcm_count),
              both_count = both_count + VALUES(both_count),
              ilcm_medium = ilcm_medium + VALUES(ilcm_medium), ilcm_high = ilcm_high + VALUES(ilcm_high);
          END IF;
        ELSE
          SET u = LEAST(OLD.olcm_user_id, NEW.olcm_user_id), v = GREATEST(OLD.olcm_user_id, NEW.olcm_user_id),
              done = IFNULL(OLD.olcm_user_id, NEW.olcm_user_id);
          IF u IS NULL THEN
            SET u = done;
          END IF;
          SET o = (NEW.olcm_user_id <=> u) - (OLD.olcm_user_id <=> u);
          IF NEW.acuity_level IS NULL OR NEW.acuity_level = 'low' THEN
            IF v IS NULL THEN
              INSERT INTO lcm_workload (user_id, olcm_count, both_count)
              VALUES (u, o, o * (NEW.ilcm_user_id <=> u))
              ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
                both_count = both_count + VALUES(both_count);
            ELSE
              INSERT INTO lcm_workload (user_id, olcm_count, both_count)
              VALUES (u, o, o * (NEW.ilcm_user_id <=> u)), (v, -o, -o * (NEW.ilcm_user_id <=> v))
              ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
                both_count = both_count + VALUES(both_count);
            END IF;
          ELSEIF v IS NULL THEN
            INSERT INTO lcm_workload (user_id, olcm_count, both_count, olcm_medium, olcm_high)
            VALUES (u, o, o * (NEW.ilcm_user_id <=> u),
                    o * (NEW.acuity_level = 'medium'), o * (NEW.acuity_level = 'high'))
            ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
              both_count = both_count + VALUES(both_count),
              olcm_medium = olcm_medium + VALUES(olcm_medium), olcm_high = olcm_high + VALUES(olcm_high);
          ELSE
            INSERT INTO lcm_workload (user_id, olcm_count, both_count, olcm_medium, olcm_high)
            VALUES (u, o, o * (NEW.ilcm_user_id <=> u), o * (NEW.acuity_level = 'medium'), o * (NEW.acuity_level = 'high')),
                   (v, -o, -o * (NEW.ilcm_user_id <=> v),
                       -o * (NEW.acuity_level = 'medium'), -o * (NEW.acuity_level = 'high'))
            ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
              both_count = both_count + VALUES(both_count),
              olcm_medium = olcm_medium + VALUES(olcm_medium), olcm_high = olcm_high + VALUES(olcm_high);
          END IF;
        END IF;
      ELSE
        walk: BEGIN
          DECLARE om, oh, im, ih INT;
          DECLARE md, hi, omd, ohi INT;
          SET md = NEW.acuity_level <=> 'medium', hi = NEW.acuity_level <=> 'high',
              omd = OLD.acuity_level <=> 'medium', ohi = OLD.acuity_level <=> 'high';
          SET done = 0;
          touched: LOOP
            SET u = LEAST(IF(OLD.olcm_user_id > done, OLD.olcm_user_id, 9223372036854775807),
                          IF(OLD.ilcm_user_id > done, OLD.ilcm_user_id, 9223372036854775807),
                          IF(NEW.olcm_user_id > done, NEW.olcm_user_id, 9223372036854775807),
                          IF(NEW.ilcm_user_id > done, NEW.ilcm_user_id, 9223372036854775807));
            IF u = 9223372036854775807 THEN
              LEAVE touched;
            END IF;
            SET o = (NEW.olcm_user_id <=> u) - (OLD.olcm_user_id <=> u),
                i = (NEW.ilcm_user_id <=> u) - (OLD.ilcm_user_id <=> u),
                b = (NEW.olcm_user_id <=> u AND NEW.ilcm_user_id <=> u)
                  - (OLD.olcm_user_id <=> u AND OLD.ilcm_user_id <=> u),
                om = (NEW.olcm_user_id <=> u) * md - (OLD.olcm_user_id <=> u) * omd,
                oh = (NEW.olcm_user_id <=> u) * hi - (OLD.olcm_user_id <=> u) * ohi,
                im = (NEW.ilcm_user_id <=> u) * md - (OLD.ilcm_user_id <=> u) * omd,
                ih = (NEW.ilcm_user_id <=> u) * hi - (OLD.ilcm_user_id <=> u) * ohi;
            IF o <> 0 OR i <> 0 OR b <> 0 OR om <> 0 OR oh <> 0 OR im <> 0 OR ih <> 0 THEN
              INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high,
                ilcm_medium, ilcm_high) VALUES (u, o, i, b, om, oh, im, ih)
              ON DUPLICATE KEY UPDATE olcm_count = olcm_count + o, ilcm_count = ilcm_count + i,
                both_count = both_count + b, olcm_medium = olcm_medium + om, olcm_high = olcm_high + oh,
                ilcm_medium = ilcm_medium + im, ilcm_high = ilcm_high + ih;
            END IF;
            SET done = u;
          END LOOP;
        END walk;
      END IF;
    END IF;
    IF NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id
            AND OLD.provider_id <=> NEW.provider_id) THEN
      UPDATE patient_index SET provider_id = NEW.provider_id, olcm_user_id = NEW.olcm_user_id,
        ilcm_user_id = NEW.ilcm_user_id WHERE patient_id = NEW.patient_id;
    END IF;
  END books;
END IF;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_case_loads_workload_delete AFTER DELETE ON case_loads FOR EACH ROW
BEGIN
  DECLARE md, hi INT;
  SET md = OLD.acuity_level <=> 'medium', hi = OLD.acuity_level <=> 'high';
  INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high,
    ilcm_medium, ilcm_high)
  SELECT d.u, SUM(d.o), SUM(d.i), SUM(d.b), SUM(d.o) * md, SUM(d.o) * hi, SUM(d.i) * md,
    SUM(d.i) * hi FROM (
    SELECT OLD.olcm_user_id AS u, -1 AS o, 0 AS i,
           -IF(OLD.olcm_user_id = OLD.ilcm_user_id, 1, 0) AS b
    UNION ALL
    SELECT OLD.ilcm_user_id, 0, -1, 0) d
  WHERE d.u IS NOT NULL
  GROUP BY d.u ORDER BY d.u
  ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
    ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count),
    olcm_medium = olcm_medium + VALUES(olcm_medium), olcm_high = olcm_high + VALUES(olcm_high),
    ilcm_medium = ilcm_medium + VALUES(ilcm_medium), ilcm_high = ilcm_high + VALUES(ilcm_high);
  UPDATE patient_index x JOIN patients p ON p.id = x.patient_id
  SET x.has_case_load = 0, x.provider_id = p.primary_provider_id, x.olcm_user_id = NULL,
    x.ilcm_user_id = NULL
  WHERE x.patient_id = OLD.patient_id;
END;;
DELIMITER ;

CREATE TABLE `ecm_member_activities` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `patient_id` bigint(20) NOT NULL,
  `activity_type` varchar(40) NOT NULL,
  `changes` longtext NOT NULL,
  `actor_user_id` bigint(20) DEFAULT NULL,
  `source` varchar(20) NOT NULL,
  `request_id` varchar(80) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_ecm_member_activities_patient` (`patient_id`,`id`),
  KEY `ix_ecm_member_activities_request` (`request_id`),
  KEY `fk_ecm_member_activities_actor` (`actor_user_id`),
  CONSTRAINT `fk_ecm_member_activities_actor` FOREIGN KEY (`actor_user_id`) REFERENCES `users` (`id`),
  CONSTRAINT `fk_ecm_member_activities_patient` FOREIGN KEY (`patient_id`) REFERENCES `patients` (`id`),
  CONSTRAINT `ck_ecm_member_activities_type` CHECK (`activity_type` in ('member_added','member_updated')),
  CONSTRAINT `ck_ecm_member_activities_changes` CHECK (json_valid(`changes`)),
  CONSTRAINT `ck_ecm_member_activities_source` CHECK (`source` in ('api','lcm-admin'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `ecm_members` (
  `patient_id` bigint(20) NOT NULL,
  `member_id` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `cin` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
  `ecm_service_auth_id` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
  `ecm_benefit_auth_eff_date` date DEFAULT NULL,
  `ecm_benefit_auth_end_date` date DEFAULT NULL,
  `acuity_level` varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
  `member_record_status` varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
  `dob` date DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`patient_id`),
  UNIQUE KEY `ux_ecm_members_member_id` (`member_id`),
  KEY `ix_ecm_members_auth_end` (`ecm_benefit_auth_end_date`,`patient_id`),
  KEY `ix_ecm_members_acuity` (`acuity_level`,`ecm_benefit_auth_end_date`,`patient_id`),
  CONSTRAINT `fk_ecm_members_patient` FOREIGN KEY (`patient_id`) REFERENCES `patients` (`id`),
  CONSTRAINT `ck_ecm_members_member_id` CHECK (`member_id` regexp '^[!-~]{1,64}$'),
  CONSTRAINT `ck_ecm_members_cin` CHECK (`cin` is null or `cin` regexp '^[!-~]{1,64}$'),
  CONSTRAINT `ck_ecm_members_auth_id` CHECK (`ecm_service_auth_id` is null or `ecm_service_auth_id` regexp '^[!-~]{1,64}$'),
  CONSTRAINT `ck_ecm_members_auth_dates` CHECK (`ecm_benefit_auth_end_date` is null or `ecm_benefit_auth_eff_date` is not null and `ecm_benefit_auth_end_date` >= `ecm_benefit_auth_eff_date`),
  CONSTRAINT `ck_ecm_members_acuity` CHECK (`acuity_level` is null or `acuity_level` in ('low','medium','high')),
  CONSTRAINT `ck_ecm_members_record_status` CHECK (`member_record_status` is null or `member_record_status` in ('new_member','existing_member','updated_member','terminated_member'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELIMITER ;;
CREATE TRIGGER tr_ecm_members_acuity_insert AFTER INSERT ON ecm_members FOR EACH ROW
BEGIN
  IF (@lcm_bookkeeping IS NULL OR @lcm_bookkeeping <> 'caller') AND NEW.acuity_level IS NOT NULL THEN
    UPDATE case_loads SET acuity_level = NEW.acuity_level WHERE patient_id = NEW.patient_id;
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_ecm_members_acuity_update AFTER UPDATE ON ecm_members FOR EACH ROW
BEGIN
  IF OLD.patient_id <> NEW.patient_id THEN
    UPDATE case_loads SET acuity_level = NULL WHERE patient_id = OLD.patient_id;
  END IF;
  IF NOT (OLD.acuity_level <=> NEW.acuity_level) OR OLD.patient_id <> NEW.patient_id THEN
    UPDATE case_loads SET acuity_level = NEW.acuity_level WHERE patient_id = NEW.patient_id;
  END IF;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_ecm_members_acuity_delete AFTER DELETE ON ecm_members FOR EACH ROW
  UPDATE case_loads SET acuity_level = NULL WHERE patient_id = OLD.patient_id;;
DELIMITER ;

CREATE TABLE `idempotency_keys` (
  `user_id` bigint(20) NOT NULL,
  `idem_key` varbinary(255) NOT NULL,
  `request_sha256` binary(32) NOT NULL,
  `request_id` varchar(80) NOT NULL,
  `state` enum('running','done') NOT NULL,
  `status` smallint(6) DEFAULT NULL,
  `etag` varchar(40) DEFAULT NULL,
  `body` mediumblob DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `completed_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`user_id`,`idem_key`),
  KEY `ix_idempotency_keys_created` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `lcm_capacity` (
  `user_id` bigint(20) NOT NULL,
  `max_olcm` int(11) DEFAULT NULL,
  `max_ilcm` int(11) DEFAULT NULL,
  `max_olcm_points` int(11) DEFAULT NULL,
  `max_ilcm_points` int(11) DEFAULT NULL,
  `updated_at` datetime(3) NOT NULL,
  `updated_by` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`user_id`),
  CONSTRAINT `fk_lcm_capacity_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`),
  CONSTRAINT `ck_lcm_capacity_olcm` CHECK (`max_olcm` is null or `max_olcm` between 0 and 100000),
  CONSTRAINT `ck_lcm_capacity_ilcm` CHECK (`max_ilcm` is null or `max_ilcm` between 0 and 100000),
  CONSTRAINT `ck_lcm_capacity_olcm_points` CHECK (`max_olcm_points` is null or `max_olcm_points` between 0 and 10000000),
  CONSTRAINT `ck_lcm_capacity_ilcm_points` CHECK (`max_ilcm_points` is null or `max_ilcm_points` between 0 and 10000000)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `lcm_workload` (
  `user_id` bigint(20) NOT NULL,
  `olcm_count` int(11) NOT NULL DEFAULT 0,
  `ilcm_count` int(11) NOT NULL DEFAULT 0,
  `both_count` int(11) NOT NULL DEFAULT 0,
  `olcm_medium` int(11) NOT NULL DEFAULT 0,
  `olcm_high` int(11) NOT NULL DEFAULT 0,
  `ilcm_medium` int(11) NOT NULL DEFAULT 0,
  `ilcm_high` int(11) NOT NULL DEFAULT 0,
  PRIMARY KEY (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `patient_activities` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `patient_id` bigint(20) NOT NULL,
  `case_load_id` bigint(20) NOT NULL,
  `activity_type` varchar(40) NOT NULL,
  `role` enum('olcm','ilcm') NOT NULL,
  `previous_user_id` bigint(20) DEFAULT NULL,
  `new_user_id` bigint(20) DEFAULT NULL,
  `actor_user_id` bigint(20) DEFAULT NULL,
  `reason` varchar(500) DEFAULT NULL,
  `reason_code` varchar(40) DEFAULT NULL,
  `source` enum('assign','update','remove','bulk','transfer','release_ended') DEFAULT NULL,
  `capacity_override` tinyint(1) NOT NULL DEFAULT 0,
  `authorization_override` tinyint(1) NOT NULL DEFAULT 0,
  `request_id` varchar(80) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_patient_activities_patient` (`patient_id`,`created_at`),
  KEY `ix_patient_activities_case_load` (`case_load_id`),
  KEY `ix_patient_activities_request` (`request_id`),
  KEY `fk_patient_activities_previous` (`previous_user_id`),
  KEY `fk_patient_activities_new` (`new_user_id`),
  KEY `fk_patient_activities_actor` (`actor_user_id`),
  KEY `ix_patient_activities_history` (`patient_id`,`role`,`id`),
  CONSTRAINT `fk_patient_activities_actor` FOREIGN KEY (`actor_user_id`) REFERENCES `users` (`id`),
  CONSTRAINT `fk_patient_activities_case_load` FOREIGN KEY (`case_load_id`) REFERENCES `case_loads` (`id`),
  CONSTRAINT `fk_patient_activities_new` FOREIGN KEY (`new_user_id`) REFERENCES `users` (`id`),
  CONSTRAINT `fk_patient_activities_patient` FOREIGN KEY (`patient_id`) REFERENCES `patients` (`id`),
  CONSTRAINT `fk_patient_activities_previous` FOREIGN KEY (`previous_user_id`) REFERENCES `users` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `patient_index` (
  `patient_id` bigint(20) NOT NULL,
  `name` varchar(200) NOT NULL,
  `has_case_load` tinyint(1) NOT NULL DEFAULT 0,
  `provider_id` bigint(20) DEFAULT NULL,
  `olcm_user_id` bigint(20) DEFAULT NULL,
  `ilcm_user_id` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`patient_id`),
  KEY `ix_patient_index_name` (`name`,`patient_id`,`olcm_user_id`,`ilcm_user_id`,`provider_id`),
  KEY `ix_patient_index_olcm` (`olcm_user_id`,`name`,`patient_id`,`ilcm_user_id`,`provider_id`),
  KEY `ix_patient_index_ilcm` (`ilcm_user_id`,`name`,`patient_id`,`olcm_user_id`,`provider_id`),
  KEY `ix_patient_index_provider` (`provider_id`,`name`,`patient_id`,`olcm_user_id`,`ilcm_user_id`),
  KEY `ix_patient_index_holders` (`olcm_user_id`,`ilcm_user_id`,`has_case_load`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `patients` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `name` varchar(200) NOT NULL,
  `primary_provider_id` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_patients_provider` (`primary_provider_id`),
  CONSTRAINT `fk_patients_provider` FOREIGN KEY (`primary_provider_id`) REFERENCES `providers` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELIMITER ;;
CREATE TRIGGER tr_patients_index_insert AFTER INSERT ON patients FOR EACH ROW
  INSERT INTO patient_index (patient_id, name, provider_id)
  VALUES (NEW.id, NEW.name, NEW.primary_provider_id)
  ON DUPLICATE KEY UPDATE name = VALUES(name), provider_id = VALUES(provider_id);;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_patients_index_update AFTER UPDATE ON patients FOR EACH ROW
  UPDATE patient_index
  SET name = NEW.name, provider_id = IF(has_case_load, provider_id, NEW.primary_provider_id)
  WHERE patient_id = NEW.id
    AND NOT (BINARY OLD.name <=> BINARY NEW.name AND OLD.primary_provider_id <=> NEW.primary_provider_id);;
DELIMITER ;

CREATE TABLE `phi_access_log` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `patient_id` bigint(20) NOT NULL,
  `actor_user_id` bigint(20) NOT NULL,
  `action` enum('read_care_team','read_history','read_access_log','assign','update','remove','bulk','transfer','read_patient_list','export_assignments','read_lcm_patients','mif_import','release_ended') NOT NULL,
  `request_id` varchar(80) NOT NULL,
  `at` datetime(3) NOT NULL,
  `writer_id` bigint(20) DEFAULT NULL,
  `writer_seq` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_phi_access_log_writer` (`writer_id`,`writer_seq`),
  KEY `ix_phi_access_log_patient` (`patient_id`,`at`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `providers` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `name` varchar(200) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `roles` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `name` varchar(40) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_roles_name` (`name`),
  CONSTRAINT `ck_roles_name` CHECK (`name`  not like '%,%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELIMITER ;;
CREATE TRIGGER tr_roles_ecm_insert AFTER INSERT ON roles FOR EACH ROW
  UPDATE users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role_id = NEW.id
  SET u.is_ecm = (NEW.name = 'ecm'), u.updated_at = u.updated_at;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_roles_ecm_update AFTER UPDATE ON roles FOR EACH ROW
  UPDATE users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role_id = NEW.id
  SET u.is_ecm = (NEW.name = 'ecm'), u.updated_at = u.updated_at
  WHERE (OLD.name = 'ecm') <> (NEW.name = 'ecm');;
DELIMITER ;

CREATE TABLE `schema_migrations` (
  `version` int(11) NOT NULL,
  `name` varchar(200) NOT NULL,
  `sha256` char(64) NOT NULL,
  `applied_at` datetime(3) NOT NULL DEFAULT current_timestamp(3),
  PRIMARY KEY (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `user_roles` (
  `user_id` bigint(20) NOT NULL,
  `role_id` bigint(20) NOT NULL,
  PRIMARY KEY (`user_id`,`role_id`),
  KEY `ix_user_roles_role` (`role_id`,`user_id`),
  CONSTRAINT `fk_user_roles_role` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`),
  CONSTRAINT `fk_user_roles_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELIMITER ;;
CREATE TRIGGER tr_user_roles_ecm_insert AFTER INSERT ON user_roles FOR EACH ROW
  UPDATE users u JOIN roles r ON r.id = NEW.role_id AND r.name = 'ecm'
  SET u.is_ecm = 1, u.updated_at = u.updated_at WHERE u.id = NEW.user_id;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_user_roles_ecm_update AFTER UPDATE ON user_roles FOR EACH ROW
BEGIN
  UPDATE users u JOIN roles r ON r.id = OLD.role_id AND r.name = 'ecm'
  SET u.is_ecm = 0, u.updated_at = u.updated_at WHERE u.id = OLD.user_id;
  UPDATE users u JOIN roles r ON r.id = NEW.role_id AND r.name = 'ecm'
  SET u.is_ecm = 1, u.updated_at = u.updated_at WHERE u.id = NEW.user_id;
END;;
DELIMITER ;

DELIMITER ;;
CREATE TRIGGER tr_user_roles_ecm_delete AFTER DELETE ON user_roles FOR EACH ROW
  UPDATE users u JOIN roles r ON r.id = OLD.role_id AND r.name = 'ecm'
  SET u.is_ecm = 0, u.updated_at = u.updated_at WHERE u.id = OLD.user_id;;
DELIMITER ;

CREATE TABLE `users` (
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `name` varchar(200) NOT NULL,
  `email` varchar(254) NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) NOT NULL DEFAULT current_timestamp(3),
  `updated_at` datetime(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),
  `is_ecm` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_users_email` (`email`),
  KEY `ix_users_name` (`name`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
