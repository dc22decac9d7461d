-- expect: risk.int_primary_key
CREATE TABLE shipment (
  id integer NOT NULL,
  order_id bigint,
  PRIMARY KEY (id)
);
