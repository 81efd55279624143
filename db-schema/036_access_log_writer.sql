-- A record is named by the worker process that wrote it (a random id per
-- process) and its number there. A batch the worker sends again, because
-- the server did not answer the first in time (a stall, a lock, a pause)
-- but may still run it, is the same records: the unique key keeps one of
-- each. The records written before this migration have neither (NULL,
-- which the unique key lets repeat).
ALTER TABLE phi_access_log
  ADD COLUMN writer_id BIGINT NULL,
  ADD COLUMN writer_seq BIGINT NULL,
  ADD UNIQUE KEY ux_phi_access_log_writer (writer_id, writer_seq);
