-- 0005: cross-agency settlement on the terminal (issue 5).
--
-- Money tables (visitor sales and their items, the outbox's batches and
-- receipts, issuer postings, issued cards) are append-only like 0001's:
-- triggers refuse UPDATE and DELETE. What may change is configuration and
-- the copies of the clearing service's lists (trust, deny), which are
-- replaced by newer versions. An outbox batch is "sent" when its receipt row
-- exists; its exact body bytes are stored before the first attempt, so a
-- retry after a lost answer sends the very same bytes.

-- One row: this terminal's clearing configuration and sync state.
CREATE TABLE clearing_config (
  id                  INTEGER PRIMARY KEY CHECK (id = 1),
  issuer_public_key   TEXT,                 -- b64; this agency's issuer key (secret in <ledger>.keys/)
  terminal_public_key TEXT,                 -- b64; this terminal's key
  url                 TEXT,                 -- clearing service, set by `clearing enroll`
  clearing_key        TEXT,                 -- b64; the service's document key
  enrolled_utc        TEXT,
  floor_limit_fen     INTEGER NOT NULL DEFAULT 3000 CHECK (floor_limit_fen >= 0),
  trust_version       INTEGER NOT NULL DEFAULT 0,
  deny_version        INTEGER NOT NULL DEFAULT 0,
  deny_fetched_utc    TEXT,                 -- last successful deny-list fetch
  last_attempt_utc    TEXT,
  last_success_utc    TEXT,
  last_error          TEXT,
  failures            INTEGER NOT NULL DEFAULT 0,   -- consecutive failed syncs (backoff)
  next_attempt_utc    TEXT                  -- no upload before this (backoff with jitter)
) STRICT;
INSERT INTO clearing_config (id) VALUES (1);

-- Agencies whose cards this terminal accepts. This agency's own issuer key
-- is always here (own = 1) and never replaced by a list fetched from the service.
CREATE TABLE trust_agencies (
  code       TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  issuer_key TEXT NOT NULL,                 -- b64
  active     INTEGER NOT NULL CHECK (active IN (0, 1)),
  own        INTEGER NOT NULL DEFAULT 0 CHECK (own IN (0, 1)),
  version    INTEGER NOT NULL DEFAULT 0     -- trust-list version that last changed it
) STRICT;

CREATE TABLE deny_list (
  agency  TEXT NOT NULL,
  card    TEXT NOT NULL,
  denied  INTEGER NOT NULL CHECK (denied IN (0, 1)),
  version INTEGER NOT NULL,
  PRIMARY KEY (agency, card)
) STRICT, WITHOUT ROWID;

-- Interoperable cards this agency issued (back office). The card id is the
-- official's account card in this ledger.
CREATE TABLE issued_cards (
  card        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  card_key    TEXT NOT NULL,                -- b64 public key
  cert        TEXT NOT NULL,                -- certificate JSON as issued
  created_utc TEXT NOT NULL
) STRICT;

-- One visitor meal paid by an interoperable card, or its reversal (a
-- negative record naming the sale): the clearing records, in order.
-- record_seq is the terminal's record sequence (from 1, no gaps).
CREATE TABLE visitor_sales (
  record_seq     INTEGER PRIMARY KEY CHECK (record_seq > 0),
  checkout_id    TEXT NOT NULL UNIQUE,      -- the checkout, or the reversal's own id
  request_hash   TEXT NOT NULL,
  kind           TEXT NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'reversal')),
  issuer         TEXT NOT NULL,             -- card's agency
  issuer_name    TEXT NOT NULL,
  card           TEXT NOT NULL,
  holder         TEXT NOT NULL,
  amount_fen     INTEGER NOT NULL,          -- > 0 sale, < 0 reversal
  time           TEXT NOT NULL,             -- as signed, YYYY-MM-DDTHH:MM:SSZ
  nonce          TEXT,                      -- sales only (with cert and card_sig)
  cert           TEXT,                      -- certificate JSON
  card_sig       TEXT,                      -- b64
  mode           TEXT NOT NULL CHECK (mode IN ('online', 'offline')),
  authorisation  TEXT,
  reverses_seq   INTEGER REFERENCES visitor_sales (record_seq),
  period         TEXT NOT NULL,
  local_day      TEXT NOT NULL,
  created_utc    TEXT NOT NULL,
  shift_no       INTEGER NOT NULL,
  journal_seq    INTEGER NOT NULL UNIQUE REFERENCES journal (seq),
  CHECK ((mode = 'online') = (authorisation IS NOT NULL)),
  CHECK ((kind = 'sale') = (amount_fen > 0)),
  CHECK ((kind = 'sale') = (nonce IS NOT NULL AND cert IS NOT NULL AND card_sig IS NOT NULL)),
  CHECK ((kind = 'reversal') = (reverses_seq IS NOT NULL)),
  CHECK (kind = 'sale' OR mode = 'offline')
) STRICT;
-- A sale is reversed at most once.
CREATE UNIQUE INDEX visitor_sales_reversed_once ON visitor_sales (reverses_seq) WHERE reverses_seq IS NOT NULL;

