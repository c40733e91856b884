"""Performance dashboards: timeliness, re-referrals, children at a date, caseloads."""
