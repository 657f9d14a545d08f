// Merge one batch of nodes of one kind by id; a node's properties are replaced
// by the new map (`SET n = …`), so re-running a batch leaves the graph unchanged.
// __LABEL__ is replaced by a Kind value before running (labels cannot be parameters).
// $rows: [{id: string, props: map}]
UNWIND $rows AS row
MERGE (n:__LABEL__ {id: row.id})
SET n = row.props, n.id = row.id
