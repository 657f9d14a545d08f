// Range indexes on the properties that filters and look-ups use besides `id`:
// region filters (province / city), standard numbers typed without their year
// (base_number) or with it (number), and the lab a scope line belongs to.
CREATE INDEX region_province IF NOT EXISTS FOR (n:Region) ON (n.province);
CREATE INDEX lab_province IF NOT EXISTS FOR (n:Lab) ON (n.province);
CREATE INDEX lab_city IF NOT EXISTS FOR (n:Lab) ON (n.city);
CREATE INDEX expert_province IF NOT EXISTS FOR (n:Expert) ON (n.province);
CREATE INDEX expert_city IF NOT EXISTS FOR (n:Expert) ON (n.city);
CREATE INDEX enterprise_province IF NOT EXISTS FOR (n:Enterprise) ON (n.province);
CREATE INDEX standard_number IF NOT EXISTS FOR (n:Standard) ON (n.number);
CREATE INDEX standard_base_number IF NOT EXISTS FOR (n:Standard) ON (n.base_number);
CREATE INDEX standard_status IF NOT EXISTS FOR (n:Standard) ON (n.status);
CREATE INDEX scope_lab IF NOT EXISTS FOR (n:Scope) ON (n.lab);