CREATE TABLE visitor_sale_items (
  checkout_id    TEXT NOT NULL REFERENCES visitor_sales (checkout_id),
  line           INTEGER NOT NULL,
  dish_id        TEXT NOT NULL,
  name           TEXT NOT NULL,
  name_en        TEXT NOT NULL,
  grams          INTEGER NOT NULL,
  unit_price_fen INTEGER NOT NULL,
  amount_fen     INTEGER NOT NULL,
  PRIMARY KEY (checkout_id, line)
) STRICT, WITHOUT ROWID;

-- Batches built from visitor_sales, in order, each with its exact bytes.
CREATE TABLE outbox_batches (
  batch       INTEGER PRIMARY KEY CHECK (batch > 0),
  first_seq   INTEGER NOT NULL,
  last_seq    INTEGER NOT NULL CHECK (last_seq >= first_seq),
  records     INTEGER NOT NULL CHECK (records = last_seq - first_seq + 1),
  body        BLOB NOT NULL,
  hash        TEXT NOT NULL CHECK (length (hash) = 64),
  prev_hash   TEXT NOT NULL CHECK (length (prev_hash) = 64),
  created_utc TEXT NOT NULL
) STRICT;

-- The service's receipt for a batch: the batch is sent.
CREATE TABLE outbox_receipts (
  batch       INTEGER PRIMARY KEY REFERENCES outbox_batches (batch),
  receipt     BLOB NOT NULL,                -- exact bytes, signed by the service
  signature   TEXT NOT NULL,
  window      TEXT,
  sent_utc    TEXT NOT NULL
) STRICT;

-- Back office: each cleared record where this agency is the issuer, posted
-- once to the official's account.
CREATE TABLE issuer_postings (
  terminal    TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('sale', 'reversal')),
  card        TEXT NOT NULL,
  amount_fen  INTEGER NOT NULL,             -- the record's: > 0 sale, < 0 reversal
  window      TEXT NOT NULL,
  posted_utc  TEXT NOT NULL,
  journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal (seq),
  PRIMARY KEY (terminal, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER issued_cards_no_update BEFORE UPDATE ON issued_cards
  BEGIN SELECT RAISE (ABORT, 'issued cards are append-only'); END;
CREATE TRIGGER issued_cards_no_delete BEFORE DELETE ON issued_cards
  BEGIN SELECT RAISE (ABORT, 'issued cards are append-only'); END;
CREATE TRIGGER visitor_sales_no_update BEFORE UPDATE ON visitor_sales
  BEGIN SELECT RAISE (ABORT, 'visitor sales are append-only'); END;
CREATE TRIGGER visitor_sales_no_delete BEFORE DELETE ON visitor_sales
  BEGIN SELECT RAISE (ABORT, 'visitor sales are append-only'); END;
CREATE TRIGGER visitor_sale_items_no_update BEFORE UPDATE ON visitor_sale_items
  BEGIN SELECT RAISE (ABORT, 'visitor sale items are append-only'); END;
CREATE TRIGGER visitor_sale_items_no_delete BEFORE DELETE ON visitor_sale_items
  BEGIN SELECT RAISE (ABORT, 'visitor sale items are append-only'); END;
CREATE TRIGGER outbox_batches_no_update BEFORE UPDATE ON outbox_batches
  BEGIN SELECT RAISE (ABORT, 'outbox batches are append-only'); END;
CREATE TRIGGER outbox_batches_no_delete BEFORE DELETE ON outbox_batches
  BEGIN SELECT RAISE (ABORT, 'outbox batches are append-only'); END;
CREATE TRIGGER outbox_receipts_no_update BEFORE UPDATE ON outbox_receipts
  BEGIN SELECT RAISE (ABORT, 'batch receipts are final'); END;
CREATE TRIGGER outbox_receipts_no_delete BEFORE DELETE ON outbox_receipts
  BEGIN SELECT RAISE (ABORT, 'batch receipts are final'); END;
CREATE TRIGGER issuer_postings_no_update BEFORE UPDATE ON issuer_postings
  BEGIN SELECT RAISE (ABORT, 'issuer postings are append-only'); END;
CREATE TRIGGER issuer_postings_no_delete BEFORE DELETE ON issuer_postings
  BEGIN SELECT RAISE (ABORT, 'issuer postings are append-only'); END;
