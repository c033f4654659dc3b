"""Web helpers that know no domain: they import nothing of ours."""
