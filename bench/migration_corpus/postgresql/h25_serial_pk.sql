-- expect: risk.int_primary_key
CREATE TABLE invoice (
  id serial PRIMARY KEY,
  order_id bigint NOT NULL,
  amount numeric(12,2) NOT NULL
);
