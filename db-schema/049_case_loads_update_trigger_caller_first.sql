-- 047's update trigger, its variables declared only where it keeps the
-- books. A set-based write (bulk_assign, transfer, auto-assign, the release
-- of ended authorizations) sets @lcm_bookkeeping = 'caller' around its one
-- UPDATE of many case loads and keeps the books itself (db-schema/034); for
-- each of its rows this trigger still ran, declared its five variables and
-- tested the variable twice: 8 of a 1000-row UPDATE's 21 ms, its own work
-- 13. Tested once, before anything is declared, the caller's rows cost 4 ms
-- (17 ms in all); a change that keeps the books runs the same statements as
-- 047's, at its price (tests/bench/instructions.sh: update, change).
CREATE OR REPLACE TRIGGER tr_case_loads_workload_update AFTER UPDATE ON case_loads FOR EACH ROW
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
END IF;
