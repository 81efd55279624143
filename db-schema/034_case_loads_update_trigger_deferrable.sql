-- 032's bookkeeping, unless the statement's caller does it for every row at
-- once: the set-based writes of many case loads (bulk_assign, transfer,
-- auto-assign) set @lcm_bookkeeping = 'caller' around their one UPDATE and
-- then write the workloads and the patient index in one statement each, in
-- the same transaction (a row at a time, this trigger cost a thousand-row
-- UPDATE ten times the UPDATE itself). Every other writer, the service's
-- single writes and an operator's SQL alike, leaves the variable unset.
CREATE OR REPLACE TRIGGER tr_case_loads_workload_update AFTER UPDATE ON case_loads FOR EACH ROW
BEGIN
  DECLARE u, done BIGINT DEFAULT 0;
  DECLARE o, i, b INT;
  IF @lcm_bookkeeping IS NULL OR @lcm_bookkeeping <> 'caller' THEN
    IF NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id) THEN
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
    IF NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id
            AND OLD.provider_id <=> NEW.provider_id) THEN
      UPDATE patient_index SET provider_id = NEW.provider_id, olcm_user_id = NEW.olcm_user_id,
        ilcm_user_id = NEW.ilcm_user_id WHERE patient_id = NEW.patient_id;
    END IF;
  END IF;
END;
