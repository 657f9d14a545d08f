// Every node of one kind (__LABEL__ is a Kind value).
MATCH (n:__LABEL__)
RETURN n
