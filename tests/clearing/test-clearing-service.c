/* test-clearing-service.c — the clearing service end to end: a real
 * `canteen-clearing serve` on 127.0.0.1 against SQLite or PostgreSQL (the
 * backend is the first argument: "sqlite" or "pg"; meson runs both).
 * Cards, certificates, records and batches are made with the protocol
 * library, with keys made here. Each case gets a fresh database and server. */
#include <string.h>

#include "clearing.h"
#include "service-fixture.h"

/* Agencies and terminals through the CLI (the enroll and CLI cases) or
 * straight through the core library (the others: fewer processes). */
static gboolean setup_by_cli;

typedef struct {
  char *code;
  guint8 pk[CANTEEN_PROTO_PK_BYTES], sk[CANTEEN_PROTO_SK_BYTES];
} Issuer;

typedef struct {
  CanteenCardCert cert;
  guint8 sk[CANTEEN_PROTO_SK_BYTES];
} Card;

typedef struct {
  char *id;
  guint8 pk[CANTEEN_PROTO_PK_BYTES], sk[CANTEEN_PROTO_SK_BYTES];
  gint64 next_batch, next_seq;
  char prev_hash[65];
} Term;

typedef struct {
  ServiceEnv *env;
  Issuer A, B, C;
  Term TA, TB, TC;
} World;

static char *
time_text (int offset_s)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) t = g_date_time_add_seconds (now, offset_s);
  return canteen_proto_format_time (t);
}

static void
issuer_init (World *w, Issuer *is, const char *code, const char *debit_cap)
{
  is->code = g_strdup (code);
  canteen_proto_keypair (is->pk, is->sk);
  g_autofree char *dir = service_fixture_tmpdir ();
  static int files;
  g_autofree char *path = g_strdup_printf ("%s/issuer-%s-%d.json", dir, code, ++files);
  g_autofree char *name = g_strdup_printf ("%s 机关食堂", code);
  g_autoptr (GError) error = NULL;
  g_assert_true (canteen_issuer_key_file_write (path, code, name, is->pk, &error));
  if (!setup_by_cli)
    {
      g_autoptr (ClearingDb) db = clearing_db_open (w->env->uri, &error);
      g_assert_no_error (error);
      clearing_agency_add (db, code, name, is->pk, debit_cap ? g_ascii_strtoll (debit_cap, NULL, 10) : -1, &error);
      g_assert_no_error (error);
      return;
    }
  g_autofree char *out = NULL, *err = NULL;
  int status = debit_cap ? service_cli (w->env, &out, &err, "agency", "add", code, "--name", name, "--issuer-key", path,
                                        "--debit-cap", debit_cap, NULL)
                         : service_cli (w->env, &out, &err, "agency", "add", code, "--name", name, "--issuer-key", path,
                                        NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
}

static char *
terminal_add (World *w, const char *id, const char *agency)
{
  if (!setup_by_cli)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ClearingDb) db = clearing_db_open (w->env->uri, &error);
      g_assert_no_error (error);
      char *token = clearing_terminal_add (db, id, agency, &error);
      g_assert_no_error (error);
      return token;
    }
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = service_cli (w->env, &out, &err, "terminal", "add", id, "--agency", agency, NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  return g_strstrip (out);
}

static char *
enroll_body (const char *id, const guint8 *pk, const char *token)
{
  g_autofree char *pk_b64 = canteen_proto_b64_encode (pk, CANTEEN_PROTO_PK_BYTES);
  return g_strdup_printf ("{\"terminal\":\"%s\",\"public_key\":\"%s\",\"token\":\"%s\"}", id, pk_b64, token);
}

static void
term_init (World *w, Term *t, const char *id, const char *agency)
{
  t->id = g_strdup (id);
  canteen_proto_keypair (t->pk, t->sk);
  t->next_batch = 1;
  t->next_seq = 1;
  memset (t->prev_hash, '0', 64);
  t->prev_hash[64] = '\0';
  g_autofree char *token = terminal_add (w, id, agency);
  g_autofree char *body = enroll_body (id, t->pk, token);
  g_autoptr (ServiceResponse) r = service_http (w->env, NULL, NULL, "POST", "/v1/enroll", body, strlen (body), 0);
  g_assert_cmpint (r->status, ==, 200);
}

static World *
world_new (const char *b_debit_cap)
{
  World *w = g_new0 (World, 1);
  w->env = service_env_new ();
  issuer_init (w, &w->A, "A", NULL);
  issuer_init (w, &w->B, "B", b_debit_cap);
  issuer_init (w, &w->C, "C", NULL);
  term_init (w, &w->TA, "TA", "A");
  term_init (w, &w->TB, "TB", "B");
  term_init (w, &w->TC, "TC", "C");
  return w;
}

static void
world_free (World *w)
{
  service_env_free (w->env);
  Issuer *is[] = { &w->A, &w->B, &w->C };
  Term *ts[] = { &w->TA, &w->TB, &w->TC };
  for (int i = 0; i < 3; i++)
    {
      g_free (is[i]->code);
      g_free (ts[i]->id);
    }
  g_free (w);
}

static void
card_init (Card *c, const Issuer *is, const char *id, gint64 daily_cap, int valid_days)
{
  memset (c, 0, sizeof *c);
  guint8 pk[CANTEEN_PROTO_PK_BYTES];
  canteen_proto_keypair (pk, c->sk);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) until = g_date_time_add_days (now, valid_days);
  c->cert.agency = g_strdup (is->code);
  c->cert.card = g_strdup (id);
  c->cert.holder = g_strdup ("王五");
  memcpy (c->cert.card_key, pk, sizeof pk);
  c->cert.not_after = g_date_time_format (until, "%Y-%m-%d");
  c->cert.offline_cap_fen = 5000;
  c->cert.daily_cap_fen = daily_cap;
  canteen_card_cert_sign (&c->cert, is->sk);
}

static CanteenRecord *
sale (Term *t, const Card *c, gint64 amount, const char *authorisation)
{
  CanteenRecord *r = g_new0 (CanteenRecord, 1);
  r->terminal = g_strdup (t->id);
  r->seq = t->next_seq++;
  r->kind = CANTEEN_RECORD_SALE;
  r->checkout = g_uuid_string_random ();
  r->time = time_text (-60);
  r->amount_fen = amount;
  r->nonce = canteen_proto_new_nonce ();
  r->has_cert = TRUE;
  canteen_card_cert_copy (&c->cert, &r->cert);
  CanteenPayment p = { r->terminal, r->seq, amount, r->time, c->cert.agency, c->cert.card, r->nonce };
  g_autoptr (GString) msg = canteen_payment_message (&p, NULL);
  g_assert_nonnull (msg);
  canteen_proto_sign (c->sk, msg->str, msg->len, r->card_sig);
  r->online = authorisation != NULL;
  r->authorisation = g_strdup (authorisation);
  return r;
}

