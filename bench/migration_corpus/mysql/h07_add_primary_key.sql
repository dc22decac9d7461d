-- expect: risk.mysql_table_copy
ALTER TABLE audit_log ADD PRIMARY KEY (id);
