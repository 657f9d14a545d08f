// Every relationship of one type (__REL__ is a Rel value), with the kind and id of both ends.
MATCH (a)-[r:__REL__]->(b)
RETURN labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, b.id AS dst, properties(r) AS props
