/* clearing-proto-json.c — strict JSON for the protocol's documents.
 *
 * Contract: canteen_proto_parse_object() accepts exactly RFC 8259 JSON of
 * one object, at most CANTEEN_PROTO_MAX_BODY bytes, valid UTF-8, nested at
 * most PROTO_MAX_DEPTH deep, of at most PROTO_MAX_TOKENS values and names, with integers that fit in 64 bits and no
 * member twice in one object. Anything else is refused with INVALID.
 *
 * Why a lexical pass before json-glib: json-glib 1.6 (Debian 12) has no
 * strict mode. It accepts comments, single quotes, `var x = …;`, leading
 * zeros, "\u0000" (cutting the string), takes the last of duplicate
 * members, wraps 99999999999999999999 to -1, and recurses once per nesting
 * level (a 4 MiB "[[[[…" would overflow the stack). The pass below only
 * checks tokens and depth; json-glib still builds the tree.
 */
#include "clearing-proto-private.h"

#include <string.h>

/* The bytes of a JSON number at `p` (RFC 8259 grammar); 0 if not one. */
static gsize
number_len (const char *p, const char *end, gboolean *integer)
{
  const char *q = p;

  *integer = TRUE;
  if (q < end && *q == '-')
    q++;
  if (q >= end || !g_ascii_isdigit (*q))
    return 0;
  if (*q == '0')
    q++;
  else
    while (q < end && g_ascii_isdigit (*q))
      q++;
  if (q < end && *q == '.')
    {
      *integer = FALSE;
      q++;
      if (q >= end || !g_ascii_isdigit (*q))
        return 0;
      while (q < end && g_ascii_isdigit (*q))
        q++;
    }
  if (q < end && (*q == 'e' || *q == 'E'))
    {
      *integer = FALSE;
      q++;
      if (q < end && (*q == '+' || *q == '-'))
        q++;
      if (q >= end || !g_ascii_isdigit (*q))
        return 0;
      while (q < end && g_ascii_isdigit (*q))
        q++;
    }
  return (gsize) (q - p);
}

/* The bytes of a JSON string at `p` (which is '"'), quotes included; 0 if
 * it is not a well-formed string or holds "\u0000". */
static gsize
string_len (const char *p, const char *end)
{
  const char *q = p + 1;

  while (q < end)
    {
      guchar c = (guchar) *q;
      if (c == '"')
        return (gsize) (q + 1 - p);
      if (c < 0x20)
        return 0;
      if (c != '\\')
        {
          q++;
          continue;
        }
      if (q + 1 >= end)
        return 0;
      switch (q[1])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          q += 2;
          break;
        case 'u':
          if (end - q < 6 || !g_ascii_isxdigit (q[2]) || !g_ascii_isxdigit (q[3])
              || !g_ascii_isxdigit (q[4]) || !g_ascii_isxdigit (q[5]))
            return 0;
          if (strncmp (q + 2, "0000", 4) == 0)
            return 0;
          q += 6;
          break;
        default:
          return 0;
        }
    }
  return 0;
}

/* The lexical pass: tokens, literals, number ranges and depth. The
 * grammar (what follows what) is left to json-glib, which gets that right. */
