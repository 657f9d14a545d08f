// Connectivity and credentials check against the configured database (health, start-up).
RETURN 1 AS ok
