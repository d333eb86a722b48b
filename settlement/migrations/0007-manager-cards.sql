-- 0007: a manager's card (issue 6), to sign in to the dashboard by a tap.
--
-- The card's id is its chip UID as the reader reports it, stored the way
-- canteen_card_normalize() returns card ids (upper-case letters and digits),
-- so "04a1b2c3" and "04A1B2C3" are one card. NULL: the manager has no card.
-- One card belongs to one manager at most (disabled managers included, so a
-- card is never silently passed on). The same card may also be a diner's
-- account card: the dashboard's sign-in page asks only the managers table,
-- and the checkout only the accounts, so one staff card can do both.
-- Setting or clearing a card is journaled like adding a manager.

ALTER TABLE managers ADD COLUMN card TEXT
  CHECK (card IS NULL OR (length (card) BETWEEN 1 AND 32 AND card = upper (card)));

CREATE UNIQUE INDEX managers_card ON managers (card) WHERE card IS NOT NULL;
