// Graph-level facts (data snapshot date …), one (:YrdqMeta {key, value}) node each.
MATCH (m:YrdqMeta)
RETURN m.key AS key, m.value AS value
