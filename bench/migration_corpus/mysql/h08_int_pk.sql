-- expect: risk.int_primary_key
CREATE TABLE invoice (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  amount decimal(12,2) NOT NULL
);
