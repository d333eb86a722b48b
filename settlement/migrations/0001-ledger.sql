-- 0001: the terminal ledger.
-- Every index costs a page write on every sale, and page writes decide how
-- often the WAL must be checkpointed: only indexes a query needs are here,
-- and the tables keyed by a UUID are WITHOUT ROWID (the key is the table).
--
-- Append-only tables (journal, checkouts, checkout_items, voids, refunds,
-- topups, shift_closes) refuse UPDATE and DELETE by trigger: corrections are
-- new rows that point at what they correct. `accounts` holds the current
-- balance and status as a projection of the journal; `verify` recomputes it.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE meal_periods (
  period      TEXT PRIMARY KEY CHECK (period IN ('breakfast', 'lunch', 'dinner')),
  start_min   INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
  end_min     INTEGER NOT NULL CHECK (end_min > start_min AND end_min <= 1440),
  subsidy_fen INTEGER NOT NULL CHECK (subsidy_fen >= 0)
) STRICT;

CREATE TABLE dishes (
  id                  TEXT PRIMARY KEY,
  name                TEXT NOT NULL,
  name_en             TEXT NOT NULL DEFAULT '',
  category            TEXT NOT NULL,
  price_fen           INTEGER NOT NULL CHECK (price_fen >= 0),
  visitor_price_fen   INTEGER NOT NULL CHECK (visitor_price_fen >= 0),
  portion_g           INTEGER NOT NULL CHECK (portion_g > 0),
  price_per_100g_fen  INTEGER CHECK (price_per_100g_fen >= 0),
  kcal                INTEGER CHECK (kcal >= 0),
  periods             INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The day's menu: which dishes are served on a local date in a period.
CREATE TABLE menu_days (
  day     TEXT NOT NULL,                -- YYYY-MM-DD, local
  period  TEXT NOT NULL CHECK (period IN ('breakfast', 'lunch', 'dinner')),
  dish_id TEXT NOT NULL REFERENCES dishes (id),
  PRIMARY KEY (day, period, dish_id)
) STRICT;

CREATE TABLE accounts (
  card             TEXT PRIMARY KEY,
  holder           TEXT NOT NULL,
  agency           TEXT NOT NULL,
  balance_fen      INTEGER NOT NULL,
  credit_limit_fen INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_fen >= 0),
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lost', 'closed')),
  CHECK (balance_fen >= -credit_limit_fen)
) STRICT;

-- Every change of money, in order. hash = SHA-256(prev_hash || body).
CREATE TABLE journal (
  seq         INTEGER PRIMARY KEY,
  shift_no    INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  card        TEXT,
  ref         TEXT,
  amount_fen  INTEGER NOT NULL,
  balance_fen INTEGER,
  created_utc TEXT NOT NULL,
  body        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
) STRICT;

CREATE TABLE checkouts (
  id           TEXT PRIMARY KEY,          -- client-made UUID: the idempotency key
  request_hash TEXT NOT NULL,             -- what was asked; a reused id must ask the same
  card         TEXT NOT NULL,
  payer        TEXT NOT NULL CHECK (payer IN ('staff', 'visitor')),
  period       TEXT NOT NULL,
  local_day    TEXT NOT NULL,
  total_fen    INTEGER NOT NULL CHECK (total_fen >= 0),
  subsidy_fen  INTEGER NOT NULL CHECK (subsidy_fen >= 0),
  charged_fen  INTEGER NOT NULL CHECK (charged_fen >= 0),
  balance_fen  INTEGER NOT NULL,
  created_utc  TEXT NOT NULL,
  shift_no     INTEGER NOT NULL,
  journal_seq  INTEGER NOT NULL REFERENCES journal (seq),
  CHECK (charged_fen = total_fen - subsidy_fen)
) STRICT, WITHOUT ROWID;
CREATE INDEX checkouts_by_card_day ON checkouts (card, local_day, period);
CREATE INDEX checkouts_by_shift ON checkouts (shift_no);

