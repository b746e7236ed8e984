/* Library-internal: shared by lib/store/{series,baselines,alerts}.c. */
#ifndef PERFDB_STORE_HISTORY_INTERNAL_H
#define PERFDB_STORE_HISTORY_INTERNAL_H

#include "store/store.h"

#endif
