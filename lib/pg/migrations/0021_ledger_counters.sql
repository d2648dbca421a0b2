-- smsgw-ledger's durable money, reworked so that PostgreSQL and Redis can always tell what the
-- other has (review M7, M8, M13, M14; daemons/ledger/lua_scripts.h):
--  * accounts keep Redis's money counters as of the last flush: held, charged, refunded (after
--    capture), released (before capture), expired. A flush writes them whole, with the change
--    counter it read them at (flush_seq), and is taken only if that counter is newer, so it
--    needs no id to be replayed safely: ledger_flushes, which grew by a row per account per
--    flush, goes;
--  * topped_up and topup_seq: the sum and the number of the account's top-ups; each top-up has
--    its sequence number, so that Redis can say exactly which ones it has applied;
--  * ledger_activity: the flushed movements per account and hour, the journal that
--    `smsctl ledger history` shows beside the top-ups.
ALTER TABLE accounts
  ADD COLUMN held bigint NOT NULL DEFAULT 0,
  ADD COLUMN charged bigint NOT NULL DEFAULT 0,
  ADD COLUMN refunded bigint NOT NULL DEFAULT 0,
  ADD COLUMN released bigint NOT NULL DEFAULT 0,
  ADD COLUMN expired bigint NOT NULL DEFAULT 0,
  ADD COLUMN topped_up bigint NOT NULL DEFAULT 0,
  ADD COLUMN topup_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN flush_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN flushed_at timestamptz;

ALTER TABLE topups ADD COLUMN seq bigint;
UPDATE topups t SET seq = n.seq
FROM (SELECT account_id, reference,
             row_number() OVER (PARTITION BY account_id ORDER BY created_at, reference) AS seq
      FROM topups) n
WHERE t.account_id = n.account_id AND t.reference = n.reference;
ALTER TABLE topups ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX topups_account_seq ON topups (account_id, seq);
CREATE INDEX topups_not_applied ON topups (account_id, seq) WHERE NOT applied;
CREATE INDEX topups_account_time ON topups (account_id, created_at);

-- What an account spent before this version counts as charged: its balance already had it
-- taken off. The first flush writes Redis's own counters over it.
UPDATE accounts a SET topped_up = s.total, topup_seq = s.n
FROM (SELECT account_id, sum(amount) AS total, count(*) AS n FROM topups GROUP BY account_id) s
WHERE a.id = s.account_id;
UPDATE accounts SET charged = topped_up - balance;

DROP TABLE ledger_flushes;

CREATE TABLE ledger_activity (
  account_id  bigint NOT NULL REFERENCES accounts (id),
  hour        timestamptz NOT NULL,      -- the hour of the flushes that brought these amounts
  debits      bigint NOT NULL DEFAULT 0, -- held for messages
  charges     bigint NOT NULL DEFAULT 0, -- held money that became charged: messages sent
  refunds     bigint NOT NULL DEFAULT 0, -- given back, before or after capture
  expiries    bigint NOT NULL DEFAULT 0, -- holds that expired unsent
  PRIMARY KEY (account_id, hour)
);
