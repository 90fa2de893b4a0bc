"""Background work: a JobRun row per job, run in-process (embedded) or on RQ workers."""
