-- expect: none
CREATE TABLE coupon (id bigint PRIMARY KEY, code text NOT NULL);
ALTER TABLE coupon ADD COLUMN expires_at timestamptz NOT NULL;
CREATE UNIQUE INDEX uq_coupon_code ON coupon (code);
ALTER TABLE coupon ADD CONSTRAINT ck_code CHECK (length(code) > 3);