static gboolean
lexically_json (const char *text, gsize len, GError **error)
{
  const char *p = text, *end = text + len;
  int depth = 0;
  gboolean started = FALSE;
  guint tokens = 0;

  while (p < end)
    {
      char c = *p;
      gsize n;
      gboolean integer;

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          p++;
          continue;
        }
      /* One object and nothing after it: json-glib 1.6 takes "{} {}" too. */
      if (depth == 0 && (started || c != '{'))
        {
          proto_fail (error, NULL, NULL, "not a JSON object: %s at byte %" G_GSIZE_FORMAT,
                      started ? "more text after the object" : "it does not start with '{'", (gsize) (p - text));
          return FALSE;
        }
      started = TRUE;
      if (c != ',' && c != ':' && c != '}' && c != ']' && ++tokens > PROTO_MAX_TOKENS)
        {
          proto_fail (error, NULL, NULL, "not accepted JSON: more than %d values", PROTO_MAX_TOKENS);
          return FALSE;
        }
      switch (c)
        {
        case ',': case ':':
          p++;
          break;
        case '{': case '[':
          if (++depth > PROTO_MAX_DEPTH)
            {
              proto_fail (error, NULL, NULL, "not accepted JSON: nested more than %d deep", PROTO_MAX_DEPTH);
              return FALSE;
            }
          p++;
          break;
        case '}': case ']':
          depth--;
          p++;
          break;
        case '"':
          if ((n = string_len (p, end)) == 0)
            {
              proto_fail (error, NULL, NULL, "not accepted JSON: a bad string at byte %" G_GSIZE_FORMAT,
                          (gsize) (p - text));
              return FALSE;
            }
          p += n;
          break;
        case 't': case 'f': case 'n':
          if ((end - p >= 4 && (strncmp (p, "true", 4) == 0 || strncmp (p, "null", 4) == 0)))
            n = 4;
          else if (end - p >= 5 && strncmp (p, "false", 5) == 0)
            n = 5;
          else
            n = 0;
          if (n == 0 || (p + n < end && g_ascii_isalnum (p[n])))
            goto bad_token;
          p += n;
          break;
        default:
          if ((n = number_len (p, end, &integer)) == 0 || (p + n < end && (g_ascii_isalnum (p[n]) || p[n] == '.')))
            goto bad_token;
          if (integer)
            {
              g_autofree char *digits = g_strndup (p, n);
              if (!g_ascii_string_to_signed (digits, 10, G_MININT64, G_MAXINT64, NULL, NULL))
                {
                  proto_fail (error, NULL, NULL, "not accepted JSON: a whole number at byte %" G_GSIZE_FORMAT
                              " is out of range", (gsize) (p - text));
                  return FALSE;
                }
            }
          p += n;
          break;
        }
    }
  return TRUE;

bad_token:
  proto_fail (error, NULL, NULL, "not accepted JSON: unexpected text at byte %" G_GSIZE_FORMAT, (gsize) (p - text));
  return FALSE;
}

/* Duplicate members: json-glib keeps the last silently, so count the members
 * as they are parsed and compare with what the object ends up holding. */
typedef struct {
  GHashTable *counts;   /* JsonObject* -> members seen */
  gboolean duplicate;
} DupCheck;

static void
on_object_member (JsonParser *parser, JsonObject *object, const char *name, gpointer data)
{
  DupCheck *dc = data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (dc->counts, object));

  g_hash_table_insert (dc->counts, object, GUINT_TO_POINTER (n + 1));
}

static void
on_object_end (JsonParser *parser, JsonObject *object, gpointer data)
{
  DupCheck *dc = data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (dc->counts, object));

  if (n != json_object_get_size (object))
    dc->duplicate = TRUE;
  g_hash_table_remove (dc->counts, object);
}

JsonNode *
canteen_proto_parse_object (const void *body, gsize len, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  DupCheck dc = { NULL, FALSE };
  JsonNode *root;
  gboolean ok;

  if (body == NULL && len > 0)
    len = 0;
  if (len > CANTEEN_PROTO_MAX_BODY)
    {
      proto_fail (error, NULL, NULL, "larger than %d bytes", CANTEEN_PROTO_MAX_BODY);
      return NULL;
    }
  if (len == 0 || !g_utf8_validate (body, (gssize) len, NULL))
    {
      proto_fail (error, NULL, NULL, "not a JSON object: %s", len == 0 ? "empty" : "not valid UTF-8");
      return NULL;
    }
  if (!lexically_json (body, len, error))
    return NULL;

  parser = json_parser_new ();
  dc.counts = g_hash_table_new (NULL, NULL);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &dc);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_object_end), &dc);
  ok = json_parser_load_from_data (parser, body, (gssize) len, &local);
  g_hash_table_unref (dc.counts);
  if (!ok)
    {
      g_autofree char *shown = proto_excerpt (local->message, -1, 120);
      proto_fail (error, NULL, NULL, "not a JSON object: %s", shown);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) || json_parser_has_assignment (parser, NULL))
    {
      proto_fail (error, NULL, NULL, "not a JSON object");
      return NULL;
    }
  if (dc.duplicate)
    {
      proto_fail (error, NULL, NULL, "not accepted JSON: a member appears twice in one object");
      return NULL;
    }
  return json_node_ref (root);
}

