-- What may never change, enforced by SQLite itself: a closed window never
-- reopens and no row of a closed window changes; stored batches, records,
-- positions, bilateral amounts and statements are never updated or deleted.
CREATE TRIGGER windows_no_reopen BEFORE UPDATE ON windows
  WHEN OLD.closed IS NOT NULL
  BEGIN SELECT RAISE (ABORT, 'window is closed and never changes'); END;
CREATE TRIGGER windows_no_delete BEFORE DELETE ON windows
  BEGIN SELECT RAISE (ABORT, 'windows are never deleted'); END;
CREATE TRIGGER records_open_window BEFORE INSERT ON records
  WHEN (SELECT closed FROM windows WHERE id = NEW.win) IS NOT NULL
  BEGIN SELECT RAISE (ABORT, 'records land only in the open window'); END;
CREATE TRIGGER records_no_update BEFORE UPDATE ON records
  BEGIN SELECT RAISE (ABORT, 'records are never updated'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records
  BEGIN SELECT RAISE (ABORT, 'records are never deleted'); END;
CREATE TRIGGER batches_no_update BEFORE UPDATE ON batches
  BEGIN SELECT RAISE (ABORT, 'batches are never updated'); END;
CREATE TRIGGER batches_no_delete BEFORE DELETE ON batches
  BEGIN SELECT RAISE (ABORT, 'batches are never deleted'); END;
CREATE TRIGGER positions_closed_only BEFORE INSERT ON positions
  WHEN (SELECT closed FROM windows WHERE id = NEW.win) IS NULL
  BEGIN SELECT RAISE (ABORT, 'positions belong to closed windows'); END;
CREATE TRIGGER positions_no_update BEFORE UPDATE ON positions
  BEGIN SELECT RAISE (ABORT, 'positions are never updated'); END;
CREATE TRIGGER positions_no_delete BEFORE DELETE ON positions
  BEGIN SELECT RAISE (ABORT, 'positions are never deleted'); END;
CREATE TRIGGER bilateral_no_update BEFORE UPDATE ON bilateral
  BEGIN SELECT RAISE (ABORT, 'bilateral amounts are never updated'); END;
CREATE TRIGGER bilateral_no_delete BEFORE DELETE ON bilateral
  BEGIN SELECT RAISE (ABORT, 'bilateral amounts are never deleted'); END;
CREATE TRIGGER statements_no_update BEFORE UPDATE ON statements
  BEGIN SELECT RAISE (ABORT, 'statements are never updated'); END;
CREATE TRIGGER statements_no_delete BEFORE DELETE ON statements
  BEGIN SELECT RAISE (ABORT, 'statements are never deleted'); END;
