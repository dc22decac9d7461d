-- expect: risk.mysql_table_copy
ALTER TABLE orders MODIFY total decimal(14,2) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