static CanteenRecord *
reversal (Term *t, gint64 reverses_seq, gint64 amount)
{
  CanteenRecord *r = g_new0 (CanteenRecord, 1);
  r->terminal = g_strdup (t->id);
  r->seq = t->next_seq++;
  r->kind = CANTEEN_RECORD_REVERSAL;
  r->checkout = g_uuid_string_random ();
  r->time = time_text (-30);
  r->amount_fen = -amount;
  r->reverses_terminal = g_strdup (t->id);
  r->reverses_seq = reverses_seq;
  return r;
}

/* The body of batch `number` of `t` after `prev` holding the records (taken). */
static GBytes *
batch_bytes (Term *t, gint64 number, const char *prev, CanteenRecord **records, guint n)
{
  g_autofree char *created = time_text (0);
  g_autoptr (CanteenBatch) b = canteen_batch_new (t->id, number, prev, created);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (b->records, records[i]);
  return canteen_batch_to_bytes (b);
}

static ServiceResponse *
post_batch (World *w, Term *t, GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  return service_http (w->env, t->id, t->sk, "POST", "/v1/batches", data, len, 0);
}

static void
advance (Term *t, GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  canteen_proto_sha256_hex (data, len, t->prev_hash);
  t->next_batch++;
}

/* Sends the next batch of `t` and expects it accepted; returns the receipt. */
static char *
accept_batch (World *w, Term *t, CanteenRecord **records, guint n)
{
  g_autoptr (GBytes) bytes = batch_bytes (t, t->next_batch, t->prev_hash, records, n);
  g_autoptr (ServiceResponse) r = post_batch (w, t, bytes);
  if (r->status != 200)
    g_error ("batch %s/%" G_GINT64_FORMAT ": %ld %s", t->id, t->next_batch, r->status, r->body);
  advance (t, bytes);
  return g_strdup (r->body);
}

static void
assert_error (ServiceResponse *r, long status, const char *code, const char *in_message)
{
  if (r->status != status || strstr (r->body, code) == NULL || strstr (r->body, in_message) == NULL)
    g_error ("expected %ld %s \"%s\", got %ld %s", status, code, in_message, r->status, r->body);
}

/* Every table's row count: equal fingerprints mean "nothing changed". */
static char *
fingerprint (World *w)
{
  return service_query (w->env,
                        "SELECT CAST((SELECT COUNT(*) FROM batches) AS TEXT) || ':' || "
                        "CAST((SELECT COUNT(*) FROM records) AS TEXT) || ':' || "
                        "CAST((SELECT COUNT(*) FROM authorisations) AS TEXT) || ':' || "
                        "CAST((SELECT COUNT(*) FROM deny) AS TEXT) || ':' || "
                        "CAST((SELECT COUNT(*) FROM windows) AS TEXT) || ':' || "
                        "CAST((SELECT COUNT(*) FROM terminals WHERE public_key IS NOT NULL) AS TEXT)");
}

static char *
verify_output (World *w, int *status)
{
  char *out = NULL;
  g_autofree char *err = NULL;
  *status = service_cli (w->env, &out, &err, "verify", NULL);
  return out;
}

static void
assert_verify_reports (World *w, const char *expected)
{
  int status;
  g_autofree char *out = verify_output (w, &status);
  if (status != 1 || strstr (out, expected) == NULL)
    g_error ("verify: expected \"%s\" (status 1), got status %d:\n%s", expected, status, out);
}

static void
assert_verify_clean (World *w)
{
  int status;
  g_autofree char *out = verify_output (w, &status);
  if (status != 0)
    g_error ("verify found problems on clean data:\n%s", out);
}

/* ---- the shared scenario ------------------------------------------------ */

typedef struct {
  Card ca, cb, cc;
} Cards;

static void
cards_init (World *w, Cards *c)
{
  card_init (&c->ca, &w->A, "A-0001", 20000, 365);
  card_init (&c->cb, &w->B, "B-0001", 20000, 365);
  card_init (&c->cc, &w->C, "C-0001", 20000, 365);
}

static void
cards_clear (Cards *c)
{
  canteen_card_cert_clear (&c->ca.cert);
  canteen_card_cert_clear (&c->cb.cert);
  canteen_card_cert_clear (&c->cc.cert);
}

/* Window 1: B owes A 1700, C owes A 500, A owes B 700, B owes C 300 (nets
 * A +1500, B -1300, C -200), closed; then TA's batch 2 (B card, 100 fen)
 * in window 2. */
static void
scenario (World *w, Cards *c)
{
  CanteenRecord *ta[] = { sale (&w->TA, &c->cb, 1500, NULL), sale (&w->TA, &c->cc, 500, NULL),
                          sale (&w->TA, &c->cb, 200, NULL) };
  g_free (accept_batch (w, &w->TA, ta, 3));
  CanteenRecord *tb[] = { sale (&w->TB, &c->ca, 700, NULL) };
  g_free (accept_batch (w, &w->TB, tb, 1));
  CanteenRecord *tc[] = { sale (&w->TC, &c->cb, 300, NULL) };
  g_free (accept_batch (w, &w->TC, tc, 1));
  if (setup_by_cli)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_assert_cmpint (service_cli (w->env, &out, &err, "window", "close", NULL), ==, 0);
      g_assert_cmpstr (out, ==, "window 1 closed; window 2 open\n");
    }
  else
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ClearingDb) db = clearing_db_open (w->env->uri, &error);
      ClearingKey key;
      g_assert_true (clearing_key_load (db, w->env->key_path, &key, &error));
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_assert_cmpint (clearing_window_close (db, &key, now, &error), ==, 1);
    }
  CanteenRecord *late[] = { sale (&w->TA, &c->cb, 100, NULL) };
  g_autofree char *receipt = accept_batch (w, &w->TA, late, 1);
  g_assert_nonnull (strstr (receipt, "\"window\":2"));
}

/* ---- cases ------------------------------------------------------------ */

