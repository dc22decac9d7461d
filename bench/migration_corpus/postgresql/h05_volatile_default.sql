-- expect: risk.pg_volatile_default
ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
