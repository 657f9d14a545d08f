// One node by kind and id (__LABEL__ is a Kind value).
MATCH (n:__LABEL__ {id: $id})
RETURN n
