/* waste-pdf.h — the anti-waste self-evaluation (反食品浪费工作成效评估)
 * as a printable PDF.
 *
 * Contract: renders a report made by canteen_waste_report() (waste.h) to
 * an A4 PDF at `path` (replaced atomically: a temp file renamed into
 * place), Chinese text set with Pango (Noto Sans CJK); the page breaks
 * wherever a section does not fit. Renders only what the report says; FALSE
 * with a G_IO_ERROR when the file cannot be written. Separate from the
 * ledger library so that only the programs that print need cairo and Pango.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean canteen_waste_report_to_pdf (JsonNode *report, const char *path, GError **error);

G_END_DECLS
