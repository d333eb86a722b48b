/* exemplar-index.h — the ledger's exemplars into the vision module's index,
 * the one way canteenctl, the kiosk's recogniser and the return station
 * load them.
 *
 * Contract
 *  - The index is cleared, then every exemplar is added in the order given.
 *  - A damaged row, or one made by an older descriptor, is skipped and never
 *    trusted: its dish simply has fewer exemplars. The caller hears how many
 *    were skipped and the last reason, once, so a ledger full of outdated
 *    exemplars says so in one line, not one line per row.
 *  - When `indexed` is given, the exemplars that went into the index are
 *    moved there in index order, without their bytes (the caller keeps the
 *    ids, dishes and sources, e.g. to prune redundant ones); their slots in
 *    `exemplars` are left NULL.
 */
#pragma once

#include <glib.h>

#include "ledger.h"
#include "vision.h"

G_BEGIN_DECLS

/* Returns the number of exemplars skipped; *last_problem (if not NULL) gets
 * the last skipped row's reason, or NULL when none was skipped. */
guint canteen_exemplar_index_load (CanteenVision *vision, GPtrArray *exemplars, GPtrArray *indexed,
                                   char **last_problem);

G_END_DECLS
