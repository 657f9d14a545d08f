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
// a target's labels and categories once per target, not once per specialty
WITH t, labels(t) AS target_labels, [(t)-[:IN_CATEGORY]->(c:Category) | c.id] AS categories
MATCH (e:Expert)-[r:SPECIALISES_IN]->(t)
// one row per expert, sent once as a property map, with every specialty that qualifies
WITH e, collect([target_labels, t.id, coalesce(r.text, ''), categories]) AS specialties
RETURN properties(e) AS expert, specialties