static void
test_enroll (void)
{
  setup_by_cli = TRUE;
  World *w = world_new (NULL);
  guint8 pk[CANTEEN_PROTO_PK_BYTES], sk[CANTEEN_PROTO_SK_BYTES], pk2[CANTEEN_PROTO_PK_BYTES];
  canteen_proto_keypair (pk, sk);
  canteen_proto_keypair (pk2, sk);
  g_autofree char *token = terminal_add (w, "TA2", "A");
  g_autofree char *body = enroll_body ("TA2", pk, token);
  g_autoptr (ServiceResponse) r1 = service_http (w->env, NULL, NULL, "POST", "/v1/enroll", body, strlen (body), 0);
  g_assert_cmpint (r1->status, ==, 200);
  g_autofree char *key = canteen_proto_b64_encode (w->env->clearing_pk, CANTEEN_PROTO_PK_BYTES);
  g_autofree char *expect = g_strdup_printf ("{\"terminal\":\"TA2\",\"agency\":\"A\",\"clearing_key\":\"%s\"}", key);
  g_assert_cmpstr (r1->body, ==, expect);
  /* The same request again: the same answer. */
  g_autoptr (ServiceResponse) r2 = service_http (w->env, NULL, NULL, "POST", "/v1/enroll", body, strlen (body), 0);
  g_assert_cmpint (r2->status, ==, 200);
  g_assert_cmpstr (r2->body, ==, r1->body);
  /* The token works once: another key is refused. */
  g_autofree char *other = enroll_body ("TA2", pk2, token);
  g_autoptr (ServiceResponse) r3 = service_http (w->env, NULL, NULL, "POST", "/v1/enroll", other, strlen (other), 0);
  assert_error (r3, 409, "conflict", "enrolled already");
  g_autofree char *wrong = enroll_body ("TA2", pk, "0000");
  g_autoptr (ServiceResponse) r4 = service_http (w->env, NULL, NULL, "POST", "/v1/enroll", wrong, strlen (wrong), 0);
  assert_error (r4, 401, "unauthenticated", "wrong enrollment token");
  g_autofree char *unknown = enroll_body ("NOPE", pk, token);
  g_autoptr (ServiceResponse) r5 = service_http (w->env, NULL, NULL, "POST", "/v1/enroll", unknown, strlen (unknown), 0);
  assert_error (r5, 401, "unauthenticated", "unknown terminal NOPE");
  world_free (w);
  setup_by_cli = FALSE;
}

static void
test_batch_replay (void)
{
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  CanteenRecord *recs[] = { sale (&w->TA, &c.cb, 1500, NULL), sale (&w->TA, &c.cc, 800, NULL) };
  g_autoptr (GBytes) bytes = batch_bytes (&w->TA, 1, NULL, recs, 2);
  g_autoptr (ServiceResponse) r1 = post_batch (w, &w->TA, bytes);
  g_assert_cmpint (r1->status, ==, 200);
  char hash[65];
  canteen_proto_sha256_hex (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), hash);
  g_autofree char *prefix = g_strdup_printf ("{\"terminal\":\"TA\",\"batch\":1,\"hash\":\"%s\",\"records\":2,"
                                             "\"window\":1,\"received\":\"", hash);
  g_assert_true (g_str_has_prefix (r1->body, prefix));
  /* The receipt is signed by the service's key. */
  guint8 sig[CANTEEN_PROTO_SIG_BYTES];
  g_assert_nonnull (r1->signature);
  g_assert_true (canteen_proto_b64_decode (r1->signature, sig, sizeof sig, NULL));
  g_autoptr (GString) doc = canteen_document_message ("receipt", r1->body, r1->len);
  g_assert_true (canteen_proto_verify (w->env->clearing_pk, doc->str, doc->len, sig, NULL));
  /* An exact replay: the byte-identical receipt, nothing stored twice. */
  g_autofree char *before = fingerprint (w);
  g_usleep (1100 * 1000);   /* a later "received" would show */
  g_autoptr (ServiceResponse) r2 = post_batch (w, &w->TA, bytes);
  g_assert_cmpint (r2->status, ==, 200);
  g_assert_cmpstr (r2->body, ==, r1->body);
  g_assert_cmpstr (r2->signature, ==, r1->signature);
  g_autofree char *after = fingerprint (w);
  g_assert_cmpstr (before, ==, after);
  /* The same key with another body: 409, nothing changed. */
  w->TA.next_seq = 1;
  CanteenRecord *other[] = { sale (&w->TA, &c.cb, 1600, NULL) };
  g_autoptr (GBytes) bytes2 = batch_bytes (&w->TA, 1, NULL, other, 1);
  g_autoptr (ServiceResponse) r3 = post_batch (w, &w->TA, bytes2);
  assert_error (r3, 409, "conflict", "another body");
  g_autofree char *after2 = fingerprint (w);
  g_assert_cmpstr (before, ==, after2);
  cards_clear (&c);
  world_free (w);
}

static void
test_reordered_and_chain (void)
{
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  CanteenRecord *r1[] = { sale (&w->TA, &c.cb, 100, NULL) };
  g_autoptr (GBytes) b1 = batch_bytes (&w->TA, 1, NULL, r1, 1);
  char h1[65], h2[65];
  canteen_proto_sha256_hex (g_bytes_get_data (b1, NULL), g_bytes_get_size (b1), h1);
  CanteenRecord *r2[] = { sale (&w->TA, &c.cb, 200, NULL) };
  g_autoptr (GBytes) b2 = batch_bytes (&w->TA, 2, h1, r2, 1);
  canteen_proto_sha256_hex (g_bytes_get_data (b2, NULL), g_bytes_get_size (b2), h2);
  CanteenRecord *r3[] = { sale (&w->TA, &c.cb, 300, NULL) };
  g_autoptr (GBytes) b3 = batch_bytes (&w->TA, 3, h2, r3, 1);

  g_autoptr (ServiceResponse) a1 = post_batch (w, &w->TA, b1);
  g_assert_cmpint (a1->status, ==, 200);
  g_autofree char *before = fingerprint (w);
  /* Batch 3 before 2: refused, nothing changed. */
  g_autoptr (ServiceResponse) a3 = post_batch (w, &w->TA, b3);
  assert_error (a3, 422, "sequence_gap", "next is 2");
  g_autofree char *after = fingerprint (w);
  g_assert_cmpstr (before, ==, after);
  /* A batch 2 that does not chain onto batch 1. */
  w->TA.next_seq = 2;
  CanteenRecord *bad[] = { sale (&w->TA, &c.cb, 200, NULL) };
  g_autoptr (GBytes) broken = batch_bytes (&w->TA, 2, "1111111111111111111111111111111111111111111111111111111111111111",
                                           bad, 1);
  g_autoptr (ServiceResponse) ab = post_batch (w, &w->TA, broken);
  assert_error (ab, 422, "chain_broken", "prev_hash");
  /* A batch 2 whose first seq skips one. */
  w->TA.next_seq = 5;
  CanteenRecord *gap[] = { sale (&w->TA, &c.cb, 200, NULL) };
  g_autoptr (GBytes) gapped = batch_bytes (&w->TA, 2, h1, gap, 1);
  g_autoptr (ServiceResponse) ag = post_batch (w, &w->TA, gapped);
  assert_error (ag, 422, "sequence_gap", "next expected is 2");
  g_autofree char *after2 = fingerprint (w);
  g_assert_cmpstr (before, ==, after2);
  /* In order: both accepted. */
  g_autoptr (ServiceResponse) a2 = post_batch (w, &w->TA, b2);
  g_assert_cmpint (a2->status, ==, 200);
  g_autoptr (ServiceResponse) a3b = post_batch (w, &w->TA, b3);
  g_assert_cmpint (a3b->status, ==, 200);
  g_autoptr (ServiceResponse) rec = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/reconciliation", NULL, 0, 0);
  g_assert_cmpint (rec->status, ==, 200);
  g_assert_cmpstr (rec->body, ==, "{\"terminals\":[{\"terminal\":\"TA\",\"batches\":3,\"last_seq\":3,\"gaps\":[]}]}");
  assert_verify_clean (w);
  cards_clear (&c);
  world_free (w);
}

