-- expect: risk.mysql_online_ddl
ALTER TABLE customer ADD COLUMN tier varchar(20);
