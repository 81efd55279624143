-- 034's bookkeeping, cheaper for the change a single assignment makes.
--
-- When one role changes and the other stays, only that role's old and new
-- holders have counts that move (the other holder's "both" count moves only
-- if they are one of the two): their deltas go into lcm_workload in one
-- statement, lower user id first (so that two changes never wait on each
-- other's rows in opposite orders). 034 walked the four user ids with an
-- upsert each: 43 SP instructions and 3 statements per change, a fifth of
-- the server's time for an assignment. A change of both roles at once
-- keeps 034's walk.
CREATE OR REPLACE TRIGGER tr_case_loads_workload_update AFTER UPDATE ON case_loads FOR EACH ROW
BEGIN
  DECLARE u, v, done BIGINT DEFAULT 0;
  DECLARE o, i, b INT;
  IF (@lcm_bookkeeping IS NULL OR @lcm_bookkeeping <> 'caller')
     AND NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id) THEN
    IF OLD.olcm_user_id <=> NEW.olcm_user_id OR OLD.ilcm_user_id <=> NEW.ilcm_user_id THEN
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
        INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
        VALUES (done, (NEW.olcm_user_id <=> done) - (OLD.olcm_user_id <=> done),
                (NEW.ilcm_user_id <=> done) - (OLD.ilcm_user_id <=> done),
                (NEW.olcm_user_id <=> done AND NEW.ilcm_user_id <=> done)
                  - (OLD.olcm_user_id <=> done AND OLD.ilcm_user_id <=> done))
        ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
          ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count);
      ELSE
        INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
        VALUES (u, (NEW.olcm_user_id <=> u) - (OLD.olcm_user_id <=> u),
                (NEW.ilcm_user_id <=> u) - (OLD.ilcm_user_id <=> u),
                (NEW.olcm_user_id <=> u AND NEW.ilcm_user_id <=> u)
                  - (OLD.olcm_user_id <=> u AND OLD.ilcm_user_id <=> u)),
               (v, (NEW.olcm_user_id <=> v) - (OLD.olcm_user_id <=> v),
                (NEW.ilcm_user_id <=> v) - (OLD.ilcm_user_id <=> v),
                (NEW.olcm_user_id <=> v AND NEW.ilcm_user_id <=> v)
                  - (OLD.olcm_user_id <=> v AND OLD.ilcm_user_id <=> v))
        ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
          ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count);
      END IF;
    ELSE
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
              - (OLD.olcm_user_id <=> u AND OLD.ilcm_user_id <=> u);
        IF o <> 0 OR i <> 0 OR b <> 0 THEN
          INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count) VALUES (u, o, i, b)
          ON DUPLICATE KEY UPDATE olcm_count = olcm_count + o, ilcm_count = ilcm_count + i,
            both_count = both_count + b;
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