static char *
authorise_body (Term *t, const Card *c, gint64 seq, gint64 amount, gboolean forge)
{
  g_autofree char *time = time_text (0);
  g_autofree char *nonce = canteen_proto_new_nonce ();
  CanteenPayment p = { t->id, seq, amount, time, c->cert.agency, c->cert.card, nonce };
  g_autoptr (GString) msg = canteen_payment_message (&p, NULL);
  guint8 sig[CANTEEN_PROTO_SIG_BYTES];
  canteen_proto_sign (c->sk, msg->str, msg->len, sig);
  if (forge)
    sig[3] ^= 1;
  g_autofree char *sig_b64 = canteen_proto_b64_encode (sig, sizeof sig);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  json_builder_add_string_value (b, t->id);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, seq);
  json_builder_set_member_name (b, "amount_fen");
  json_builder_add_int_value (b, amount);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "nonce");
  json_builder_add_string_value (b, nonce);
  json_builder_set_member_name (b, "cert");
  json_builder_add_value (b, canteen_card_cert_to_json (&c->cert));
  json_builder_set_member_name (b, "card_sig");
  json_builder_add_string_value (b, sig_b64);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return canteen_proto_to_text (root, NULL);
}

static char *
authorise (World *w, Term *t, const char *body, long expect_status)
{
  g_autoptr (ServiceResponse) r = service_http (w->env, t->id, t->sk, "POST", "/v1/authorise", body, strlen (body), 0);
  if (r->status != expect_status)
    g_error ("authorise: %ld %s", r->status, r->body);
  return g_strdup (r->body);
}

static void
test_authorise (void)
{
  World *w = world_new ("3000");
  Card cb, cb2, small, old, stranger;
  Issuer z = { g_strdup ("Z") };
  canteen_proto_keypair (z.pk, z.sk);
  card_init (&cb, &w->B, "B-0001", 20000, 365);
  card_init (&cb2, &w->B, "B-0002", 20000, 365);
  card_init (&small, &w->C, "C-0009", 2000, 365);
  card_init (&old, &w->C, "C-0010", 20000, -2);
  card_init (&stranger, &z, "Z-1", 20000, 365);

  /* Approved, with the issuer's name; the same request again: the same answer. */
  g_autofree char *body = authorise_body (&w->TA, &cb, 1, 1500, FALSE);
  g_autofree char *a1 = authorise (w, &w->TA, body, 200);
  g_assert_true (g_str_has_prefix (a1, "{\"approved\":true,\"authorisation\":\""));
  g_assert_nonnull (strstr (a1, "\"issuer\":\"B 机关食堂\"}"));
  g_autofree char *a1b = authorise (w, &w->TA, body, 200);
  g_assert_cmpstr (a1, ==, a1b);
  /* Another request under the same (terminal, seq): 409. */
  g_autofree char *body_other = authorise_body (&w->TA, &cb, 1, 1400, FALSE);
  g_autoptr (ServiceResponse) conflict = service_http (w->env, "TA", w->TA.sk, "POST", "/v1/authorise", body_other,
                                                       strlen (body_other), 0);
  assert_error (conflict, 409, "conflict", "authorised already");
  /* The online sale clears with that authorisation. */
  g_autoptr (JsonNode) answer = json_from_string (a1, NULL);
  const char *auth_id = json_object_get_string_member (json_node_get_object (answer), "authorisation");
  CanteenRecord *online[] = { sale (&w->TA, &cb, 1500, auth_id) };
  g_free (accept_batch (w, &w->TA, online, 1));
  /* An online sale with an authorisation never given is a bad record. */
  CanteenRecord *fake[] = { sale (&w->TA, &cb, 100, "made-up") };
  g_autoptr (GBytes) fb = batch_bytes (&w->TA, w->TA.next_batch, w->TA.prev_hash, fake, 1);
  g_autoptr (ServiceResponse) fr = post_batch (w, &w->TA, fb);
  assert_error (fr, 422, "bad_record", "authorisation made-up was not given");
  w->TA.next_seq--;

  /* Debit cap of B: 3000 per window; 1500 cleared + 1000 authorised + 600 > 3000. */
  g_autofree char *b2 = authorise_body (&w->TA, &cb2, 2, 1000, FALSE);
  g_autofree char *a2 = authorise (w, &w->TA, b2, 200);
  g_assert_true (g_str_has_prefix (a2, "{\"approved\":true"));
  g_autofree char *b3 = authorise_body (&w->TA, &cb2, 3, 600, FALSE);
  g_autofree char *a3 = authorise (w, &w->TA, b3, 200);
  g_assert_cmpstr (a3, ==, "{\"approved\":false,\"reason\":\"debit_cap\",\"issuer\":\"B 机关食堂\"}");
  /* The card's daily cap: 2000 a day. */
  g_autofree char *b4 = authorise_body (&w->TA, &small, 4, 1500, FALSE);
  g_autofree char *a4 = authorise (w, &w->TA, b4, 200);
  g_assert_true (g_str_has_prefix (a4, "{\"approved\":true"));
  g_autofree char *b5 = authorise_body (&w->TA, &small, 5, 600, FALSE);
  g_autofree char *a5 = authorise (w, &w->TA, b5, 200);
  g_assert_cmpstr (a5, ==, "{\"approved\":false,\"reason\":\"daily_cap\",\"issuer\":\"C 机关食堂\"}");
  /* The deny list. */
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (service_cli (w->env, &out, &err, "deny", "add", "--agency", "C", "--card", "C-0009", NULL), ==, 0);
  g_autofree char *b6 = authorise_body (&w->TA, &small, 6, 100, FALSE);
  g_autofree char *a6 = authorise (w, &w->TA, b6, 200);
  g_assert_cmpstr (a6, ==, "{\"approved\":false,\"reason\":\"denied\",\"issuer\":\"C 机关食堂\"}");
  g_autoptr (ServiceResponse) deny = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/deny?since=0", NULL, 0, 0);
  g_assert_cmpstr (deny->body, ==, "{\"version\":1,\"entries\":[{\"agency\":\"C\",\"card\":\"C-0009\",\"denied\":true}]}");
  g_autoptr (ServiceResponse) deny1 = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/deny?since=1", NULL, 0, 0);
  g_assert_cmpstr (deny1->body, ==, "{\"version\":1,\"entries\":[]}");
  /* Allowed again: version 2; and a terminal's back office denies its own agency's card. */
  g_autofree char *o2 = NULL, *e2 = NULL;
  g_assert_cmpint (service_cli (w->env, &o2, &e2, "deny", "remove", "--agency", "C", "--card", "C-0009", NULL), ==, 0);
  g_autoptr (ServiceResponse) deny2 = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/deny?since=1", NULL, 0, 0);
  g_assert_cmpstr (deny2->body, ==, "{\"version\":2,\"entries\":[{\"agency\":\"C\",\"card\":\"C-0009\",\"denied\":false}]}");
  const char *own = "{\"card\":\"C-0009\",\"denied\":true}";
  g_autoptr (ServiceResponse) deny3 = service_http (w->env, "TC", w->TC.sk, "POST", "/v1/deny", own, strlen (own), 0);
  g_assert_cmpstr (deny3->body, ==, "{\"version\":3}");
  /* Expired, forged, unknown issuer. */
  g_autofree char *b7 = authorise_body (&w->TA, &old, 7, 100, FALSE);
  g_autofree char *a7 = authorise (w, &w->TA, b7, 200);
  g_assert_nonnull (strstr (a7, "\"reason\":\"expired\""));
  g_autofree char *b8 = authorise_body (&w->TA, &cb, 8, 100, TRUE);
  g_autofree char *a8 = authorise (w, &w->TA, b8, 200);
  g_assert_nonnull (strstr (a8, "\"reason\":\"bad_card_signature\""));
  g_autofree char *b9 = authorise_body (&w->TA, &stranger, 9, 100, FALSE);
  g_autofree char *a9 = authorise (w, &w->TA, b9, 200);
  g_assert_cmpstr (a9, ==, "{\"approved\":false,\"reason\":\"unknown_issuer\",\"issuer\":\"Z\"}");
  /* A terminal asks only for itself. */
  g_autofree char *b10 = authorise_body (&w->TB, &cb, 10, 100, FALSE);
  g_autoptr (ServiceResponse) f = service_http (w->env, "TA", w->TA.sk, "POST", "/v1/authorise", b10, strlen (b10), 0);
  assert_error (f, 403, "forbidden", "may not ask for TB");
  g_autoptr (ServiceResponse) trust = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/trust?since=2", NULL, 0, 0);
  g_assert_true (g_str_has_prefix (trust->body, "{\"version\":3,\"agencies\":[{\"code\":\"C\""));

  Card *cs[] = { &cb, &cb2, &small, &old, &stranger };
  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    canteen_card_cert_clear (&cs[i]->cert);
  g_free (z.code);
  world_free (w);
}

