-- The clearing service's schema, portable between SQLite and PostgreSQL.
-- Money in fen (BIGINT); times as "YYYY-MM-DDTHH:MM:SSZ" text (UTC), which
-- sorts as it reads; booleans as INTEGER 0/1. Rows of batches, records,
-- closed windows, positions, bilateral amounts and statements are never
-- updated (0002-guards enforces it).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE agencies (
  code          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  issuer_key    TEXT NOT NULL,           -- b64 Ed25519 public key
  debit_cap_fen BIGINT,                  -- NULL: no net debit cap
  active        INTEGER NOT NULL DEFAULT 1,
  version       BIGINT NOT NULL           -- trust-list version of the last change
);

CREATE TABLE terminals (
  id         TEXT PRIMARY KEY,
  agency     TEXT NOT NULL REFERENCES agencies (code),
  token_hash TEXT NOT NULL,              -- hex SHA-256 of the one-time token
  public_key TEXT,                       -- b64, once enrolled
  enrolled   TEXT
);

CREATE TABLE windows (
  id     BIGINT PRIMARY KEY,
  opened TEXT NOT NULL,
  closed TEXT                            -- NULL: the open window
);

CREATE TABLE batches (
  terminal    TEXT NOT NULL REFERENCES terminals (id),
  batch       BIGINT NOT NULL,
  hash        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  body        TEXT NOT NULL,             -- the exact bytes received
  req_path    TEXT NOT NULL,             -- what the terminal signed
  req_time    TEXT NOT NULL,
  req_sig     TEXT NOT NULL,
  first_seq   BIGINT NOT NULL,
  last_seq    BIGINT NOT NULL,
  win         BIGINT NOT NULL REFERENCES windows (id),
  received    TEXT NOT NULL,
  receipt     TEXT NOT NULL,             -- the exact receipt bytes answered
  receipt_sig TEXT NOT NULL,
  PRIMARY KEY (terminal, batch)
);

CREATE TABLE records (
  terminal          TEXT NOT NULL REFERENCES terminals (id),
  seq               BIGINT NOT NULL,
  batch             BIGINT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('sale', 'reversal')),
  at                TEXT NOT NULL,
  day               TEXT NOT NULL,       -- UTC date of at
  amount_fen        BIGINT NOT NULL,
  issuer            TEXT NOT NULL,       -- the card's agency (owes)
  acquirer          TEXT NOT NULL,       -- the terminal's agency (is owed)
  card              TEXT NOT NULL,
  authorisation     TEXT,
  reverses_terminal TEXT,
  reverses_seq      BIGINT,
  win               BIGINT NOT NULL REFERENCES windows (id),
  PRIMARY KEY (terminal, seq),
  UNIQUE (reverses_terminal, reverses_seq),
  FOREIGN KEY (terminal, batch) REFERENCES batches (terminal, batch)
);
CREATE INDEX records_win ON records (win, issuer, acquirer, amount_fen);   -- covers the netting
CREATE INDEX records_card_day ON records (issuer, card, day);

CREATE TABLE authorisations (
  id           TEXT PRIMARY KEY,
  terminal     TEXT NOT NULL REFERENCES terminals (id),
  seq          BIGINT NOT NULL,
  issuer       TEXT NOT NULL,
  card         TEXT NOT NULL,
  amount_fen   BIGINT NOT NULL,
  day          TEXT NOT NULL,
  approved     INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  answer       TEXT NOT NULL,
  win          BIGINT NOT NULL,
  UNIQUE (terminal, seq)
);
CREATE INDEX authorisations_card_day ON authorisations (issuer, card, day);

CREATE TABLE deny (
  agency  TEXT NOT NULL,
  card    TEXT NOT NULL,
  denied  INTEGER NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (agency, card)
);

CREATE TABLE positions (
  win     BIGINT NOT NULL REFERENCES windows (id),
  agency  TEXT NOT NULL,
  net_fen BIGINT NOT NULL,
  PRIMARY KEY (win, agency)
);

CREATE TABLE bilateral (
  win         BIGINT NOT NULL REFERENCES windows (id),
  from_agency TEXT NOT NULL,             -- the issuer, who owes
  to_agency   TEXT NOT NULL,             -- the acquirer
  fen         BIGINT NOT NULL,
  PRIMARY KEY (win, from_agency, to_agency)
);

CREATE TABLE statements (
  win       BIGINT NOT NULL REFERENCES windows (id),
  agency    TEXT NOT NULL,
  format    TEXT NOT NULL CHECK (format IN ('json', 'csv')),
  body      TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (win, agency, format)
);