CREATE TABLE checkout_items (
  checkout_id    TEXT NOT NULL REFERENCES checkouts (id),
  line           INTEGER NOT NULL,
  dish_id        TEXT NOT NULL,
  name           TEXT NOT NULL,
  name_en        TEXT NOT NULL,
  grams          INTEGER NOT NULL,
  unit_price_fen INTEGER NOT NULL,
  amount_fen     INTEGER NOT NULL,
  PRIMARY KEY (checkout_id, line)
) STRICT, WITHOUT ROWID;

CREATE TABLE voids (
  checkout_id  TEXT PRIMARY KEY REFERENCES checkouts (id),
  reason       TEXT NOT NULL,
  authorised_by TEXT NOT NULL,
  credited_fen INTEGER NOT NULL CHECK (credited_fen >= 0),
  created_utc  TEXT NOT NULL,
  shift_no     INTEGER NOT NULL,
  journal_seq  INTEGER NOT NULL UNIQUE REFERENCES journal (seq)
) STRICT;

CREATE TABLE refunds (
  id           TEXT PRIMARY KEY,
  checkout_id  TEXT NOT NULL REFERENCES checkouts (id),
  amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
  reason       TEXT NOT NULL,
  authorised_by TEXT NOT NULL,
  created_utc  TEXT NOT NULL,
  shift_no     INTEGER NOT NULL,
  journal_seq  INTEGER NOT NULL UNIQUE REFERENCES journal (seq)
) STRICT;
CREATE INDEX refunds_by_checkout ON refunds (checkout_id);

CREATE TABLE topups (
  id          TEXT PRIMARY KEY,
  card        TEXT NOT NULL,
  amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
  created_utc TEXT NOT NULL,
  shift_no    INTEGER NOT NULL,
  journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal (seq)
) STRICT;

CREATE TABLE shift_closes (
  shift_no    INTEGER PRIMARY KEY,
  terminal    TEXT NOT NULL,
  closed_utc  TEXT NOT NULL,
  report      TEXT NOT NULL,               -- the Z-report as JSON
  journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal (seq)
) STRICT;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
  BEGIN SELECT RAISE (ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
  BEGIN SELECT RAISE (ABORT, 'journal is append-only'); END;
CREATE TRIGGER checkouts_no_update BEFORE UPDATE ON checkouts
  BEGIN SELECT RAISE (ABORT, 'checkouts are append-only'); END;
CREATE TRIGGER checkouts_no_delete BEFORE DELETE ON checkouts
  BEGIN SELECT RAISE (ABORT, 'checkouts are append-only'); END;
CREATE TRIGGER checkout_items_no_update BEFORE UPDATE ON checkout_items
  BEGIN SELECT RAISE (ABORT, 'checkout items are append-only'); END;
CREATE TRIGGER checkout_items_no_delete BEFORE DELETE ON checkout_items
  BEGIN SELECT RAISE (ABORT, 'checkout items are append-only'); END;
CREATE TRIGGER voids_no_update BEFORE UPDATE ON voids
  BEGIN SELECT RAISE (ABORT, 'voids are append-only'); END;
CREATE TRIGGER voids_no_delete BEFORE DELETE ON voids
  BEGIN SELECT RAISE (ABORT, 'voids are append-only'); END;
CREATE TRIGGER refunds_no_update BEFORE UPDATE ON refunds
  BEGIN SELECT RAISE (ABORT, 'refunds are append-only'); END;
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds
  BEGIN SELECT RAISE (ABORT, 'refunds are append-only'); END;
CREATE TRIGGER topups_no_update BEFORE UPDATE ON topups
  BEGIN SELECT RAISE (ABORT, 'top-ups are append-only'); END;
CREATE TRIGGER topups_no_delete BEFORE DELETE ON topups
  BEGIN SELECT RAISE (ABORT, 'top-ups are append-only'); END;
CREATE TRIGGER shift_closes_no_update BEFORE UPDATE ON shift_closes
  BEGIN SELECT RAISE (ABORT, 'closed shifts are final'); END;
CREATE TRIGGER shift_closes_no_delete BEFORE DELETE ON shift_closes
  BEGIN SELECT RAISE (ABORT, 'closed shifts are final'); END;
