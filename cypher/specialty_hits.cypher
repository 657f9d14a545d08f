// Every expert specialty that names a linked product, test item or standard, or
// a product of a linked category; `categories` are the target's categories
// (only products have any). Same candidates as NetworkxStore.specialty_hits.
// $products, $items, $standards, $categories: lists of ids.
CALL () {
  MATCH (t:Product) WHERE t.id IN $products RETURN t
  UNION
  MATCH (t:Product)-[:IN_CATEGORY]->(c:Category) WHERE c.id IN $categories RETURN t
  UNION
  MATCH (t:TestItem) WHERE t.id IN $items RETURN t
  UNION
  MATCH (t:Standard) WHERE t.id IN $standards RETURN t
}
MATCH (e:Expert)-[r:SPECIALISES_IN]->(t)
RETURN e AS expert, labels(t) AS target_labels, t.id AS target, coalesce(r.text, '') AS text,
  [(t)-[:IN_CATEGORY]->(c:Category) | c.id] AS categories
