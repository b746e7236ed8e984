/*
 * Functions that are easy to misuse are compile errors in perfdb's own code.
 * Use snprintf, memcpy with a known length, strtol/strtod with end checks.
 */
#ifndef PERFDB_BANNED_H
#define PERFDB_BANNED_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define BANNED(func) sorry_##func##_is_banned_in_perfdb
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#endif