static void
test_window_positions_statement (void)
{
  setup_by_cli = TRUE;
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  scenario (w, &c);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (service_cli (w->env, &out, &err, "positions", "--json", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "{\"window\":1,\"positions\":[{\"agency\":\"A\",\"net_fen\":1500},{\"agency\":\"B\","
                   "\"net_fen\":-1300},{\"agency\":\"C\",\"net_fen\":-200}],\"bilateral\":[{\"from\":\"A\",\"to\":\"B\","
                   "\"fen\":700},{\"from\":\"B\",\"to\":\"A\",\"fen\":1700},{\"from\":\"B\",\"to\":\"C\",\"fen\":300},"
                   "{\"from\":\"C\",\"to\":\"A\",\"fen\":500}]}\n");
  /* The late record is in window 2, which is open: no positions yet. */
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_assert_cmpint (service_cli (w->env, &out2, &err2, "positions", "--window", "2", "--json", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "window 2 is still open"));
  /* Window 2 closes with only the late record: B owes A 100. */
  g_autofree char *o3 = NULL, *e3 = NULL, *o4 = NULL, *e4 = NULL;
  g_assert_cmpint (service_cli (w->env, &o3, &e3, "window", "close", NULL), ==, 0);
  g_assert_cmpint (service_cli (w->env, &o4, &e4, "positions", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (o4, "{\"window\":2,\"positions\":[{\"agency\":\"A\",\"net_fen\":100},{\"agency\":\"B\","
                                "\"net_fen\":-100},{\"agency\":\"C\",\"net_fen\":0}]"));
  /* The closed window cannot be reopened, even in SQL. */
  g_autofree char *msg = NULL;
  g_assert_false (service_sql (w->env, "UPDATE windows SET closed = NULL WHERE id = 1", &msg));
  g_assert_nonnull (strstr (msg, "closed"));
  g_clear_pointer (&msg, g_free);
  g_assert_false (service_sql (w->env, "UPDATE records SET amount_fen = 1 WHERE terminal = 'TA'", &msg));

  /* Statements: signed, own agency only, closed windows only. */
  g_autoptr (ServiceResponse) s = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/statements/A?window=1&format=json",
                                                NULL, 0, 0);
  g_assert_cmpint (s->status, ==, 200);
  g_assert_true (g_str_has_prefix (s->body, "{\"window\":1,\"agency\":\"A\",\"closed\":\""));
  g_assert_nonnull (strstr (s->body, "\"net_fen\":1500,\"receivable\":[{\"from\":\"B\",\"fen\":1700},{\"from\":\"C\","
                                     "\"fen\":500}],\"payable\":[{\"to\":\"B\",\"fen\":700}],\"records\":["));
  guint8 sig[CANTEEN_PROTO_SIG_BYTES];
  g_assert_true (canteen_proto_b64_decode (s->signature, sig, sizeof sig, NULL));
  g_autoptr (GString) doc = canteen_document_message ("statement-json", s->body, s->len);
  g_assert_true (canteen_proto_verify (w->env->clearing_pk, doc->str, doc->len, sig, NULL));
  g_autoptr (ServiceResponse) csv = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/statements/A?window=1&format=csv",
                                                  NULL, 0, 0);
  g_assert_cmpint (csv->status, ==, 200);
  g_assert_true (g_str_has_prefix (csv->body, "window,agency,terminal,seq,kind,role,card,amount_fen,time\n"
                                              "1,A,TA,1,sale,acquirer,B-0001,1500,"));
  g_assert_true (canteen_proto_b64_decode (csv->signature, sig, sizeof sig, NULL));
  g_autoptr (GString) doc2 = canteen_document_message ("statement-csv", csv->body, csv->len);
  g_assert_true (canteen_proto_verify (w->env->clearing_pk, doc2->str, doc2->len, sig, NULL));
  g_autoptr (ServiceResponse) other = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/statements/B?window=1", NULL, 0,
                                                    0);
  assert_error (other, 403, "forbidden", "own agency");
  g_autoptr (ServiceResponse) open = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/statements/A?window=3", NULL, 0,
                                                   0);
  assert_error (open, 404, "not_found", "still open");
  g_autoptr (ServiceResponse) pos = service_http (w->env, "TB", w->TB.sk, "GET", "/v1/positions?window=1", NULL, 0, 0);
  g_assert_cmpint (pos->status, ==, 200);
  g_assert_true (g_str_has_prefix (out, pos->body));

  /* A reversal of a sale, accepted; the whole thing verifies. */
  CanteenRecord *rev[] = { reversal (&w->TA, 3, 200) };
  g_free (accept_batch (w, &w->TA, rev, 1));
  assert_verify_clean (w);
  /* The server restarts cleanly and answers the same. */
  service_env_stop (w->env);
  service_env_start (w->env);
  g_autoptr (ServiceResponse) pos2 = service_http (w->env, "TB", w->TB.sk, "GET", "/v1/positions?window=1", NULL, 0, 0);
  g_assert_cmpstr (pos2->body, ==, pos->body);
  cards_clear (&c);
  world_free (w);
  setup_by_cli = FALSE;
}

