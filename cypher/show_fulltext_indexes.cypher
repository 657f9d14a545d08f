// The full-text indexes that exist, with what they cover; the schema step only
// creates `yrdq_names` when no full-text index covers the labels yet.
SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties
RETURN name, labelsOrTypes, properties
