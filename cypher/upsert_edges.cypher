// Merge one batch of relationships of one type between nodes of two given kinds;
// one relationship per (start, type, end), its properties replaced by the new map.
// __SRC__ / __DST__ are replaced by Kind values and __REL__ by a Rel value.
// Returns how many rows merged: fewer than sent means a row refers to a missing
// node, and the caller names it and rolls the whole write back. (One count, not
// one record per row: the Bolt round of 2,000 tiny records cost more than the merge.)
// $rows: [{src: string, dst: string, props: map}]
UNWIND $rows AS row
MATCH (a:__SRC__ {id: row.src})
MATCH (b:__DST__ {id: row.dst})
MERGE (a)-[r:__REL__]->(b)
SET r = row.props
RETURN count(*) AS merged