/* Concurrent authorisations cannot both spend the last of a cap. */
typedef struct {
  World *w;
  char *body;
  char *answer;
} Concurrent;

static gpointer
authorise_thread (gpointer data)
{
  Concurrent *c = data;
  g_autoptr (ServiceResponse) r = service_http (c->w->env, "TA", c->w->TA.sk, "POST", "/v1/authorise", c->body,
                                                strlen (c->body), 0);
  c->answer = g_strdup_printf ("%ld %s", r->status, r->body);
  return NULL;
}

static void
test_authorise_concurrent (void)
{
  World *w = world_new (NULL);
  Card card;
  card_init (&card, &w->B, "B-0042", 2000, 365);
  Concurrent cs[8];
  GThread *threads[8];
  for (int i = 0; i < 8; i++)
    {
      cs[i].w = w;
      cs[i].body = authorise_body (&w->TA, &card, i + 1, 600, FALSE);
      threads[i] = g_thread_new ("authorise", authorise_thread, &cs[i]);
    }
  int approved = 0, capped = 0;
  for (int i = 0; i < 8; i++)
    {
      g_thread_join (threads[i]);
      if (g_str_has_prefix (cs[i].answer, "200 {\"approved\":true"))
        approved++;
      else if (strstr (cs[i].answer, "\"reason\":\"daily_cap\"") != NULL)
        capped++;
      else
        g_error ("unexpected answer: %s", cs[i].answer);
      g_free (cs[i].body);
      g_free (cs[i].answer);
    }
  g_assert_cmpint (approved, ==, 3);   /* 3 x 600 <= 2000 < 4 x 600 */
  g_assert_cmpint (capped, ==, 5);
  canteen_card_cert_clear (&card.cert);
  world_free (w);
}

/* The same batch sent four times at once is stored once; all four get the
 * same receipt. */
typedef struct {
  World *w;
  GBytes *bytes;
  char *answer;
} Post;

static gpointer
post_thread (gpointer data)
{
  Post *p = data;
  g_autoptr (ServiceResponse) r = post_batch (p->w, &p->w->TA, p->bytes);
  p->answer = g_strdup_printf ("%ld %s", r->status, r->body);
  return NULL;
}

static void
test_batch_concurrent (void)
{
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  CanteenRecord *recs[] = { sale (&w->TA, &c.cb, 1500, NULL), sale (&w->TA, &c.cc, 700, NULL) };
  g_autoptr (GBytes) bytes = batch_bytes (&w->TA, 1, NULL, recs, 2);
  Post ps[4];
  GThread *threads[4];
  for (int i = 0; i < 4; i++)
    {
      ps[i] = (Post) { w, bytes, NULL };
      threads[i] = g_thread_new ("post", post_thread, &ps[i]);
    }
  for (int i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  for (int i = 0; i < 4; i++)
    {
      g_assert_true (g_str_has_prefix (ps[i].answer, "200 "));
      g_assert_cmpstr (ps[i].answer, ==, ps[0].answer);
    }
  for (int i = 0; i < 4; i++)
    g_free (ps[i].answer);
  g_autofree char *fp = fingerprint (w);
  g_assert_true (g_str_has_prefix (fp, "1:2:"));
  cards_clear (&c);
  world_free (w);
}

/* PostgreSQL restarts under the service: it reconnects, nothing is lost. */
static void
test_pg_restart (void)
{
  if (!g_str_equal (service_fixture_backend (), "pg"))
    {
      g_test_skip ("PostgreSQL only");
      return;
    }
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  CanteenRecord *r1[] = { sale (&w->TA, &c.cb, 1500, NULL) };
  g_free (accept_batch (w, &w->TA, r1, 1));
  service_fixture_pg_restart ();
  /* Reads reconnect on the next request (a request that hit the dead
   * connection may answer 503, which a terminal retries). */
  long status = 0;
  for (int i = 0; i < 10 && status != 200; i++)
    {
      g_autoptr (ServiceResponse) t = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/trust?since=0", NULL, 0, 0);
      status = t->status;
      g_assert_true (status == 200 || status == 503);
    }
  g_assert_cmpint (status, ==, 200);
  CanteenRecord *r2[] = { sale (&w->TA, &c.cb, 700, NULL) };
  g_free (accept_batch (w, &w->TA, r2, 1));
  g_autofree char *fp = fingerprint (w);
  g_assert_true (g_str_has_prefix (fp, "2:2:"));
  assert_verify_clean (w);
  cards_clear (&c);
  world_free (w);
}

/* The daily cut-off closes the window while serving. */
static void
test_cutoff (void)
{
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  CanteenRecord *recs[] = { sale (&w->TA, &c.cb, 1500, NULL) };
  g_free (accept_batch (w, &w->TA, recs, 1));
  service_env_stop (w->env);
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_assert_nonnull (tz);
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_autoptr (GDateTime) at = g_date_time_add_seconds (now, 4);
  g_autofree char *cutoff = g_date_time_format (at, "%H:%M:%S");
  w->env->serve_args[0] = "--cutoff";
  w->env->serve_args[1] = cutoff;
  service_env_start (w->env);
  g_autofree char *closed = NULL;
  for (int i = 0; i < 200 && closed == NULL; i++)
    {
      g_usleep (100 * 1000);
      closed = service_query (w->env, "SELECT closed FROM windows WHERE id = 1 AND closed IS NOT NULL");
    }
  g_assert_nonnull (closed);
  CanteenRecord *late[] = { sale (&w->TA, &c.cb, 100, NULL) };
  g_autofree char *receipt = accept_batch (w, &w->TA, late, 1);
  g_assert_nonnull (strstr (receipt, "\"window\":2"));
  g_autoptr (ServiceResponse) pos = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/positions", NULL, 0, 0);
  g_assert_true (g_str_has_prefix (pos->body, "{\"window\":1,\"positions\":[{\"agency\":\"A\",\"net_fen\":1500}"));
  w->env->serve_args[0] = NULL;
  cards_clear (&c);
  world_free (w);
}

/* ---- tamper suite --------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *sql;        /* run with the guards off */
  const char *expected;   /* in verify's report */
} Tamper;

