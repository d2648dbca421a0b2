-- Reports (issue 9): what the list, export, stats and status callbacks need.
--
-- 1. Each message keeps where its status callbacks go: callback_url (a JSON webhook per status
--    change), and for Kannel-style sends the dlr_url template and dlr_mask. New nullable columns
--    without a default cost nothing on existing partitions.
ALTER TABLE messages
  ADD COLUMN callback_url text,
  ADD COLUMN dlr_url text,
  ADD COLUMN dlr_mask int;

-- Lookups by destination or client reference within one account, newest first, stay index
-- scans at any size (the list's `to` and `client_ref` filters). Both columns are written once,
-- with the accepted event, so the updates that follow stay HOT.
CREATE INDEX messages_account_to ON messages (account_id, to_number, created_at, id);
CREATE INDEX messages_account_client_ref ON messages (account_id, client_ref, created_at, id)
  WHERE client_ref IS NOT NULL;

-- 2. Counts and cost per account, hour (of created_at, UTC) and current status. Every message is
--    counted once, under its current status: a status change moves it from one row to another.
--    Kept by the statement triggers below from the batch's own before and after images, so it is
--    exact under concurrent writers and costs one small aggregate per batch, never a scan.
CREATE TABLE message_stats (
  account_id  bigint NOT NULL,
  hour        timestamptz NOT NULL,
  status      text NOT NULL,
  messages    bigint NOT NULL,
  cost        bigint NOT NULL,
  PRIMARY KEY (account_id, hour, status)
);

-- 3. Status callbacks waiting to be sent, sent, or given up: the durable queue between the
--    writer (which adds rows in the transaction that changes the status, so none is lost and
--    the writer never waits on a customer's server) and the sender.
--    kind 'webhook': POST `body` (JSON) to `url`, signed with the account's webhook secret.
--    kind 'dlr': GET `url`, a Kannel dlr-url template filled in from `body` (JSON fields).
CREATE TABLE webhook_deliveries (
  id            bigserial PRIMARY KEY,
  account_id    bigint NOT NULL,
  message_id    uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('webhook', 'dlr')),
  status        text NOT NULL,  -- the message status this callback tells of
  url           text NOT NULL,
  body          text NOT NULL,
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts      int NOT NULL DEFAULT 0,
  next_at       timestamptz NOT NULL DEFAULT now(),
  last_at       timestamptz,
  last_code     int,  -- HTTP status of the last attempt; NULL when no answer came
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  done_at       timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_account ON webhook_deliveries (account_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

-- Kannel's DLR type for a status: 1 delivered to phone, 2 not delivered to phone, 8 delivered
-- to SMSC, 16 not delivered to SMSC. 0: none.
CREATE FUNCTION smsgw_kannel_dlr_type(status text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE status WHEN 'delivered' THEN 1 WHEN 'undelivered' THEN 2 WHEN 'expired' THEN 2
                     WHEN 'submitted' THEN 8 WHEN 'failed' THEN 16 WHEN 'canceled' THEN 16
                     ELSE 0 END
$$;

-- One row change as the callback function sees it: o_* the row before (all NULL for an
-- insert), n_* after.
CREATE TYPE smsgw_message_change AS (
  o_id uuid, o_account_id bigint, o_created_at timestamptz, o_status text, o_cost bigint,
  o_submitted_at timestamptz, o_callback_url text, o_dlr_url text,
  n_id uuid, n_account_id bigint, n_created_at timestamptz, n_status text, n_cost bigint,
  n_submitted_at timestamptz, n_done_at timestamptz, n_to text, n_from text, n_client_ref text,
  n_error text, n_operator_name text, n_callback_url text, n_dlr_url text, n_dlr_mask int
);

-- The status callbacks that row changes call for: `submitted` once submitted_at appears, a
-- final status once the row becomes final. The accepted state is the 202 answer itself and gets
-- no callback. A callback_url or dlr_url that arrives late (the accepted event after a receipt)
-- is told the state reached so far. A dlr is queued only for the types its dlr_mask asks for.
-- Callers pass only rows that have a callback_url or a dlr_url.
CREATE FUNCTION smsgw_queue_callbacks(changes smsgw_message_change[]) RETURNS void
LANGUAGE sql AS $$
  WITH c AS (SELECT * FROM unnest(changes) WHERE n_account_id <> 0),
  told AS (
    SELECT c.*, 'submitted'::text AS told_status, n_submitted_at AS told_at
    FROM c
    WHERE n_submitted_at IS NOT NULL
      AND (o_id IS NULL OR o_submitted_at IS NULL
           OR (n_callback_url IS NOT NULL AND o_callback_url IS NULL)
           OR (n_dlr_url IS NOT NULL AND o_dlr_url IS NULL))
    UNION ALL
    SELECT c.*, n_status, COALESCE(n_done_at, now())
    FROM c
    WHERE smsgw_status_rank(n_status) = 3
      AND (o_id IS NULL OR smsgw_status_rank(o_status) < 3
           OR (n_callback_url IS NOT NULL AND o_callback_url IS NULL)
           OR (n_dlr_url IS NOT NULL AND o_dlr_url IS NULL))
  )
  INSERT INTO webhook_deliveries (account_id, message_id, kind, status, url, body)
  SELECT n_account_id, n_id, 'webhook', told_status, n_callback_url,
         json_build_object('message_id', n_id, 'status', told_status,
                           'at', to_char(told_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                           'to', n_to, 'client_ref', n_client_ref,
                           'error', CASE WHEN smsgw_status_rank(told_status) = 3 THEN n_error END)::text
  FROM told WHERE n_callback_url IS NOT NULL
  UNION ALL
  SELECT n_account_id, n_id, 'dlr', told_status, n_dlr_url,
         json_build_object('message_id', n_id, 'status', told_status,
                           'type', smsgw_kannel_dlr_type(told_status),
                           'at_s', floor(EXTRACT(EPOCH FROM told_at))::bigint,
                           'to', n_to, 'from', n_from, 'smsc', n_operator_name,
                           'reply', CASE WHEN smsgw_status_rank(told_status) = 3 THEN n_error END)::text
  FROM told
  WHERE n_dlr_url IS NOT NULL
    AND (COALESCE(n_dlr_mask, 0) & smsgw_kannel_dlr_type(told_status)) <> 0
  ORDER BY 2, 4;
$$;

-- message_stats follows each batch statement: plus the rows inserted; for updated rows minus
-- the before image and plus the after image (a status change moves a message from one row to
-- another; a cost or account that arrives late is corrected the same way). Straight from the
-- transition tables, one aggregate each, rows upserted in key order so concurrent writers
-- lock them in one order. Then the callbacks of the rows that have a target.
CREATE FUNCTION smsgw_messages_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_stats AS s (account_id, hour, status, messages, cost)
  SELECT account_id, date_bin('1 hour', created_at, TIMESTAMPTZ 'epoch'), status, count(*), COALESCE(sum(cost), 0)
  FROM smsgw_new_rows WHERE account_id <> 0
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (account_id, hour, status) DO UPDATE
    SET messages = s.messages + EXCLUDED.messages, cost = s.cost + EXCLUDED.cost;
  PERFORM smsgw_queue_callbacks(ARRAY(
    SELECT ROW(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               n.id, n.account_id, n.created_at, n.status, n.cost, n.submitted_at, n.done_at,
               n.to_number, n.from_number, n.client_ref, n.error, n.operator_name,
               n.callback_url, n.dlr_url, n.dlr_mask)::smsgw_message_change
    FROM smsgw_new_rows n
    WHERE n.callback_url IS NOT NULL OR n.dlr_url IS NOT NULL));
  RETURN NULL;
END
$$;

-- PL/pgSQL plans each statement once and keeps that plan, made for the first batch's
-- transition tables: after a first batch of one row the join below was a nested loop, and a
-- batch of 30,000 rows then took 150 s. Without nested loops it is a hash or merge join at any
-- size.
CREATE FUNCTION smsgw_messages_updated() RETURNS trigger
LANGUAGE plpgsql SET enable_nestloop = off AS $$
BEGIN
  INSERT INTO message_stats AS s (account_id, hour, status, messages, cost)
  SELECT account_id, hour, status, sum(messages), sum(cost)
  FROM (SELECT account_id, date_bin('1 hour', created_at, TIMESTAMPTZ 'epoch') AS hour, status, -1 AS messages,
               -COALESCE(cost, 0) AS cost
        FROM smsgw_old_rows WHERE account_id <> 0
        UNION ALL
        SELECT account_id, date_bin('1 hour', created_at, TIMESTAMPTZ 'epoch'), status, 1, COALESCE(cost, 0)
        FROM smsgw_new_rows WHERE account_id <> 0) AS d
  GROUP BY 1, 2, 3
  HAVING sum(messages) <> 0 OR sum(cost) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (account_id, hour, status) DO UPDATE
    SET messages = s.messages + EXCLUDED.messages, cost = s.cost + EXCLUDED.cost;
  PERFORM smsgw_queue_callbacks(ARRAY(
    SELECT ROW(o.id, o.account_id, o.created_at, o.status, o.cost, o.submitted_at,
               o.callback_url, o.dlr_url,
               n.id, n.account_id, n.created_at, n.status, n.cost, n.submitted_at, n.done_at,
               n.to_number, n.from_number, n.client_ref, n.error, n.operator_name,
               n.callback_url, n.dlr_url, n.dlr_mask)::smsgw_message_change
    FROM smsgw_new_rows n JOIN smsgw_old_rows o ON o.id = n.id AND o.created_at = n.created_at
    WHERE n.callback_url IS NOT NULL OR n.dlr_url IS NOT NULL));
  RETURN NULL;
END
$$;

-- Statement triggers with transition tables: one call per batch statement, seeing every row the
-- statement inserted (or the before and after image of every row it updated), whatever the
-- partition. INSERT ... ON CONFLICT DO UPDATE fires both.
CREATE TRIGGER messages_inserted AFTER INSERT ON messages
  REFERENCING NEW TABLE AS smsgw_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION smsgw_messages_inserted();
CREATE TRIGGER messages_updated AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS smsgw_old_rows NEW TABLE AS smsgw_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION smsgw_messages_updated();

-- Rows already written before this migration are counted once, here.
INSERT INTO message_stats (account_id, hour, status, messages, cost)
SELECT account_id, date_bin('1 hour', created_at, TIMESTAMPTZ 'epoch'), status, count(*), COALESCE(sum(cost), 0)
FROM messages WHERE account_id <> 0 GROUP BY 1, 2, 3;