gboolean
canteen_proto_only_members (JsonObject *object, const char *const *allowed, const char *what, GError **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_autofree char *shown = proto_excerpt (l->data, -1, 40);
        proto_fail (error, what, shown, "unknown member");
        return FALSE;
      }
  return TRUE;
}

/* The member's node, or a "missing" error. */
static JsonNode *
member_node (JsonObject *object, const char *member, const char *what, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    proto_fail (error, what, member, "missing");
  return node;
}

gboolean
canteen_proto_get_string (JsonObject *object, const char *member, const char *what, const char **out,
                          GError **error)
{
  JsonNode *node = member_node (object, member, what, error);
  const char *s;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || (s = json_node_get_string (node)) == NULL)
    {
      proto_fail (error, what, member, "must be a string");
      return FALSE;
    }
  if (!g_utf8_validate (s, -1, NULL))
    {
      proto_fail (error, what, member, "must be valid UTF-8");
      return FALSE;
    }
  *out = s;
  return TRUE;
}

gboolean
canteen_proto_get_string_or_null (JsonObject *object, const char *member, const char *what, const char **out,
                                  GError **error)
{
  JsonNode *node = member_node (object, member, what, error);

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      proto_fail (error, what, member, "must be a string or null");
      return FALSE;
    }
  return canteen_proto_get_string (object, member, what, out, error);
}

gboolean
canteen_proto_get_int (JsonObject *object, const char *member, const char *what, gint64 min, gint64 max,
                       gint64 *out, GError **error)
{
  JsonNode *node = member_node (object, member, what, error);
  gint64 v;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      proto_fail (error, what, member, "must be a whole number");
      return FALSE;
    }
  v = json_node_get_int (node);
  if (v < min || v > max)
    {
      proto_fail (error, what, member, "must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
canteen_proto_get_bool (JsonObject *object, const char *member, const char *what, gboolean *out, GError **error)
{
  JsonNode *node = member_node (object, member, what, error);

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      proto_fail (error, what, member, "must be true or false");
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

JsonObject *
canteen_proto_get_object (JsonObject *object, const char *member, const char *what, GError **error)
{
  JsonNode *node = member_node (object, member, what, error);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      proto_fail (error, what, member, "must be an object");
      return NULL;
    }
  return json_node_get_object (node);
}

JsonArray *
canteen_proto_get_array (JsonObject *object, const char *member, const char *what, GError **error)
{
  JsonNode *node = member_node (object, member, what, error);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      proto_fail (error, what, member, "must be an array");
      return NULL;
    }
  return json_node_get_array (node);
}

JsonObject *
proto_node_object (JsonNode *node, const char *what, GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      proto_fail (error, what, NULL, "must be an object");
      return NULL;
    }
  return json_node_get_object (node);
}

gboolean
proto_get_b64 (JsonObject *object, const char *member, const char *what, guint8 *out, gsize len, GError **error)
{
  const char *s;

  if (!canteen_proto_get_string (object, member, what, &s, error))
    return FALSE;
  if (!canteen_proto_b64_decode (s, out, len, NULL))
    {
      proto_fail (error, what, member, "must be the standard base64 of %" G_GSIZE_FORMAT " bytes", len);
      return FALSE;
    }
  return TRUE;
}

gboolean
proto_check_version (JsonObject *object, const char *what, GError **error)
{
  gint64 v;

  return canteen_proto_get_int (object, "v", what, 1, 1, &v, error);
}

char *
canteen_proto_to_text (JsonNode *node, gsize *len)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_pretty (gen, FALSE);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, len);
}

JsonNode *
proto_read_json_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *shown = g_filename_display_name (path);
  gsize len = 0;
  JsonNode *node;

  if (!proto_read_small_file (path, 64 * 1024, &text, &len, error))
    return NULL;
  node = canteen_proto_parse_object (text, len, error);
  if (node == NULL)
    g_prefix_error (error, "%s: ", shown);
  if (text != NULL)
    memset (text, 0, len);   /* card files hold a secret key */
  return node;
}
