/* perfdb/version.h - the library version. */
#ifndef PERFDB_VERSION_H
#define PERFDB_VERSION_H

#define PERFDB_VERSION_MAJOR  0
#define PERFDB_VERSION_MINOR  1
#define PERFDB_VERSION_PATCH  0
#define PERFDB_VERSION_STRING "0.1.0"

#endif