static const Tamper tampers[] = {
  { "amount", "UPDATE records SET amount_fen = 1400 WHERE terminal = 'TA' AND seq = 1",
    "record TA/1: stored amount 1400 fen, signed batch 1 says 1500 fen" },
  { "amount-net", "UPDATE records SET amount_fen = 1400 WHERE terminal = 'TA' AND seq = 1",
    "window 1: agency A: stored net 1500 fen, records give 1400 fen" },
  { "terminal-signature",
    "UPDATE batches SET req_sig = (SELECT b.req_sig FROM batches b WHERE b.terminal = 'TB' AND b.batch = 1) "
    "WHERE terminal = 'TA' AND batch = 1",
    "terminal TA batch 1: the terminal's request signature does not verify" },
  { "missing-seq", "DELETE FROM records WHERE terminal = 'TA' AND seq = 2",
    "record TA/2: in signed batch 1 but missing from the store" },
  { "broken-chain",
    "UPDATE batches SET prev_hash = '1111111111111111111111111111111111111111111111111111111111111111' "
    "WHERE terminal = 'TA' AND batch = 2",
    "terminal TA batch 2: chain broken" },
  { "replayed-from-other-terminal",
    "INSERT INTO records (terminal, seq, batch, kind, at, day, amount_fen, issuer, acquirer, card, win) "
    "SELECT 'TB', 2, 1, kind, at, day, amount_fen, issuer, 'B', card, 2 FROM records WHERE terminal = 'TA' AND seq = 1",
    "record TB/2: stored but in no signed batch" },
  { "window-reopened", "UPDATE windows SET closed = NULL WHERE id = 1", "a closed window was reopened" },
  { "window-closing-time", "UPDATE windows SET closed = '2020-01-01T00:00:00Z' WHERE id = 1",
    "window 1: the json statement of agency A differs from what the stored records and window give" },
  { "record-moved-window", "UPDATE records SET win = 1 WHERE terminal = 'TA' AND seq = 4",
    "record TA/4: stored in window 1, its signed receipt says window 2" },
  { "position", "UPDATE positions SET net_fen = net_fen - 100 WHERE agency = 'B' AND win = 1",
    "window 1: agency B: stored net -1400 fen, records give -1300 fen" },
  { "bilateral", "UPDATE bilateral SET fen = 1 WHERE from_agency = 'C' AND win = 1",
    "window 1: C owes A: stored 1 fen, records give 500 fen" },
  { "statement-body", "UPDATE statements SET body = replace(body, '1700', '1800') WHERE agency = 'A' AND format = 'json'",
    "window 1: the json statement of agency A: the signature does not verify" },
  { "statement-deleted", "DELETE FROM statements WHERE agency = 'C' AND format = 'csv'",
    "window 1: the csv statement of agency C is missing" },
  { "batch-body", "UPDATE batches SET body = replace(body, '\"amount_fen\":1500', '\"amount_fen\":1400') "
    "WHERE terminal = 'TA' AND batch = 1",
    "terminal TA batch 1: the stored body does not match its hash" },
};

static void
test_tamper (gconstpointer data)
{
  const Tamper *t = data;
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  scenario (w, &c);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ClearingDb) db = clearing_db_open (w->env->uri, &error);
    g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
    g_assert_true (clearing_verify (db, problems, &error));
    g_assert_cmpuint (problems->len, ==, 0);
  }
  service_tamper (w->env, t->sql);
  assert_verify_reports (w, t->expected);
  if (g_str_equal (t->name, "missing-seq"))
    {
      g_autoptr (ServiceResponse) rec = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/reconciliation", NULL, 0, 0);
      g_assert_cmpstr (rec->body, ==, "{\"terminals\":[{\"terminal\":\"TA\",\"batches\":2,\"last_seq\":4,"
                                      "\"gaps\":[[2,2]]}]}");
    }
  cards_clear (&c);
  world_free (w);
}

/* Tampering the API refuses, changing nothing. */
static void
test_tamper_api (void)
{
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  scenario (w, &c);
  g_autofree char *before = fingerprint (w);
  struct {
    CanteenRecord *record;
    Term *sender;
    long status;
    const char *code, *message;
  } cases[5];
  /* A forged card signature. */
  cases[0].record = sale (&w->TA, &c.cb, 900, NULL);
  cases[0].record->card_sig[0] ^= 1;
  cases[0].sender = &w->TA;
  cases[0].status = 422, cases[0].code = "bad_record", cases[0].message = "record 0: bad_card_signature";
  w->TA.next_seq--;
  /* A record of TA replayed by TB, relabelled to TB: the card signed TA. */
  cases[1].record = sale (&w->TA, &c.cb, 1500, NULL);
  w->TA.next_seq--;
  g_free (cases[1].record->terminal);
  cases[1].record->terminal = g_strdup ("TB");
  cases[1].record->seq = w->TB.next_seq;
  cases[1].sender = &w->TB;
  cases[1].status = 422, cases[1].code = "bad_record", cases[1].message = "record 0: bad_card_signature";
  /* Reversals: of an unknown sale, above the sale, twice. */
  cases[2].record = reversal (&w->TA, 1, 100);
  w->TA.next_seq--;
  g_free (cases[2].record->reverses_terminal);
  cases[2].record->reverses_terminal = g_strdup ("TB");   /* no sale of TA */
  cases[2].sender = &w->TA;
  cases[2].status = 400, cases[2].code = "bad_request",
  cases[2].message = "record 0: reverses: terminal: must be the record's own terminal";
  cases[3].record = reversal (&w->TA, 1, 2000);
  w->TA.next_seq--;
  cases[3].sender = &w->TA;
  cases[3].status = 422, cases[3].code = "bad_record",
  cases[3].message = "the reversal of 2000 fen exceeds the sale's 1500 fen";
  /* A forged terminal signature: TB's key for TA. */
  cases[4].record = sale (&w->TA, &c.cb, 900, NULL);
  w->TA.next_seq--;
  cases[4].sender = NULL;
  cases[4].status = 401, cases[4].code = "unauthenticated", cases[4].message = "does not verify";
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Term *t = cases[i].sender ? cases[i].sender : &w->TA;
      g_autoptr (GBytes) bytes = batch_bytes (t, t->next_batch, t->prev_hash, &cases[i].record, 1);
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      g_autoptr (ServiceResponse) r = service_http (w->env, t->id, cases[i].sender ? t->sk : w->TB.sk, "POST",
                                                    "/v1/batches", data, len, 0);
      assert_error (r, cases[i].status, cases[i].code, cases[i].message);
      g_autofree char *after = fingerprint (w);
      g_assert_cmpstr (before, ==, after);
    }
  /* Reversed twice: the first is accepted, the second refused. */
  CanteenRecord *first[] = { reversal (&w->TA, 3, 200) };
  g_free (accept_batch (w, &w->TA, first, 1));
  g_autofree char *mid = fingerprint (w);
  CanteenRecord *second[] = { reversal (&w->TA, 3, 100) };
  g_autoptr (GBytes) bytes = batch_bytes (&w->TA, w->TA.next_batch, w->TA.prev_hash, second, 1);
  g_autoptr (ServiceResponse) r = post_batch (w, &w->TA, bytes);
  assert_error (r, 422, "bad_record", "sale TA/3 is reversed already");
  g_autofree char *after = fingerprint (w);
  g_assert_cmpstr (mid, ==, after);
  /* A reversal of what is not a sale (the reversal TA/5). */
  w->TA.next_seq--;
  CanteenRecord *third[] = { reversal (&w->TA, 5, 100) };
  g_autoptr (GBytes) bytes3 = batch_bytes (&w->TA, w->TA.next_batch, w->TA.prev_hash, third, 1);
  g_autoptr (ServiceResponse) r3 = post_batch (w, &w->TA, bytes3);
  assert_error (r3, 422, "bad_record", "record 0: record TA/5 is not a sale");
  g_autofree char *after3 = fingerprint (w);
  g_assert_cmpstr (mid, ==, after3);
  assert_verify_clean (w);
  cards_clear (&c);
  world_free (w);
}

