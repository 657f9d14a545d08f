// Every expert specialty that names a linked product, test item or standard, or
// a product of a linked category; `categories` are the target's categories
// (only products have any). Same candidates as NetworkxStore.specialty_hits.
// $products, $items, $standards, $categories: lists of ids; each branch starts
// with UNWIND so that an empty list costs nothing and every id is an index seek.
CALL () {
  UNWIND $products AS id
  MATCH (t:Product {id: id}) RETURN t
  UNION
  UNWIND $categories AS id
  MATCH (:Category {id: id})<-[:IN_CATEGORY]-(t:Product) RETURN t
  UNION
  UNWIND $items AS id
  MATCH (t:TestItem {id: id}) RETURN t
  UNION
  UNWIND $standards AS id
  MATCH (t:Standard {id: id}) RETURN t
}
// UNION already removes duplicates; DISTINCT keeps that true on servers whose
// UNION inside CALL does not (ArcadeDB, see graph/arcadedb.py)
WITH DISTINCT t
MATCH (e:Expert)-[r:SPECIALISES_IN]->(t)
RETURN e AS expert, labels(t) AS target_labels, t.id AS target, coalesce(r.text, '') AS text,
  [(t)-[:IN_CATEGORY]->(c:Category) | c.id] AS categories
