// Which of the given ids exist as nodes of one kind (__LABEL__ is a Kind value).
MATCH (n:__LABEL__)
WHERE n.id IN $ids
RETURN n.id AS id
