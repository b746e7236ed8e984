/*
 * tags.c - a series' configuration tags, read back from the JSON object the
 * store keeps them as (runs.tags: sorted keys, string values), so that
 * callers read key = value pairs instead of parsing JSON.
 */
#include "store/history.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb/history.h"
#include "util/error.h"

struct perfdb_tags {
	char *json;  /* as stored: the canonical text, for output and SQL */
	size_t n;    /* pairs */
	char **pair; /* key 0, value 0, key 1, ... : in the JSON's (sorted) order */
};

void perfdb_store__tags_free(perfdb_tags *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < 2 * t->n; i++)
		free(t->pair[i]);
	free(t->pair);
	free(t->json);
	free(t);
}

int perfdb_store__tags_new(perfdb_tags **out, const char *json)
{
	perfdb_tags *t;
	json_t *obj, *v;
	const char *k;
	json_error_t e;

	*out = NULL;
	if (!(t = calloc(1, sizeof(*t))) || !(t->json = strdup(json ? json : "{}"))) {
		free(t);
		return perfdb_error__oom();
	}
	/* The store wrote this object (kv_json); text that is not one (a
	 * database edited by hand) reads as no pairs, its text kept as is. */
	obj = json_loads(t->json, 0, &e);
	if (json_is_object(obj) && json_object_size(obj) &&
	    !(t->pair = calloc(2 * json_object_size(obj), sizeof(*t->pair)))) {
		json_decref(obj);
		perfdb_store__tags_free(t);
		return perfdb_error__oom();
	}
	if (json_is_object(obj))
		json_object_foreach(obj, k, v)
		{
			/* values are strings; anything else is shown as its JSON */
			char *val = json_is_string(v)
					? strdup(json_string_value(v))
					: json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			t->pair[2 * t->n] = strdup(k);
			t->pair[2 * t->n + 1] = val;
			if (!t->pair[2 * t->n] || !val) {
				free(t->pair[2 * t->n]);
				free(val);
				json_decref(obj);
				perfdb_store__tags_free(t);
				return perfdb_error__oom();
			}
			t->n++;
		}
	json_decref(obj);
	*out = t;
	return 0;
}

size_t perfdb_tags_count(const perfdb_tags *t)
{
	return t ? t->n : 0;
}

const char *perfdb_tags_key(const perfdb_tags *t, size_t i)
{
	return t && i < t->n ? t->pair[2 * i] : NULL;
}

const char *perfdb_tags_value(const perfdb_tags *t, size_t i)
{
	return t && i < t->n ? t->pair[2 * i + 1] : NULL;
}

const char *perfdb_tags_get(const perfdb_tags *t, const char *key)
{
	size_t i;
	for (i = 0; key && i < perfdb_tags_count(t); i++)
		if (strcmp(t->pair[2 * i], key) == 0)
			return t->pair[2 * i + 1];
	return NULL;
}

const char *perfdb_tags_json(const perfdb_tags *t)
{
	return t ? t->json : "{}";
}
