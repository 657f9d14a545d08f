// Merge one batch of relationships of one type between nodes of two given kinds;
// one relationship per (start, type, end), its properties replaced by the new map.
// __SRC__ / __DST__ are replaced by Kind values and __REL__ by a Rel value.
// Returns the index of every row whose two ends exist, so the caller can name a
// row that refers to a missing node and roll the whole write back.
// $rows: [{i: int, src: string, dst: string, props: map}]
UNWIND $rows AS row
MATCH (a:__SRC__ {id: row.src})
MATCH (b:__DST__ {id: row.dst})
MERGE (a)-[r:__REL__]->(b)
SET r = row.props
RETURN row.i AS i
