-- expect: risk.pg_unique_without_index
ALTER TABLE audit_log ADD PRIMARY KEY (id);
