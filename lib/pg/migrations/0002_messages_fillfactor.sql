-- smsgw-report updates most rows of `messages` twice within seconds of inserting them
-- (submitted, then delivered). With pages filled to the brim each update moved the row to
-- another page and added an entry to both indexes; with room left on its page the new version
-- stays there (a HOT update) and no index is touched. Daily partitions are made with
-- fillfactor 70 from now on, and those already made get it too (it governs the pages filled
-- from now on).

CREATE OR REPLACE FUNCTION smsgw_ensure_message_partitions(days_back int, days_ahead int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d date;
BEGIN
  FOR d IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - days_back,
                                  (now() AT TIME ZONE 'UTC')::date + days_ahead, '1 day')::date
  LOOP
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I PARTITION OF messages FOR VALUES FROM (%L) TO (%L) '
      'WITH (fillfactor = 70)',
      'messages_' || to_char(d, 'YYYYMMDD'),
      (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
  END LOOP;
END
$$;

DO $$
DECLARE
  p regclass;
BEGIN
  FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'messages'::regclass LOOP
    EXECUTE format('ALTER TABLE %s SET (fillfactor = 70)', p);
  END LOOP;
END
$$;
