-- Accounts, API keys and the durable money journal (smsgw-ledger), and the messages table
-- (smsgw-report). Amounts are bigint minor units.

CREATE TABLE accounts (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  price_normal  bigint NOT NULL CHECK (price_normal >= 0),
  price_express bigint NOT NULL CHECK (price_express >= 0),
  -- Durable balance: top-ups are added here at once; debits and refunds arrive in flushes.
  balance       bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- An API key is "<key_id>.<secret>"; key_id is also the Kannel-compatible username.
CREATE TABLE api_keys (
  key_hash    text PRIMARY KEY,  -- SHA-256 hex of the whole key; the key itself is never stored
  key_id      text NOT NULL UNIQUE,
  account_id  bigint NOT NULL REFERENCES accounts (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE topups (
  account_id  bigint NOT NULL REFERENCES accounts (id),
  reference   text NOT NULL,
  amount      bigint NOT NULL CHECK (amount > 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- False from the PostgreSQL commit until Redis has the money too; the ledger finishes
  -- any false row at start, so a crash between the two loses nothing.
  applied     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (account_id, reference)
);

-- One row per delta moved from Redis: the unique flush id makes a replayed flush a no-op.
CREATE TABLE ledger_flushes (
  flush_id    text PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts (id),
  amount      bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION smsgw_status_rank(status text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE status WHEN 'accepted' THEN 1 WHEN 'submitted' THEN 2 ELSE 3 END
$$;

CREATE TABLE messages (
  id                   uuid NOT NULL,
  account_id           bigint NOT NULL,
  created_at           timestamptz NOT NULL,  -- the time in the UUIDv7 id: when it was accepted
  status               text NOT NULL,
  to_number            text,
  from_number          text,
  encoding             text,
  segments             int,
  cost                 bigint,
  priority             text,
  client_ref           text,
  submitted_at         timestamptz,
  done_at              timestamptz,
  operator_name        text,
  operator_message_id  text,
  error                text,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX messages_account_time ON messages (account_id, created_at, id);

-- Creates the daily partitions of messages from `days_back` days ago to `days_ahead` days on
-- (UTC days). Safe to call again; smsgw-report calls it at start and every hour.
CREATE FUNCTION smsgw_ensure_message_partitions(days_back int, days_ahead int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d date;
BEGIN
  FOR d IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - days_back,
                                  (now() AT TIME ZONE 'UTC')::date + days_ahead, '1 day')::date
  LOOP
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF messages FOR VALUES FROM (%L) TO (%L)',
      'messages_' || to_char(d, 'YYYYMMDD'),
      (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
  END LOOP;
END
$$;

SELECT smsgw_ensure_message_partitions(1, 7);
