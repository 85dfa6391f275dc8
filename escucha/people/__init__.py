"""Who takes part: per-author inferences (account type, gender, age band, region), kept inside the warehouse."""
