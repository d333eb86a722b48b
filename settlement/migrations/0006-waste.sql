-- 0006: food waste and portions (issue 6).
--
-- What the return station weighed and what the kitchen reported are
-- evidence for the quarterly anti-waste self-evaluation: append-only like
-- the journal's tables (triggers refuse UPDATE and DELETE). A correction of
-- a day's kitchen figures is a new row; the newest row of a day counts.
-- No money moves here, so nothing is journaled.

-- One returned tray. `checkout_id` is NULL when the tray matched no
-- checkout: such a return is kept and counted, never attached to a guess.
-- local_day/period are the matched checkout's (the meal the food was served
-- in), or the return's own when unmatched.
CREATE TABLE tray_returns (
  id            TEXT PRIMARY KEY,                  -- client-made UUID: the idempotency key
  request_hash  TEXT NOT NULL,                     -- a reused id must ask the same
  created_utc   TEXT NOT NULL,
  local_day     TEXT NOT NULL,
  period        TEXT NOT NULL CHECK (period IN ('breakfast', 'lunch', 'dinner', 'none')),
  checkout_id   TEXT REFERENCES checkouts (id),
  card          TEXT,
  returned_g    INTEGER NOT NULL CHECK (returned_g BETWEEN 0 AND 5000),
  tare_g        INTEGER NOT NULL CHECK (tare_g BETWEEN 0 AND returned_g),
  leftover_g    INTEGER NOT NULL CHECK (leftover_g = returned_g - tare_g),
  served_g      INTEGER CHECK (served_g IS NULL OR served_g > 0),   -- NULL when unmatched
  match         TEXT NOT NULL CHECK (match IN ('checkout', 'card', 'card_latest', 'unmatched')),
  image_sha256  TEXT CHECK (image_sha256 IS NULL OR length (image_sha256) = 64),
  CHECK ((checkout_id IS NULL) = (match = 'unmatched')),
  CHECK (served_g IS NULL OR leftover_g <= served_g)
) STRICT, WITHOUT ROWID;
-- A checkout is returned once at most.
CREATE UNIQUE INDEX tray_returns_once ON tray_returns (checkout_id) WHERE checkout_id IS NOT NULL;
CREATE INDEX tray_returns_by_day ON tray_returns (local_day, period);

-- The weighed leftover of a return split between its dishes by the image
-- side's leftover fractions (see settlement/WASTE.md).
CREATE TABLE tray_leftovers (
  return_id  TEXT NOT NULL REFERENCES tray_returns (id),
  dish_id    TEXT NOT NULL REFERENCES dishes (id),
  fraction   REAL NOT NULL CHECK (fraction BETWEEN 0.0 AND 1.0),
  served_g   INTEGER NOT NULL CHECK (served_g > 0),
  leftover_g INTEGER NOT NULL CHECK (leftover_g >= 0),
  PRIMARY KEY (return_id, dish_id)
) STRICT, WITHOUT ROWID;

-- The kitchen's own figures per local day.
CREATE TABLE kitchen_days (
  id              INTEGER PRIMARY KEY,
  day             TEXT NOT NULL,                   -- YYYY-MM-DD, local
  purchased_g     INTEGER NOT NULL CHECK (purchased_g BETWEEN 0 AND 100000000),
  kitchen_waste_g INTEGER NOT NULL CHECK (kitchen_waste_g BETWEEN 0 AND 100000000),
  diners_planned  INTEGER NOT NULL CHECK (diners_planned BETWEEN 0 AND 1000000),
  created_utc     TEXT NOT NULL
) STRICT;
CREATE INDEX kitchen_days_by_day ON kitchen_days (day, id);

-- What a portion-sold item really weighed when it was served (a scale at
-- the serving counter); items sold by weight already have their grams.
CREATE TABLE checkout_portions (
  checkout_id TEXT NOT NULL,
  line        INTEGER NOT NULL,
  served_g    INTEGER NOT NULL CHECK (served_g BETWEEN 1 AND 5000),
  created_utc TEXT NOT NULL,
  PRIMARY KEY (checkout_id, line),
  FOREIGN KEY (checkout_id, line) REFERENCES checkout_items (checkout_id, line)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER tray_returns_no_update BEFORE UPDATE ON tray_returns
  BEGIN SELECT RAISE (ABORT, 'tray returns are append-only'); END;
CREATE TRIGGER tray_returns_no_delete BEFORE DELETE ON tray_returns
  BEGIN SELECT RAISE (ABORT, 'tray returns are append-only'); END;
CREATE TRIGGER tray_leftovers_no_update BEFORE UPDATE ON tray_leftovers
  BEGIN SELECT RAISE (ABORT, 'tray leftovers are append-only'); END;
CREATE TRIGGER tray_leftovers_no_delete BEFORE DELETE ON tray_leftovers
  BEGIN SELECT RAISE (ABORT, 'tray leftovers are append-only'); END;
CREATE TRIGGER kitchen_days_no_update BEFORE UPDATE ON kitchen_days
  BEGIN SELECT RAISE (ABORT, 'kitchen figures are append-only'); END;
CREATE TRIGGER kitchen_days_no_delete BEFORE DELETE ON kitchen_days
  BEGIN SELECT RAISE (ABORT, 'kitchen figures are append-only'); END;
CREATE TRIGGER checkout_portions_no_update BEFORE UPDATE ON checkout_portions
  BEGIN SELECT RAISE (ABORT, 'served portions are append-only'); END;
CREATE TRIGGER checkout_portions_no_delete BEFORE DELETE ON checkout_portions
  BEGIN SELECT RAISE (ABORT, 'served portions are append-only'); END;
