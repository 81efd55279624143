-- A new patient has no case load yet: its provider is its primary one.
CREATE TRIGGER tr_patients_index_insert AFTER INSERT ON patients FOR EACH ROW
  INSERT INTO patient_index (patient_id, name, provider_id)
  VALUES (NEW.id, NEW.name, NEW.primary_provider_id)
  ON DUPLICATE KEY UPDATE name = VALUES(name), provider_id = VALUES(provider_id);
