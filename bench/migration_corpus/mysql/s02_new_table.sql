-- expect: none
CREATE TABLE coupon (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code varchar(40) NOT NULL,
  UNIQUE KEY uq_coupon_code (code)
);
ALTER TABLE coupon ADD COLUMN expires_at datetime NOT NULL;
