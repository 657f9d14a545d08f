// Delete up to $limit nodes of one kind with their relationships (__LABEL__ is a
// Kind value or YrdqMeta); the caller repeats it until it deletes nothing, so a
// large graph is cleared in bounded transactions.
MATCH (n:__LABEL__)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