static void
test_bad_requests (void)
{
  World *w = world_new (NULL);
  Cards c;
  cards_init (w, &c);
  g_autofree char *before = fingerprint (w);
  struct {
    const char *method, *path, *body;
    int skew;
    gboolean sign;
    long status;
    const char *code, *message;
  } cases[] = {
    { "POST", "/v1/authorise", "not json", 0, TRUE, 400, "bad_request", "" },
    { "POST", "/v1/deny", "{\"card\":\"A-1\",\"denied\":true,\"extra\":1}", 0, TRUE, 400, "bad_request", "extra" },
    { "POST", "/v1/deny", "{\"card\":\"A-1\",\"denied\":\"yes\"}", 0, TRUE, 400, "bad_request", "denied" },
    { "POST", "/v1/batches", "{\"v\":1}", 0, TRUE, 400, "bad_request", "" },
    { "GET", "/v1/reconciliation", NULL, 0, FALSE, 401, "unauthenticated", "X-Canteen-Terminal" },
    { "GET", "/v1/reconciliation", NULL, -600, TRUE, 401, "unauthenticated", "from the service's clock" },
    { "GET", "/v1/statements/B?window=1", NULL, 0, TRUE, 403, "forbidden", "own agency" },
    { "GET", "/v1/trust?since=x", NULL, 0, TRUE, 400, "bad_request", "since" },
    { "DELETE", "/v1/batches", NULL, 0, TRUE, 405, "method_not_allowed", "" },
    { "GET", "/v1/nothing", NULL, 0, TRUE, 404, "not_found", "" },
    { "POST", "/v1/enroll", "{\"terminal\":\"TA\"}", 0, FALSE, 400, "bad_request", "public_key" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *body = cases[i].body;
      g_autoptr (ServiceResponse) r = service_http (w->env, cases[i].sign ? "TA" : NULL, w->TA.sk, cases[i].method,
                                                    cases[i].path, body, body ? strlen (body) : 0, cases[i].skew);
      assert_error (r, cases[i].status, cases[i].code, cases[i].message);
      g_assert_true (g_str_has_prefix (r->body, "{\"error\":"));
      g_assert_nonnull (strstr (r->body, "\"message\":\""));
    }
  /* Too large: 413. */
  gsize big = 5 * 1024 * 1024;
  g_autofree char *huge = g_malloc (big);
  memset (huge, ' ', big);
  g_autoptr (ServiceResponse) r = service_http (w->env, "TA", w->TA.sk, "POST", "/v1/batches", huge, big, 0);
  assert_error (r, 413, "too_large", "4 MiB");
  /* A signature of another body (tampered in transit). */
  g_autoptr (ServiceResponse) ok = service_http (w->env, "TA", w->TA.sk, "GET", "/v1/trust?since=0", NULL, 0, 0);
  g_assert_cmpint (ok->status, ==, 200);
  g_autofree char *after = fingerprint (w);
  g_assert_cmpstr (before, ==, after);
  cards_clear (&c);
  world_free (w);
}

static void
test_cli_errors (void)
{
  setup_by_cli = TRUE;
  World *w = world_new ("3000");
  g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL, *o3 = NULL, *e3 = NULL;
  g_assert_cmpint (service_cli (w->env, &o1, &e1, "terminal", "add", "TX", "--agency", "NOPE", NULL), ==, 1);
  g_assert_nonnull (strstr (e1, "no agency NOPE"));
  g_assert_cmpint (service_cli (w->env, &o2, &e2, "frobnicate", NULL), ==, 2);
  /* init again: idempotent, same key. */
  g_autofree char *o4 = NULL, *e4 = NULL;
  g_assert_cmpint (service_cli (w->env, &o4, &e4, "init", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (o4, "initialised "));
  g_assert_cmpint (service_cli (w->env, &o3, &e3, "terminal", "add", "TA", "--agency", "A", NULL), ==, 1);
  g_assert_nonnull (strstr (e3, "terminal TA exists already"));
  g_autofree char *cap = service_query (w->env, "SELECT CAST(debit_cap_fen AS TEXT) FROM agencies WHERE code = 'B'");
  g_assert_cmpstr (cap, ==, "3000");
  world_free (w);
  setup_by_cli = FALSE;
}

int
main (int argc, char **argv)
{
  const char *backend = "sqlite";
  /* The backend is the first non-option argument (g_test_init leaves it). */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "sqlite") || g_str_equal (argv[i], "pg"))
      {
        backend = argv[i];
        for (int j = i; j < argc - 1; j++)
          argv[j] = argv[j + 1];
        argc--;
        break;
      }
  g_test_init (&argc, &argv, NULL);
  service_fixture_backend_init (backend);
  g_test_add_func ("/clearing/enroll", test_enroll);
  g_test_add_func ("/clearing/batch-replay", test_batch_replay);
  g_test_add_func ("/clearing/reordered-and-chain", test_reordered_and_chain);
  g_test_add_func ("/clearing/authorise", test_authorise);
  g_test_add_func ("/clearing/window-positions-statement", test_window_positions_statement);
  g_test_add_func ("/clearing/cutoff", test_cutoff);
  g_test_add_func ("/clearing/authorise-concurrent", test_authorise_concurrent);
  g_test_add_func ("/clearing/batch-concurrent", test_batch_concurrent);
  g_test_add_func ("/clearing/pg-restart", test_pg_restart);
  for (guint i = 0; i < G_N_ELEMENTS (tampers); i++)
    {
      g_autofree char *path = g_strdup_printf ("/clearing/tamper/%s", tampers[i].name);
      g_test_add_data_func (path, &tampers[i], test_tamper);
    }
  g_test_add_func ("/clearing/tamper/api", test_tamper_api);
  g_test_add_func ("/clearing/bad-requests", test_bad_requests);
  g_test_add_func ("/clearing/cli-errors", test_cli_errors);
  return g_test_run ();
}
