// The nodes one relationship away from a node, in both directions (__LABEL__ is a
// Kind value). Sorting and the limit are applied in Python, with the same rule as
// NetworkxStore, so the two stores cut a long list at the same place.
MATCH (n:__LABEL__ {id: $id})-[r]->(m)
RETURN type(r) AS rel, 'out' AS direction, m AS node
UNION ALL
MATCH (n:__LABEL__ {id: $id})<-[r]-(m)
RETURN type(r) AS rel, 'in' AS direction, m AS node
