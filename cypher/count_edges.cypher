// Number of relationships of one type (__REL__ is a Rel value); answered from the counts store.
MATCH ()-[r:__REL__]->()
RETURN count(r) AS n
