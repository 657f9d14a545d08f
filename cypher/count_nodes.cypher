// Number of nodes of one kind (__LABEL__ is a Kind value); Neo4j answers it from its counts store.
MATCH (n:__LABEL__)
RETURN count(n) AS n
