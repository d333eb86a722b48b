-- What may never change, enforced by PostgreSQL itself (see the SQLite
-- twin, 0002-guards.sqlite.sql).
CREATE FUNCTION clearing_refuse () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on %: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0];
END $$;

CREATE FUNCTION clearing_window_guard () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.closed IS NOT NULL THEN
    RAISE EXCEPTION 'window is closed and never changes';
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION clearing_open_window_only () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT closed FROM windows WHERE id = NEW.win) IS NOT NULL THEN
    RAISE EXCEPTION 'records land only in the open window';
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION clearing_closed_window_only () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT closed FROM windows WHERE id = NEW.win) IS NULL THEN
    RAISE EXCEPTION 'positions belong to closed windows';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER windows_no_reopen BEFORE UPDATE ON windows
  FOR EACH ROW EXECUTE FUNCTION clearing_window_guard ();
CREATE TRIGGER windows_no_delete BEFORE DELETE ON windows
  FOR EACH ROW EXECUTE FUNCTION clearing_refuse ('windows are never deleted');
CREATE TRIGGER records_open_window BEFORE INSERT ON records
  FOR EACH ROW EXECUTE FUNCTION clearing_open_window_only ();
CREATE TRIGGER records_no_change BEFORE UPDATE OR DELETE ON records
  FOR EACH ROW EXECUTE FUNCTION clearing_refuse ('records never change');
CREATE TRIGGER batches_no_change BEFORE UPDATE OR DELETE ON batches
  FOR EACH ROW EXECUTE FUNCTION clearing_refuse ('batches never change');
CREATE TRIGGER positions_closed_only BEFORE INSERT ON positions
  FOR EACH ROW EXECUTE FUNCTION clearing_closed_window_only ();
CREATE TRIGGER positions_no_change BEFORE UPDATE OR DELETE ON positions
  FOR EACH ROW EXECUTE FUNCTION clearing_refuse ('positions never change');
CREATE TRIGGER bilateral_no_change BEFORE UPDATE OR DELETE ON bilateral
  FOR EACH ROW EXECUTE FUNCTION clearing_refuse ('bilateral amounts never change');
CREATE TRIGGER statements_no_change BEFORE UPDATE OR DELETE ON statements
  FOR EACH ROW EXECUTE FUNCTION clearing_refuse ('statements never change');
