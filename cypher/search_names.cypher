// Nodes of one kind (__LABEL__ is a Kind value) whose id, name, title or an alias
// contains $needle (already lower-cased). Substring search, like NetworkxStore.search;
// the full-text index `yrdq_names` is for token search and is not used here.
MATCH (n:__LABEL__)
WHERE toLower(n.id) CONTAINS $needle
   OR toLower(coalesce(n.name, '')) CONTAINS $needle
   OR toLower(coalesce(n.title, '')) CONTAINS $needle
   OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) CONTAINS $needle)
RETURN n
