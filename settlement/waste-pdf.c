/* waste-pdf.c — the quarterly anti-waste self-evaluation laid out on A4
 * with cairo and Pango (contract: waste-pdf.h).
 *
 * Layout is a top-down flow: each block measures itself, asks for room
 * (a new page when it does not fit) and advances the pen. Sizes are in
 * points; the font is Noto Sans CJK SC (fonts-noto-cjk), which Pango finds
 * through fontconfig.
 */
#include "waste-pdf.h"

#include <errno.h>
#include <math.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#define PAGE_W   595.28
#define PAGE_H   841.89
#define MARGIN   56.0
#define BODY_W   (PAGE_W - 2 * MARGIN)
#define FONT     "Noto Sans CJK SC"

typedef struct {
  cairo_surface_t *surface;
  cairo_t         *cr;
  double           y;
  int              page;
  const char      *canteen;
  const void      *columns;       /* the table being drawn: its header repeats on a new page */
  guint            n_columns;
  const char     **header;
} Pdf;

typedef struct {
  const char *title;
  double      width;     /* share of BODY_W */
  gboolean    right;     /* numbers are right-aligned */
} Column;

static PangoLayout *
make_layout (Pdf *pdf, double size, gboolean bold, double width, const char *text)
{
  PangoLayout *layout = pango_cairo_create_layout (pdf->cr);
  PangoFontDescription *font = pango_font_description_from_string (FONT);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

static void
footer (Pdf *pdf)
{
  g_autofree char *text = g_strdup_printf ("%s · 反食品浪费工作成效评估 · 第 %d 页", pdf->canteen, pdf->page);
  PangoLayout *layout = make_layout (pdf, 8, FALSE, BODY_W, text);

  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  cairo_set_source_rgb (pdf->cr, 0.4, 0.4, 0.4);
  cairo_move_to (pdf->cr, MARGIN, PAGE_H - MARGIN / 2 - 8);
  pango_cairo_show_layout (pdf->cr, layout);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  g_object_unref (layout);
}

/* Room for `height` points, else a new page. */
static void
need (Pdf *pdf, double height)
{
  if (pdf->y + height <= PAGE_H - MARGIN)
    return;
  footer (pdf);
  cairo_show_page (pdf->cr);
  pdf->page++;
  pdf->y = MARGIN;
}

static void
text_block (Pdf *pdf, double size, gboolean bold, PangoAlignment align, const char *text, double gap)
{
  PangoLayout *layout = make_layout (pdf, size, bold, BODY_W, text);
  double h = layout_height (layout);

  pango_layout_set_alignment (layout, align);
  need (pdf, h);
  cairo_move_to (pdf->cr, MARGIN, pdf->y);
  pango_cairo_show_layout (pdf->cr, layout);
  pdf->y += h + gap;
  g_object_unref (layout);
}

static void
heading (Pdf *pdf, const char *text)
{
  need (pdf, 60);   /* never a heading alone at the foot of a page */
  pdf->y += 6;
  text_block (pdf, 13, TRUE, PANGO_ALIGN_LEFT, text, 6);
}

/* A table row: cells wrap in their column; the row is as tall as its tallest cell. */
static void
table_row (Pdf *pdf, const Column *cols, guint n, const char * const *cells, gboolean header)
{
  PangoLayout *layouts[8];
  double h = 0, x = MARGIN;

  g_assert (n <= G_N_ELEMENTS (layouts));
  for (guint i = 0; i < n; i++)
    {
      layouts[i] = make_layout (pdf, 9, header, cols[i].width * BODY_W - 8, cells[i] ? cells[i] : "—");
      pango_layout_set_alignment (layouts[i], cols[i].right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
      h = MAX (h, layout_height (layouts[i]));
    }
  h += 6;
  if (!header && pdf->header != NULL && pdf->y + h > PAGE_H - MARGIN)
    {
      need (pdf, PAGE_H);
      table_row (pdf, pdf->columns, pdf->n_columns, pdf->header, TRUE);
    }
  need (pdf, h);
  if (header)
    {
      cairo_set_source_rgb (pdf->cr, 0.88, 0.91, 0.95);
      cairo_rectangle (pdf->cr, MARGIN, pdf->y, BODY_W, h);
      cairo_fill (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0, 0, 0);
    }
  for (guint i = 0; i < n; i++)
    {
      cairo_move_to (pdf->cr, x + 4, pdf->y + 3);
      pango_cairo_show_layout (pdf->cr, layouts[i]);
      x += cols[i].width * BODY_W;
      g_object_unref (layouts[i]);
    }
  cairo_set_line_width (pdf->cr, 0.5);
  cairo_set_source_rgb (pdf->cr, 0.6, 0.6, 0.6);
  cairo_move_to (pdf->cr, MARGIN, pdf->y + h);
  cairo_line_to (pdf->cr, MARGIN + BODY_W, pdf->y + h);
  cairo_stroke (pdf->cr);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  pdf->y += h;
}

/* ---- numbers as shown ------------------------------------------------ */

static gboolean
number_of (JsonNode *node, double *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  *out = json_node_get_value_type (node) == G_TYPE_INT64 ? (double) json_node_get_int (node)
                                                          : json_node_get_double (node);
  return TRUE;
}

static char *
show (JsonNode *node, const char *unit)
{
  double v;

  if (!number_of (node, &v))
    return g_strdup ("—");
  if (g_strcmp0 (unit, "ratio") == 0)
    return g_strdup_printf ("%.1f%%", v * 100.0);
  if (v == floor (v))
    return g_strdup_printf ("%.0f", v);
  return g_strdup_printf ("%.1f", v);
}

static char *
show_change (JsonNode *node)
{
  double v;

  if (!number_of (node, &v))
    return g_strdup ("—");
  return g_strdup_printf ("%s%.1f%%", v > 0 ? "+" : "", v);
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : "";
}

/* ---- sections -------------------------------------------------------- */

static void
indicators_table (Pdf *pdf, JsonObject *indicators)
{
  static const Column cols[] = { { "指标", 0.40, FALSE }, { "本期", 0.20, TRUE }, { "上期", 0.20, TRUE },
                                 { "变化", 0.20, TRUE } };
  const char *header[] = { cols[0].title, cols[1].title, cols[2].title, cols[3].title };
  JsonObjectIter iter;
  const char *key;
  JsonNode *member;

  table_row (pdf, cols, 4, header, TRUE);
  pdf->columns = cols, pdf->n_columns = 4, pdf->header = header;
  json_object_iter_init_ordered (&iter, indicators);
  while (json_object_iter_next_ordered (&iter, &key, &member))
    {
      JsonObject *i = json_node_get_object (member);
      const char *unit = member_string (i, "unit");
      g_autofree char *now = show (json_object_get_member (i, "value"), unit);
      g_autofree char *before = show (json_object_get_member (i, "previous"), unit);
      g_autofree char *change = show_change (json_object_get_member (i, "change_pct"));
      const char *cells[] = { member_string (i, "label"), now, before, change };
      table_row (pdf, cols, 4, cells, FALSE);
    }
  pdf->header = NULL;
  pdf->y += 8;
}

static void
dishes_table (Pdf *pdf, JsonArray *rows, gboolean by_category)
{
  static const Column dish_cols[] = { { "菜品", 0.26, FALSE }, { "类别", 0.12, FALSE }, { "盘数", 0.10, TRUE },
                                      { "剩余(克)", 0.14, TRUE }, { "剩余率", 0.12, TRUE }, { "占比", 0.12, TRUE },
                                      { "上期剩余(克)", 0.14, TRUE } };
  const Column *cols = by_category ? dish_cols + 1 : dish_cols;
  guint n = by_category ? 6 : 7;
  const char *header[7];

  for (guint i = 0; i < n; i++)
    header[i] = cols[i].title;
  if (rows == NULL || json_array_get_length (rows) == 0)
    {
      text_block (pdf, 10, FALSE, PANGO_ALIGN_LEFT, "本期无按菜品记录的剩余。", 8);
      return;
    }
  {
    /* By category the first column is the category: widen it. */
    Column wide[7];
    memcpy (wide, cols, n * sizeof (Column));
    if (by_category)
      wide[0].width += dish_cols[0].width;
    table_row (pdf, wide, n, header, TRUE);
    pdf->columns = wide, pdf->n_columns = n, pdf->header = header;
    for (guint r = 0; r < json_array_get_length (rows); r++)
      {
        JsonObject *o = json_array_get_object_element (rows, r);
        g_autofree char *trays = show (json_object_get_member (o, "trays"), "g");
        g_autofree char *left = show (json_object_get_member (o, "leftover_g"), "g");
        g_autofree char *rate = show (json_object_get_member (o, "leftover_rate"), "ratio");
        g_autofree char *share = show (json_object_get_member (o, "share"), "ratio");
        g_autofree char *before = show (json_object_get_member (o, "previous_leftover_g"), "g");
        g_autofree char *dish = g_strdup_printf ("%s %s", member_string (o, "dish"), member_string (o, "name"));
        const char *cells[] = { dish, member_string (o, "category"), trays, left, rate, share, before };
        table_row (pdf, wide, n, by_category ? cells + 1 : cells, FALSE);
      }
    pdf->header = NULL;
  }
  pdf->y += 8;
}

/* Horizontal bars of leftover grams per category, drawn with cairo. */
static void
category_chart (Pdf *pdf, JsonArray *rows)
{
  guint n = rows ? json_array_get_length (rows) : 0;
  double max = 0, bar_h = 16, label_w = 70, chart_h;

  if (n == 0)
    return;
  for (guint r = 0; r < n; r++)
    {
      double v = 0;
      number_of (json_object_get_member (json_array_get_object_element (rows, r), "leftover_g"), &v);
      max = MAX (max, v);
    }
  chart_h = n * (bar_h + 6) + 24;
  need (pdf, chart_h);
  text_block (pdf, 9, TRUE, PANGO_ALIGN_LEFT, "图1 各类别退盘剩余（克）", 4);
  for (guint r = 0; r < n; r++)
    {
      JsonObject *o = json_array_get_object_element (rows, r);
      double v = 0, w;
      g_autofree char *value = NULL;
      PangoLayout *label, *number;

      number_of (json_object_get_member (o, "leftover_g"), &v);
      w = max > 0 ? (BODY_W - label_w - 70) * v / max : 0;
      label = make_layout (pdf, 9, FALSE, label_w - 6, member_string (o, "category"));
      pango_layout_set_alignment (label, PANGO_ALIGN_RIGHT);
      cairo_move_to (pdf->cr, MARGIN, pdf->y + 2);
      pango_cairo_show_layout (pdf->cr, label);
      cairo_set_source_rgb (pdf->cr, 0.85, 0.35, 0.2);
      cairo_rectangle (pdf->cr, MARGIN + label_w, pdf->y, MAX (w, 1), bar_h);
      cairo_fill (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0, 0, 0);
      value = g_strdup_printf ("%.0f", v);
      number = make_layout (pdf, 9, FALSE, 66, value);
      cairo_move_to (pdf->cr, MARGIN + label_w + MAX (w, 1) + 4, pdf->y + 2);
      pango_cairo_show_layout (pdf->cr, number);
      g_object_unref (label);
      g_object_unref (number);
      pdf->y += bar_h + 6;
    }
  /* The axis. */
  cairo_set_line_width (pdf->cr, 0.8);
  cairo_move_to (pdf->cr, MARGIN + label_w, pdf->y - n * (bar_h + 6) - 2);
  cairo_line_to (pdf->cr, MARGIN + label_w, pdf->y);
  cairo_stroke (pdf->cr);
  pdf->y += 10;
}

static void
list_block (Pdf *pdf, JsonArray *rows, const char *member, const char *empty)
{
  guint n = rows ? json_array_get_length (rows) : 0;

  if (n == 0)
    {
      text_block (pdf, 10, FALSE, PANGO_ALIGN_LEFT, empty, 8);
      return;
    }
  for (guint r = 0; r < n; r++)
    {
      JsonObject *o = json_array_get_object_element (rows, r);
      g_autofree char *line = NULL;
      if (json_object_has_member (o, "suggested_portion_g"))
        line = g_strdup_printf ("%u. %s %s：建议份量 %" G_GINT64_FORMAT " 克（标准 %" G_GINT64_FORMAT " 克），"
                                "%s 建议备餐 %" G_GINT64_FORMAT " 克。%s",
                                r + 1, member_string (o, "dish"), member_string (o, "name"),
                                json_object_get_int_member (o, "suggested_portion_g"),
                                json_object_get_int_member (o, "standard_g"), member_string (o, "next_day"),
                                json_object_get_int_member (o, "cooking_g"), member_string (o, member));
      else
        line = g_strdup_printf ("%u. %s", r + 1, member_string (o, member));
      text_block (pdf, 9.5, FALSE, PANGO_ALIGN_LEFT, line, 4);
    }
  pdf->y += 6;
}

static void
render (Pdf *pdf, JsonObject *o)
{
  JsonObject *portions = json_object_get_object_member (o, "portions");
  g_autofree char *title = g_strdup_printf ("%s\n反食品浪费工作成效评估（自评）", pdf->canteen);
  g_autofree char *period = g_strdup_printf ("评估期间：%s 至 %s（共 %" G_GINT64_FORMAT " 天）    对比期间：%s 至 %s",
                                             member_string (o, "from"), member_string (o, "to"),
                                             json_object_get_int_member (o, "days"),
                                             member_string (o, "previous_from"), member_string (o, "previous_to"));
  g_autofree char *unit = g_strdup_printf ("单位代码：%s    数据来源：食堂收银终端台账（退盘称重、后厨日报、打菜称重）",
                                           member_string (o, "agency"));
  g_autofree char *unattributed = g_strdup_printf (
    "注：未能分摊到菜品的剩余（骨头、汤汁、未标注菜品的退盘等）共 %" G_GINT64_FORMAT " 克。光盘指剩余不超过供应量的 5%%。",
    json_object_get_int_member (o, "unattributed_leftover_g"));

  text_block (pdf, 18, TRUE, PANGO_ALIGN_CENTER, title, 10);
  text_block (pdf, 10, FALSE, PANGO_ALIGN_LEFT, period, 2);
  text_block (pdf, 10, FALSE, PANGO_ALIGN_LEFT, unit, 8);

  heading (pdf, "一、主要指标（与上一期对比）");
  indicators_table (pdf, json_object_get_object_member (o, "indicators"));
  text_block (pdf, 8.5, FALSE, PANGO_ALIGN_LEFT, unattributed, 6);

  heading (pdf, "二、剩余最多的菜品");
  dishes_table (pdf, json_object_get_array_member (o, "top_dishes"), FALSE);

  heading (pdf, "三、按菜品类别统计剩余");
  dishes_table (pdf, json_object_get_array_member (o, "by_category"), TRUE);
  category_chart (pdf, json_object_get_array_member (o, "by_category"));

  heading (pdf, "四、份量控制预警");
  if (portions != NULL)
    {
      JsonObject *trays = json_object_get_object_member (portions, "trays");
      g_autofree char *ratio = show (json_object_get_member (trays, "ratio"), "ratio");
      g_autofree char *summary = g_strdup_printf (
        "近 28 天称重打菜 %" G_GINT64_FORMAT " 盘：实际 %" G_GINT64_FORMAT " 克 / 标准 %" G_GINT64_FORMAT
        " 克（%s），超标准 10%% 以上 %" G_GINT64_FORMAT " 盘，低于 10%% 以上 %" G_GINT64_FORMAT " 盘。",
        json_object_get_int_member (trays, "weighed"), json_object_get_int_member (trays, "served_g"),
        json_object_get_int_member (trays, "standard_g"), ratio, json_object_get_int_member (trays, "over"),
        json_object_get_int_member (trays, "under"));
      text_block (pdf, 9.5, FALSE, PANGO_ALIGN_LEFT, summary, 4);
      list_block (pdf, json_object_get_array_member (portions, "alerts"), "text", "无份量预警。");

      heading (pdf, "五、份量与备餐建议（仅供参考，未自动执行）");
      list_block (pdf, json_object_get_array_member (portions, "recommendations"), "reasoning", "无建议。");
    }

  heading (pdf, "六、自评意见");
  text_block (pdf, 10, FALSE, PANGO_ALIGN_LEFT,
              "□ 成效明显    □ 有所改进    □ 需要加强\n\n整改措施：\n\n\n", 10);
  need (pdf, 60);
  pdf->y = MAX (pdf->y, PAGE_H - MARGIN - 60);
  text_block (pdf, 10.5, FALSE, PANGO_ALIGN_LEFT,
              "食堂负责人（签字）：________________    评估人（签字）：________________\n\n"
              "单位（盖章）：                          日期：______年____月____日", 0);
  footer (pdf);
}

gboolean
canteen_waste_report_to_pdf (JsonNode *report, const char *path, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  JsonObject *o;
  Pdf pdf = { 0 };
  cairo_status_t status;

  g_return_val_if_fail (report != NULL && JSON_NODE_HOLDS_OBJECT (report), FALSE);
  o = json_node_get_object (report);
  pdf.surface = cairo_pdf_surface_create (tmp, PAGE_W, PAGE_H);
  pdf.cr = cairo_create (pdf.surface);
  pdf.y = MARGIN;
  pdf.page = 1;
  pdf.canteen = member_string (o, "canteen");
  cairo_pdf_surface_set_metadata (pdf.surface, CAIRO_PDF_METADATA_TITLE, "反食品浪费工作成效评估");
  render (&pdf, o);
  cairo_show_page (pdf.cr);
  cairo_destroy (pdf.cr);
#if defined(__SANITIZE_ADDRESS__)
  /* cairo 1.16 loses 768 bytes per CFF font (Noto Sans CJK) it subsets
   * while finishing a PDF: not ours to free. Only what finish itself
   * allocates is ignored; a surface or context we forget still shows. */
  __lsan_disable ();
#endif
  cairo_surface_finish (pdf.surface);
#if defined(__SANITIZE_ADDRESS__)
  __lsan_enable ();
#endif
  status = cairo_surface_status (pdf.surface);
  cairo_surface_destroy (pdf.surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write the PDF: %s", path,
                   cairo_status_to_string (status));
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}
