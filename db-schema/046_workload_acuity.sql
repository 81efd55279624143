-- 045's per-acuity counts, kept where the counts are. A case load carries
-- its patient's acuity (case_loads.acuity_level: set as it is made, and
-- whenever the member's acuity comes, goes or changes); the case load
-- triggers (033, 038, 029) move the medium and high counts with the role's
-- count, reading the acuity from the row they are given, and count a
-- change of acuity as its holders' patients changing weight. A set-based
-- write (@lcm_bookkeeping = 'caller') does the same in its one statement
-- (STMT_MOVE_WORKLOAD). A member's acuity reaches the case load under the
-- case load's lock, so a change of holders and a change of acuity at once
-- are counted once each.

CREATE OR REPLACE TRIGGER tr_case_loads_acuity BEFORE INSERT ON case_loads FOR EACH ROW
  SET NEW.acuity_level = (SELECT acuity_level FROM ecm_members WHERE patient_id = NEW.patient_id);

CREATE OR REPLACE TRIGGER tr_case_loads_workload_insert AFTER INSERT ON case_loads FOR EACH ROW
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
END;

CREATE OR REPLACE TRIGGER tr_case_loads_workload_update AFTER UPDATE ON case_loads FOR EACH ROW
BEGIN
  DECLARE u, v, done BIGINT DEFAULT 0;
  DECLARE o, i, b, om, oh, im, ih INT;
  DECLARE md, hi, omd, ohi INT;
  IF (@lcm_bookkeeping IS NULL OR @lcm_bookkeeping <> 'caller')
     AND NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id
              AND OLD.acuity_level <=> NEW.acuity_level) THEN
    SET md = NEW.acuity_level <=> 'medium', hi = NEW.acuity_level <=> 'high',
        omd = OLD.acuity_level <=> 'medium', ohi = OLD.acuity_level <=> 'high';
    IF OLD.acuity_level <=> NEW.acuity_level
       AND (OLD.olcm_user_id <=> NEW.olcm_user_id OR OLD.ilcm_user_id <=> NEW.ilcm_user_id) THEN
      -- The changed role's two holders, lower id first; one may be none.
      IF OLD.olcm_user_id <=> NEW.olcm_user_id THEN
        SET u = LEAST(OLD.ilcm_user_id, NEW.ilcm_user_id), v = GREATEST(OLD.ilcm_user_id, NEW.ilcm_user_id),
            done = IFNULL(OLD.ilcm_user_id, NEW.ilcm_user_id);
      ELSE
        SET u = LEAST(OLD.olcm_user_id, NEW.olcm_user_id), v = GREATEST(OLD.olcm_user_id, NEW.olcm_user_id),
            done = IFNULL(OLD.olcm_user_id, NEW.olcm_user_id);
      END IF;
      IF u IS NULL THEN
        -- LEAST and GREATEST are NULL with a NULL: the one holder there is.
        SET u = done;
      END IF;
      SET o = (NEW.olcm_user_id <=> u) - (OLD.olcm_user_id <=> u),
          i = (NEW.ilcm_user_id <=> u) - (OLD.ilcm_user_id <=> u),
          b = (NEW.olcm_user_id <=> u AND NEW.ilcm_user_id <=> u)
            - (OLD.olcm_user_id <=> u AND OLD.ilcm_user_id <=> u);
      -- Only the changed role's acuity counts move, and only for a medium or
      -- high patient: the others write the counts alone, as 038 did.
      IF v IS NULL THEN
        IF md = 0 AND hi = 0 THEN
          INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count) VALUES (u, o, i, b)
          ON DUPLICATE KEY UPDATE olcm_count = olcm_count + o, ilcm_count = ilcm_count + i,
            both_count = both_count + b;
        ELSEIF o <> 0 THEN
          INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high)
          VALUES (u, o, i, b, o * md, o * hi)
          ON DUPLICATE KEY UPDATE olcm_count = olcm_count + o, ilcm_count = ilcm_count + i,
            both_count = both_count + b, olcm_medium = olcm_medium + o * md, olcm_high = olcm_high + o * hi;
        ELSE
          INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, ilcm_medium, ilcm_high)
          VALUES (u, o, i, b, i * md, i * hi)
          ON DUPLICATE KEY UPDATE olcm_count = olcm_count + o, ilcm_count = ilcm_count + i,
            both_count = both_count + b, ilcm_medium = ilcm_medium + i * md, ilcm_high = ilcm_high + i * hi;
        END IF;
      ELSEIF md = 0 AND hi = 0 THEN
        INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
        VALUES (u, o, i, b),
               (v, (NEW.olcm_user_id <=> v) - (OLD.olcm_user_id <=> v),
                (NEW.ilcm_user_id <=> v) - (OLD.ilcm_user_id <=> v),
                (NEW.olcm_user_id <=> v AND NEW.ilcm_user_id <=> v)
                  - (OLD.olcm_user_id <=> v AND OLD.ilcm_user_id <=> v))
        ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
          ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count);
      ELSEIF OLD.ilcm_user_id <=> NEW.ilcm_user_id THEN
        INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high)
        VALUES (u, o, i, b, o * md, o * hi),
               (v, (NEW.olcm_user_id <=> v) - (OLD.olcm_user_id <=> v),
                (NEW.ilcm_user_id <=> v) - (OLD.ilcm_user_id <=> v),
                (NEW.olcm_user_id <=> v AND NEW.ilcm_user_id <=> v)
                  - (OLD.olcm_user_id <=> v AND OLD.ilcm_user_id <=> v),
                ((NEW.olcm_user_id <=> v) - (OLD.olcm_user_id <=> v)) * md,
                ((NEW.olcm_user_id <=> v) - (OLD.olcm_user_id <=> v)) * hi)
        ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
          ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count),
          olcm_medium = olcm_medium + VALUES(olcm_medium), olcm_high = olcm_high + VALUES(olcm_high);
      ELSE
        INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, ilcm_medium, ilcm_high)
        VALUES (u, o, i, b, i * md, i * hi),
               (v, (NEW.olcm_user_id <=> v) - (OLD.olcm_user_id <=> v),
                (NEW.ilcm_user_id <=> v) - (OLD.ilcm_user_id <=> v),
                (NEW.olcm_user_id <=> v AND NEW.ilcm_user_id <=> v)
                  - (OLD.olcm_user_id <=> v AND OLD.ilcm_user_id <=> v),
                ((NEW.ilcm_user_id <=> v) - (OLD.ilcm_user_id <=> v)) * md,
                ((NEW.ilcm_user_id <=> v) - (OLD.ilcm_user_id <=> v)) * hi)
        ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
          ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count),
          ilcm_medium = ilcm_medium + VALUES(ilcm_medium), ilcm_high = ilcm_high + VALUES(ilcm_high);
      END IF;
    ELSE
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
    END IF;
  END IF;
  IF (@lcm_bookkeeping IS NULL OR @lcm_bookkeeping <> 'caller')
     AND NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id
              AND OLD.provider_id <=> NEW.provider_id) THEN
    UPDATE patient_index SET provider_id = NEW.provider_id, olcm_user_id = NEW.olcm_user_id,
      ilcm_user_id = NEW.ilcm_user_id WHERE patient_id = NEW.patient_id;
  END IF;
