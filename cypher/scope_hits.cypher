// Every accredited scope line that covers a linked product, test item or
// standard, or a product of a linked category — with its lab and the ids of
// what it covers. The same candidates NetworkxStore.scope_hits finds by traversal;
// ranking happens afterwards in Python, once, for both stores.
// $products, $items, $standards, $categories: lists of ids. Each branch starts
// with UNWIND so that an empty list costs nothing and every id is an index seek.
CALL () {
  UNWIND $products AS id
  MATCH (:Product {id: id})<-[:COVERS_PRODUCT]-(s:Scope) RETURN s
  UNION
  UNWIND $categories AS id
  MATCH (:Category {id: id})<-[:IN_CATEGORY]-(:Product)<-[:COVERS_PRODUCT]-(s:Scope) RETURN s
  UNION
  UNWIND $items AS id
  MATCH (:TestItem {id: id})<-[:COVERS_ITEM]-(s:Scope) RETURN s
  UNION
  UNWIND $standards AS id
  MATCH (:Standard {id: id})<-[:USES_STANDARD]-(s:Scope) RETURN s
}
// UNION already removes duplicates; DISTINCT keeps that true on servers whose
// UNION inside CALL does not (ArcadeDB, see graph/arcadedb.py)
WITH DISTINCT s
MATCH (lab:Lab)-[:HAS_SCOPE]->(s)
// a scope line belongs to one lab; should data ever give it two, take the lowest id
WITH s, lab ORDER BY lab.id
WITH s, collect(lab)[0] AS lab
// One row per lab with all its lines: a broad topic reaches thousands of lines
// of a few hundred labs, and the client's time goes into decoding what is sent,
// so each lab is sent once, and nodes as property maps (no element ids, no labels).
// The categories of the lines' products come from cypher/product_categories.cypher,
// once per product instead of once per line.
WITH lab, collect([properties(s),
  [(s)-[:COVERS_PRODUCT]->(p:Product) | p.id],
  [(s)-[:COVERS_ITEM]->(i:TestItem) | i.id],
  [(s)-[:USES_STANDARD]->(t:Standard) | t.id]]) AS lines
RETURN properties(lab) AS lab, lines
