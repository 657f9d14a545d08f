// The categories of the given products ($ids: list of Product ids), for the
// `categories` of scope hits; products without a category are left out.
UNWIND $ids AS id
MATCH (:Product {id: id})-[:IN_CATEGORY]->(c:Category)
RETURN id AS product, collect(c.id) AS categories