END;

CREATE OR REPLACE TRIGGER tr_case_loads_workload_delete AFTER DELETE ON case_loads FOR EACH ROW
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
END;

-- A member's acuity, as it comes, goes or changes, reaches their case load
-- (whose update trigger above moves the holders' counts). The MIF import's
-- new members are patients it has just made, without a case load: it sets
-- @lcm_bookkeeping = 'caller' around their INSERT.
CREATE OR REPLACE TRIGGER tr_ecm_members_acuity_insert AFTER INSERT ON ecm_members FOR EACH ROW
BEGIN
  IF (@lcm_bookkeeping IS NULL OR @lcm_bookkeeping <> 'caller') AND NEW.acuity_level IS NOT NULL THEN
    UPDATE case_loads SET acuity_level = NEW.acuity_level WHERE patient_id = NEW.patient_id;
  END IF;
END;

CREATE OR REPLACE TRIGGER tr_ecm_members_acuity_update AFTER UPDATE ON ecm_members FOR EACH ROW
BEGIN
  IF OLD.patient_id <> NEW.patient_id THEN
    UPDATE case_loads SET acuity_level = NULL WHERE patient_id = OLD.patient_id;
  END IF;
  IF NOT (OLD.acuity_level <=> NEW.acuity_level) OR OLD.patient_id <> NEW.patient_id THEN
    UPDATE case_loads SET acuity_level = NEW.acuity_level WHERE patient_id = NEW.patient_id;
  END IF;
END;

CREATE OR REPLACE TRIGGER tr_ecm_members_acuity_delete AFTER DELETE ON ecm_members FOR EACH ROW
  UPDATE case_loads SET acuity_level = NULL WHERE patient_id = OLD.patient_id;

-- The acuity of the members there are, onto their case loads: the update
-- trigger counts it for their holders as it goes (045's counts start at 0).
UPDATE case_loads c JOIN ecm_members m ON m.patient_id = c.patient_id
SET c.acuity_level = m.acuity_level WHERE m.acuity_level IS NOT NULL;
