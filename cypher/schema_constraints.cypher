// One uniqueness constraint on `id` per node label. On Neo4j 5 each constraint is
// backed by a range index, which is what makes `MERGE (n:Label {id: …})` and the
// id lookups of every retrieval an index seek instead of a label scan.
CREATE CONSTRAINT region_id IF NOT EXISTS FOR (n:Region) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT category_id IF NOT EXISTS FOR (n:Category) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT product_id IF NOT EXISTS FOR (n:Product) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT standard_id IF NOT EXISTS FOR (n:Standard) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT test_item_id IF NOT EXISTS FOR (n:TestItem) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT hazard_id IF NOT EXISTS FOR (n:Hazard) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT enterprise_id IF NOT EXISTS FOR (n:Enterprise) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT lab_id IF NOT EXISTS FOR (n:Lab) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT scope_id IF NOT EXISTS FOR (n:Scope) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT expert_id IF NOT EXISTS FOR (n:Expert) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT sampling_id IF NOT EXISTS FOR (n:Sampling) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT yrdq_meta_key IF NOT EXISTS FOR (n:YrdqMeta) REQUIRE n.key IS UNIQUE;
