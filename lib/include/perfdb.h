/* perfdb.h - the umbrella header: everything libperfdb offers. */
#ifndef PERFDB_H
#define PERFDB_H

#include "perfdb/common.h"
#include "perfdb/version.h"
#include "perfdb/resultset.h"
#include "perfdb/ingest.h"
#include "perfdb/context.h"
#include "perfdb/store.h"
#include "perfdb/histogram.h"
#include "perfdb/memory.h"
#include "perfdb/profiler.h"
#include "perfdb/loadtest.h"
#include "perfdb/cmdbench.h"
#include "perfdb/stats.h"
#include "perfdb/changepoint.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/config.h"

#endif
