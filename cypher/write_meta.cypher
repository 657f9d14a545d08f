// Set graph-level facts; $rows: [{key: string, value: string}].
UNWIND $rows AS row
MERGE (m:YrdqMeta {key: row.key})
SET m.value = row.value
