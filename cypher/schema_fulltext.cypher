// Full-text index for search by name (中文名称、英文名称、标准名称、机构别名).
// The `cjk` analyzer indexes Chinese as overlapping character bigrams, so a part
// of a name such as 压力容器 finds 承压设备及压力容器检验所; the default analyzer
// would keep a whole run of Chinese characters as one token.
// Query: CALL db.index.fulltext.queryNodes('yrdq_names', $query) YIELD node, score
CREATE FULLTEXT INDEX yrdq_names IF NOT EXISTS
FOR (n:Region|Category|Product|Standard|TestItem|Hazard|Enterprise|Lab|Expert)
ON EACH [n.name, n.name_en, n.title, n.alt_name]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}};
