/* waste-chart.c — the dashboard's chart, drawn with cairo and Pango. */
#include "waste-chart.h"

#include <glib/gi18n.h>
#include <math.h>

struct _CanteenWasteChart
{
  GtkWidget             parent_instance;
  CanteenWasteChartKind kind;
  char                 *title;
  char                 *unit;
  char                 *current_name;
  char                 *previous_name;
  GPtrArray            *labels;     /* char* */
  GArray               *values;     /* double */
  GArray               *previous;   /* double, NULL without a comparison */
};

G_DEFINE_FINAL_TYPE (CanteenWasteChart, canteen_waste_chart, GTK_TYPE_WIDGET)

/* The dashboard's colours: this period blue, the previous one grey. */
#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif"
static const double current_rgb[3]  = { 0.102, 0.373, 0.706 };   /* #1a5fb4 */
static const double previous_rgb[3] = { 0.60, 0.60, 0.59 };
static const double ink_rgb[3]      = { 0.12, 0.12, 0.12 };
static const double grid_rgb[3]     = { 0.87, 0.87, 0.85 };

static PangoLayout *
make_layout (cairo_t *cr, const char *text, int px, gboolean bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* Draws `text` with its anchor at x, y: xalign/yalign 0 (left/top) .. 1. */
static void
draw_text (cairo_t *cr, const char *text, int px, gboolean bold, const double rgb[3],
           double x, double y, double xalign, double yalign)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, text, px, bold);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_move_to (cr, x - xalign * w, y - yalign * h);
  pango_cairo_show_layout (cr, layout);
}

/* 1, 2 or 5 × 10^k at or above `v`, so the axis has round steps. */
static double
nice_ceiling (double v)
{
  double magnitude, f;

  if (!(v > 0))
    return 1.0;
  magnitude = pow (10.0, floor (log10 (v)));
  f = v / magnitude;
  return (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0) * magnitude;
}

static double
value_at (GArray *array, guint i)
{
  return array != NULL && i < array->len ? g_array_index (array, double, i) : (double) NAN;
}

static char *
format_number (double v)
{
  return fabs (v) >= 100 || v == floor (v) ? g_strdup_printf ("%.0f", v) : g_strdup_printf ("%.1f", v);
}

static void
draw_legend (CanteenWasteChart *self, cairo_t *cr, double right, double y)
{
  double x = right;
  const char *names[2] = { self->previous != NULL ? self->previous_name : NULL, self->current_name };
  const double *colours[2] = { previous_rgb, current_rgb };

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(PangoLayout) layout = NULL;
      int w, h;

      if (names[i] == NULL)
        continue;
      layout = make_layout (cr, names[i], 13, FALSE);
      pango_layout_get_pixel_size (layout, &w, &h);
      x -= w;
      draw_text (cr, names[i], 13, FALSE, ink_rgb, x, y, 0, 0.5);
      x -= 20;
      cairo_set_source_rgb (cr, colours[i][0], colours[i][1], colours[i][2]);
      cairo_rectangle (cr, x, y - 6, 14, 12);
      cairo_fill (cr);
      x -= 18;
    }
}

static void
draw_chart (CanteenWasteChart *self, cairo_t *cr, double width, double height)
{
  const double left = 60, right = width - 16, top = 64, bottom = height - 36;
  guint n = self->values->len;
  double max = 0, slot, y_top;
  gboolean any = FALSE;
  guint step;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (self->title != NULL)
    draw_text (cr, self->title, 17, TRUE, ink_rgb, 16, 12, 0, 0);
  draw_legend (self, cr, right, 24);

  for (guint i = 0; i < n; i++)
    {
      double v = value_at (self->values, i), p = value_at (self->previous, i);
      if (!isnan (v)) { any = TRUE; max = MAX (max, v); }
      if (!isnan (p)) { any = TRUE; max = MAX (max, p); }
    }
  if (!any || right - left < 40 || bottom - top < 40)
    {
      draw_text (cr, _("No figures for this period"), 16, FALSE, previous_rgb, width / 2, height / 2, 0.5, 0.5);
      return;
    }
  y_top = nice_ceiling (max * 1.1);

  /* Grid lines and the value axis, with the unit above it. */
  cairo_set_line_width (cr, 1);
  for (int g = 0; g <= 4; g++)
    {
      double y = bottom - (bottom - top) * g / 4.0;
      g_autofree char *text = format_number (y_top * g / 4.0);

      cairo_set_source_rgb (cr, grid_rgb[0], grid_rgb[1], grid_rgb[2]);
      cairo_move_to (cr, left, floor (y) + 0.5);
      cairo_line_to (cr, right, floor (y) + 0.5);
      cairo_stroke (cr);
      draw_text (cr, text, 12, FALSE, ink_rgb, left - 6, y, 1, 0.5);
    }
  if (self->unit != NULL)
    draw_text (cr, self->unit, 12, FALSE, ink_rgb, left - 6, top - 10, 1, 1);

  /* Category labels, thinned out so they never overlap (a quarter's days). */
  slot = (right - left) / n;
  step = MAX (1u, (guint) ceil (52.0 / slot));
  for (guint i = 0; i < n; i += step)
    draw_text (cr, g_ptr_array_index (self->labels, i), 12, FALSE, ink_rgb,
               left + slot * (i + 0.5), bottom + 6, 0.5, 0);

#define Y_OF(v) (bottom - (bottom - top) * (v) / y_top)
  if (self->kind == CANTEEN_WASTE_CHART_BARS)
    {
      gboolean pair = self->previous != NULL;
      double bar = MIN (48.0, slot * (pair ? 0.36 : 0.6));

      for (guint i = 0; i < n; i++)
        {
          double centre = left + slot * (i + 0.5), v = value_at (self->values, i), p = value_at (self->previous, i);

          if (pair && !isnan (p))
            {
              cairo_set_source_rgb (cr, previous_rgb[0], previous_rgb[1], previous_rgb[2]);
              cairo_rectangle (cr, centre - bar - 1, Y_OF (p), bar, bottom - Y_OF (p));
              cairo_fill (cr);
            }
          if (!isnan (v))
            {
              g_autofree char *text = format_number (v);
              double x = pair ? centre + 1 : centre - bar / 2;

              cairo_set_source_rgb (cr, current_rgb[0], current_rgb[1], current_rgb[2]);
              cairo_rectangle (cr, x, Y_OF (v), bar, bottom - Y_OF (v));
              cairo_fill (cr);
              draw_text (cr, text, 12, TRUE, current_rgb, x + bar / 2, Y_OF (v) - 2, 0.5, 1);
            }
        }
    }
  else
    {
      for (int s = 0; s < 2; s++)
        {
          GArray *series = s == 0 ? self->previous : self->values;
          const double *rgb = s == 0 ? previous_rgb : current_rgb;
          gboolean drawing = FALSE;

          if (series == NULL)
            continue;
          cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
          cairo_set_line_width (cr, s == 0 ? 2 : 3);
          if (s == 0)
            cairo_set_dash (cr, (const double[]) { 6, 4 }, 2, 0);
          /* A day without a figure breaks the line rather than invent one. */
          for (guint i = 0; i < n; i++)
            {
              double v = value_at (series, i), x = left + slot * (i + 0.5);
              if (isnan (v))
                {
                  drawing = FALSE;
                  continue;
                }
              if (drawing)
                cairo_line_to (cr, x, Y_OF (v));
              else
                cairo_move_to (cr, x, Y_OF (v));
              drawing = TRUE;
            }
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          for (guint i = 0; i < n && s == 1; i++)
            {
              double v = value_at (series, i);
              if (isnan (v))
                continue;
              cairo_arc (cr, left + slot * (i + 0.5), Y_OF (v), 4, 0, 2 * G_PI);
              cairo_fill (cr);
            }
        }
    }
#undef Y_OF

  cairo_set_source_rgb (cr, ink_rgb[0], ink_rgb[1], ink_rgb[2]);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, left, top - 4);
  cairo_line_to (cr, left, bottom);
  cairo_line_to (cr, right, bottom);
  cairo_stroke (cr);
}

