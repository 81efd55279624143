-- What the assignment history shows of each change: the reason's code (the
-- note stays in reason) and the kind of request that made it. The history
-- reads a patient's activities per role in order.
ALTER TABLE patient_activities
  ADD COLUMN reason_code VARCHAR(40) NULL AFTER reason,
  ADD COLUMN source ENUM('assign', 'update', 'remove', 'bulk', 'transfer') NULL AFTER reason_code,
  ADD KEY ix_patient_activities_history (patient_id, role, id);
