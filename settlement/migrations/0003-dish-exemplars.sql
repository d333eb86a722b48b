-- 0003: what dish recognition has learnt: exemplars (features and a small
-- thumbnail, opaque bytes made by devices/vision) per dish.
-- Not money: an exemplar may be deleted (forget a dish, drop a redundant
-- one), so these rows are outside the append-only journal on purpose.

CREATE TABLE dish_exemplars (
  id       INTEGER PRIMARY KEY,
  dish_id  TEXT NOT NULL REFERENCES dishes (id),
  source   TEXT NOT NULL CHECK (source IN ('enroll', 'correction')),
  exemplar BLOB NOT NULL CHECK (length (exemplar) BETWEEN 1 AND 1048576),
  created  TEXT NOT NULL
) STRICT;

CREATE INDEX dish_exemplars_by_dish ON dish_exemplars (dish_id, id);
