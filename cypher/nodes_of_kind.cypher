// Every node of one kind (__LABEL__ is a Kind value), as its property map: the
// kind is known, so labels and element ids need not be sent.
MATCH (n:__LABEL__)
RETURN properties(n) AS n
