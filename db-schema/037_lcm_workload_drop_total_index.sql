-- ix_lcm_workload_total goes: no statement reads it (the list sorts on the
-- sum of a user's counts, which an index of the counts cannot give, and
-- finds each user's row by its key), and every change of a count rewrote
-- its entry: a secondary index write in each assignment.
ALTER TABLE lcm_workload DROP INDEX ix_lcm_workload_total;
