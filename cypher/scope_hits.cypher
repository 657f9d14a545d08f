// Every accredited scope line that covers a linked product, test item or
// standard, or a product of a linked category — with its lab and the ids of
// what it covers. The same candidates NetworkxStore.scope_hits finds by traversal;
// ranking happens afterwards in Python, once, for both stores.
// $products, $items, $standards, $categories: lists of ids.
CALL () {
  MATCH (s:Scope)-[:COVERS_PRODUCT]->(p:Product) WHERE p.id IN $products RETURN s
  UNION
  MATCH (s:Scope)-[:COVERS_PRODUCT]->(:Product)-[:IN_CATEGORY]->(c:Category) WHERE c.id IN $categories RETURN s
  UNION
  MATCH (s:Scope)-[:COVERS_ITEM]->(i:TestItem) WHERE i.id IN $items RETURN s
  UNION
  MATCH (s:Scope)-[:USES_STANDARD]->(t:Standard) WHERE t.id IN $standards RETURN s
}
WITH DISTINCT s
MATCH (lab:Lab)-[:HAS_SCOPE]->(s)
// a scope line belongs to one lab; should data ever give it two, take the lowest id
WITH s, lab ORDER BY lab.id
WITH s, collect(lab)[0] AS lab
RETURN lab, s AS scope,
  [(s)-[:COVERS_PRODUCT]->(p:Product) | p.id] AS products,
  [(s)-[:COVERS_ITEM]->(i:TestItem) | i.id] AS items,
  [(s)-[:USES_STANDARD]->(t:Standard) | t.id] AS standards,
  [(s)-[:COVERS_PRODUCT]->(:Product)-[:IN_CATEGORY]->(c:Category) | c.id] AS categories
