-- Per-account settings that the scheduler, the API and the report daemon read:
--  weight            the account's share in the scheduler's deficit round robin (1 = normal);
--  rate_limit_rps    requests a second the API lets the account make, NULL: api.rate_limit_rps;
--  rate_limit_burst  how many above that rate it may make at once, NULL: api.rate_limit_burst;
--  webhook_secret    the key of the HMAC-SHA256 signature on the account's status webhooks.
-- The secret of an existing account is made here; gen_random_uuid() draws from PostgreSQL's
-- strong random source (pg_strong_random), two of them give 244 random bits.
ALTER TABLE accounts
  ADD COLUMN weight int NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
  ADD COLUMN rate_limit_rps int CHECK (rate_limit_rps > 0),
  ADD COLUMN rate_limit_burst int CHECK (rate_limit_burst > 0),
  ADD COLUMN webhook_secret text NOT NULL
    DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
