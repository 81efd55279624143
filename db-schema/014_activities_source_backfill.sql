-- Rows written before 013 get the source they can be known by: a bulk item's
-- request id ends in #N, a removal is one, anything else was an assign.
UPDATE patient_activities
SET source = CASE
  WHEN request_id LIKE '%#%' THEN 'bulk'
  WHEN activity_type = 'lcm_removed' THEN 'remove'
  ELSE 'assign' END
WHERE source IS NULL;
