-- A patient's new name follows (compared as bytes: a change of case is a
-- change), and so does a new primary provider while it has no case load.
CREATE TRIGGER tr_patients_index_update AFTER UPDATE ON patients FOR EACH ROW
  UPDATE patient_index
  SET name = NEW.name, provider_id = IF(has_case_load, provider_id, NEW.primary_provider_id)
  WHERE patient_id = NEW.id
    AND NOT (BINARY OLD.name <=> BINARY NEW.name AND OLD.primary_provider_id <=> NEW.primary_provider_id);