static void
canteen_waste_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CanteenWasteChart *self = CANTEEN_WASTE_CHART (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_chart (self, cr, width, height);
  cairo_destroy (cr);
}

static void
canteen_waste_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                             int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  /* Readable at arm's length on a 1280x800 screen: at least this big. */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 220;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 600 : 250;
}

static void
canteen_waste_chart_finalize (GObject *object)
{
  CanteenWasteChart *self = CANTEEN_WASTE_CHART (object);

  g_free (self->title);
  g_free (self->unit);
  g_free (self->current_name);
  g_free (self->previous_name);
  g_ptr_array_unref (self->labels);
  g_array_unref (self->values);
  g_clear_pointer (&self->previous, g_array_unref);
  G_OBJECT_CLASS (canteen_waste_chart_parent_class)->finalize (object);
}

static void
canteen_waste_chart_class_init (CanteenWasteChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = canteen_waste_chart_finalize;
  widget_class->snapshot = canteen_waste_chart_snapshot;
  widget_class->measure = canteen_waste_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "wastechart");
}

static void
canteen_waste_chart_init (CanteenWasteChart *self)
{
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  /* The drawing fills the widget; its rounded corners come from CSS. */
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
canteen_waste_chart_new (CanteenWasteChartKind kind)
{
  CanteenWasteChart *self = g_object_new (CANTEEN_TYPE_WASTE_CHART, NULL);

  self->kind = kind;
  return GTK_WIDGET (self);
}

void
canteen_waste_chart_set_kind (CanteenWasteChart *self, CanteenWasteChartKind kind)
{
  g_return_if_fail (CANTEEN_IS_WASTE_CHART (self));
  self->kind = kind;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
canteen_waste_chart_set_title (CanteenWasteChart *self, const char *title, const char *unit)
{
  g_return_if_fail (CANTEEN_IS_WASTE_CHART (self));
  g_free (self->title);
  g_free (self->unit);
  self->title = g_strdup (title);
  self->unit = g_strdup (unit);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
canteen_waste_chart_set_data (CanteenWasteChart *self, guint n, const char * const *labels, const double *values,
                              const double *previous, const char *current_name, const char *previous_name)
{
  g_return_if_fail (CANTEEN_IS_WASTE_CHART (self));

  g_ptr_array_set_size (self->labels, 0);
  g_array_set_size (self->values, 0);
  g_clear_pointer (&self->previous, g_array_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->labels, g_strdup (labels[i]));
  g_array_append_vals (self->values, values, n);
  if (previous != NULL)
    {
      self->previous = g_array_new (FALSE, FALSE, sizeof (double));
      g_array_append_vals (self->previous, previous, n);
    }
  g_free (self->current_name);
  g_free (self->previous_name);
  self->current_name = g_strdup (current_name);
  self->previous_name = g_strdup (previous_name);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
canteen_waste_chart_get_n_values (CanteenWasteChart *self)
{
  g_return_val_if_fail (CANTEEN_IS_WASTE_CHART (self), 0);
  return self->values->len;
}

gboolean
canteen_waste_chart_save_png (CanteenWasteChart *self, const char *path, int width, int height, GError **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (CANTEEN_IS_WASTE_CHART (self), FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  draw_chart (self, cr, width, height);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
