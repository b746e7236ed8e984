/*
 * config.c - perfdb.yaml (see perfdb/config.h), read into libyaml's document
 * tree (by ingest/yaml_load.c: a nesting limit, linear time) so every error
 * can name the line and column of the node at fault. A key given twice is
 * an error: the second would silently win.
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "analysis/regress_internal.h"
#include "ingest/reader.h"
#include "ingest/yaml_load.h"
#include "perfdb/config.h"
#include "util/error.h"

typedef struct override {
	char *glob;
	char *metric_glob; /* NULL: every metric */
	double threshold;
	perfdb_direction direction;
	int ignore; /* -1 unset, 0, 1 */
	int has_method;
	perfdb_method method;
} override;

struct perfdb_config {
	char *path;
	char *database;
	int has_threshold, has_confidence, has_method, has_window;
	double threshold, confidence;
	perfdb_method method;
	size_t window;
	override *overrides;
	size_t noverrides;
	char **renames; /* old, new, old, new, ... */
	size_t nrenames;
};

typedef struct parse {
	yaml_document_t *doc;
	const char *file;
	perfdb_config *cfg;
} parse;

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static int node_error(const parse *p, const yaml_node_t *node, const char *field, const char *what)
{
	return perfdb_error__input(PERFDB_EINPUT, p->file, (int)node->start_mark.line + 1,
				   (int)node->start_mark.column + 1, field, "%s", what);
}

/* Refuses a key seen before in the same mapping; seen[slot] remembers it. */
static int once(const parse *p, const yaml_node_t **seen, int slot, const yaml_node_t *k,
		const char *key)
{
	char msg[200];
	if (!seen[slot]) {
		seen[slot] = k;
		return 0;
	}
	char ex[PERFDB_INGEST_EXCERPT];
	snprintf(msg, sizeof(msg), "duplicate key '%s' (first at line %d)",
		 perfdb_ingest__excerpt(ex, key), (int)seen[slot]->start_mark.line + 1);
	return node_error(p, k, key, msg);
}

static const char *scalar(const yaml_node_t *node)
{
	return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
						      : NULL;
}

static int get_number(const parse *p, const yaml_node_t *node, const char *field, double lo,
		      double hi, double *out)
{
	const char *s = scalar(node);
	char *end;
	double v;
	char msg[160];
	if (!s || !*s)
		return node_error(p, node, field, "expected a number");
	errno = 0;
	v = strtod(s, &end);
	if (*end == '%' && end[1] == '\0')
		end++;
	if (errno || *end || !isfinite(v) || v < lo || v > hi) {
		char ex[PERFDB_INGEST_EXCERPT];
		snprintf(msg, sizeof(msg), "'%s' is not a number in [%g, %g]",
			 perfdb_ingest__excerpt(ex, s), lo, hi);
		return node_error(p, node, field, msg);
	}
	*out = v;
	return 0;
}

static int get_bool(const parse *p, const yaml_node_t *node, const char *field, int *out)
{
	const char *s = scalar(node);
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) {
		*out = 1;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) {
		*out = 0;
		return 0;
	}
	return node_error(p, node, field, "expected true or false");
}

static int parse_defaults(parse *p, yaml_node_t *map)
{
	yaml_node_pair_t *pair;
	const yaml_node_t *seen[4] = {NULL};
	if (map->type != YAML_MAPPING_NODE)
		return node_error(p, map, "defaults", "expected a mapping");
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(k);
		int err;
		if (!key)
			return node_error(p, k, "defaults", "expected a key");
		if (!strcmp(key, "threshold")) {
			if ((err = once(p, seen, 0, k, key)) < 0 ||
			    (err = get_number(p, v, "threshold", 0, 1000, &p->cfg->threshold)) < 0)
				return err;
			p->cfg->has_threshold = 1;
		} else if (!strcmp(key, "confidence")) {
			double c;
			if ((err = once(p, seen, 1, k, key)) < 0 ||
			    (err = get_number(p, v, "confidence", 0, 1, &c)) < 0)
				return err;
			if (!(c > 0 && c < 1))
				return node_error(p, v, "confidence", "must be between 0 and 1");
			p->cfg->confidence = c;
			p->cfg->has_confidence = 1;
		} else if (!strcmp(key, "method")) {
			if ((err = once(p, seen, 2, k, key)) < 0)
				return err;
			if (!scalar(v) || perfdb_method_parse(&p->cfg->method, scalar(v)) < 0)
				return node_error(p, v, "method",
						  "expected auto, percent, ttest, mannwhitney, "
						  "zscore or changepoint");
			p->cfg->has_method = 1;
		} else if (!strcmp(key, "window")) {
			double w;
			if ((err = once(p, seen, 3, k, key)) < 0 ||
			    (err = get_number(p, v, "window", 1, 100000, &w)) < 0)
				return err;
			if (w != floor(w))
				return node_error(p, v, "window",
						  "expected a whole number of commits");
			p->cfg->window = (size_t)w;
			p->cfg->has_window = 1;
		} else {
			char msg[200];
			char ex[PERFDB_INGEST_EXCERPT];
			snprintf(msg, sizeof(msg),
				 "unknown key '%s' (threshold, confidence, method, window)",
				 perfdb_ingest__excerpt(ex, key));
			return node_error(p, k, key, msg);
		}
	}
	return 0;
}

static int parse_override(parse *p, yaml_node_t *map, override *o)
{
	yaml_node_pair_t *pair;
	const yaml_node_t *seen[6] = {NULL};
	o->threshold = NAN;
	o->ignore = -1; /* unset: a later override may set it either way */
	if (map->type != YAML_MAPPING_NODE)
		return node_error(p, map, "benchmarks", "expected a mapping with 'match'");
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(k);
		int err;
		if (!key)
			return node_error(p, k, "benchmarks", "expected a key");
		if (!strcmp(key, "match")) {
			if ((err = once(p, seen, 0, k, key)) < 0)
				return err;
			if (!scalar(v) || !*scalar(v))
				return node_error(p, v, "match", "expected a glob");
			free(o->glob);
			if (!(o->glob = dup_str(scalar(v))))
				return perfdb_error__oom();
		} else if (!strcmp(key, "metric")) {
			if ((err = once(p, seen, 1, k, key)) < 0)
				return err;
			if (!scalar(v) || !*scalar(v))
				return node_error(p, v, "metric", "expected a glob");
			free(o->metric_glob);
			if (!(o->metric_glob = dup_str(scalar(v))))
				return perfdb_error__oom();
		} else if (!strcmp(key, "threshold")) {
			if ((err = once(p, seen, 2, k, key)) < 0)
				return err;
			if ((err = get_number(p, v, "threshold", 0, 1000, &o->threshold)) < 0)
				return err;
		} else if (!strcmp(key, "direction")) {
			if ((err = once(p, seen, 3, k, key)) < 0)
				return err;
			if (!scalar(v) || perfdb_direction_parse(&o->direction, scalar(v)) < 0)
				return node_error(p, v, "direction",
						  "expected lower_is_better or higher_is_better");
		} else if (!strcmp(key, "ignore")) {
			if ((err = once(p, seen, 4, k, key)) < 0)
				return err;
			if ((err = get_bool(p, v, "ignore", &o->ignore)) < 0)
				return err;
		} else if (!strcmp(key, "method")) {
			if ((err = once(p, seen, 5, k, key)) < 0)
				return err;
			if (!scalar(v) || perfdb_method_parse(&o->method, scalar(v)) < 0)
				return node_error(p, v, "method",
						  "expected auto, percent, ttest, mannwhitney, "
						  "zscore or changepoint");
			o->has_method = 1;
		} else {
			char msg[200];
			char ex[PERFDB_INGEST_EXCERPT];
			snprintf(msg, sizeof(msg),
				 "unknown key '%s' (match, metric, threshold, direction, ignore, "
				 "method)",
				 perfdb_ingest__excerpt(ex, key));
			return node_error(p, k, key, msg);
		}
	}
	if (!o->glob)
		return node_error(p, map, "match", "an override needs 'match'");
	return 0;
}

/* renames: {old: new}: a mapping of benchmark names; '*' in old matches any
 * text, and each '*' in new takes what the '*' of the same rank matched. */
static int parse_renames(parse *p, yaml_node_t *map)
{
	yaml_node_pair_t *pair;
	size_t n, i = 0;
	if (map->type != YAML_MAPPING_NODE)
		return node_error(p, map, "renames",
				  "expected a mapping of old names to new names");
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	for (i = 0; i < p->cfg->nrenames; i++)
		free(p->cfg->renames[i]);
	free(p->cfg->renames);
	p->cfg->nrenames = 0;
	if (!(p->cfg->renames = calloc(2 * n + 1, sizeof(char *))))
		return perfdb_error__oom();
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *from = scalar(k), *to = scalar(v);
		size_t sk = 0, sv = 0;
		const char *c;
		if (!from || !*from)
			return node_error(p, k, "renames", "expected an old benchmark name");
		if (!to || !*to)
			return node_error(p, v, from, "expected the new benchmark name");
		for (c = from; *c; c++)
			sk += *c == '*';
		for (c = to; *c; c++)
			sv += *c == '*';
		if (sv > sk)
			return node_error(p, v, from, "more '*' in the new name than in the old");
		if (!(p->cfg->renames[p->cfg->nrenames] = dup_str(from)) ||
		    !(p->cfg->renames[p->cfg->nrenames + 1] = dup_str(to)))
			return perfdb_error__oom();
		p->cfg->nrenames += 2;
	}
	return 0;
}

/* Matches name against pat ('*' only; other characters literally), the
 * text each '*' matched into caps[] (start, length). 1 on a match. */
static int star_match(const char *pat, const char *name, const char **cs, size_t *cl, size_t k)
{
	if (!*pat)
		return !*name;
	if (*pat == '*') {
		const char *t;
		for (t = name;; t++) {
			cs[k] = name;
			cl[k] = (size_t)(t - name);
			if (star_match(pat + 1, t, cs, cl, k + 1))
				return 1;
			if (!*t)
				return 0;
		}
	}
	return *pat == *name && star_match(pat + 1, name + 1, cs, cl, k);
}

int perfdb_config_rename(const perfdb_config *cfg, const char *benchmark, char *buf, size_t cap)
{
	const char *cs[32];
	size_t cl[32], i;
	for (i = 0; cfg && i < cfg->nrenames; i += 2) {
		const char *from = cfg->renames[i], *to = cfg->renames[i + 1], *c;
		size_t stars = 0, len = 0, k = 0;
		for (c = from; *c; c++)
			stars += *c == '*';
		if (stars > 32 || !star_match(from, benchmark, cs, cl, 0))
			continue;
		for (c = to; *c; c++) {
			const char *piece = c;
			size_t plen = 1;
			if (*c == '*') {
				piece = cs[k];
				plen = cl[k++];
			}
			if (len + plen + 1 > cap)
				return 0;
			memcpy(buf + len, piece, plen);
			len += plen;
		}
		buf[len] = '\0';
		return strcmp(buf, benchmark) != 0;
	}
	return 0;
}

static int parse_root(parse *p, yaml_node_t *root)
{
	yaml_node_pair_t *pair;
	const yaml_node_t *seen[3] = {NULL};
	if (!root) /* an empty file is an empty configuration */
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return node_error(p, root, NULL, "expected a mapping at the top level");
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(k);
		int err;
		if (!key)
			return node_error(p, k, NULL, "expected a key");
		if (!strcmp(key, "database")) {
			if ((err = once(p, seen, 0, k, key)) < 0)
				return err;
			if (!scalar(v) || !*scalar(v))
				return node_error(p, v, "database", "expected a path");
			free(p->cfg->database);
			if (!(p->cfg->database = dup_str(scalar(v))))
				return perfdb_error__oom();
		} else if (!strcmp(key, "defaults")) {
			if ((err = once(p, seen, 1, k, key)) < 0)
				return err;
			if ((err = parse_defaults(p, v)) < 0)
				return err;
		} else if (!strcmp(key, "benchmarks")) {
			yaml_node_item_t *it;
			size_t n;
			if ((err = once(p, seen, 2, k, key)) < 0)
				return err;
			if (v->type != YAML_SEQUENCE_NODE)
				return node_error(p, v, "benchmarks",
						  "expected a list of overrides");
			n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			free(p->cfg->overrides);
			p->cfg->noverrides = 0;
			if (!(p->cfg->overrides = calloc(n ? n : 1, sizeof(override))))
				return perfdb_error__oom();
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++) {
				override *o = &p->cfg->overrides[p->cfg->noverrides++];
				if ((err = parse_override(p, yaml_document_get_node(p->doc, *it),
							  o)) < 0)
					return err;
			}
		} else if (!strcmp(key, "renames")) {
			if ((err = parse_renames(p, v)) < 0)
				return err;
		} else {
			char msg[200];
			char ex[PERFDB_INGEST_EXCERPT];
			snprintf(msg, sizeof(msg),
				 "unknown key '%s' (database, defaults, benchmarks, renames)",
				 perfdb_ingest__excerpt(ex, key));
			return node_error(p, k, key, msg);
		}
	}
	return 0;
}

int perfdb_config_load(perfdb_config **out, const char *path)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	perfdb_config *cfg;
	parse p;
	FILE *f;
	int err;

	*out = NULL;
	if (!(f = fopen(path, "rb")))
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (!(cfg = calloc(1, sizeof(*cfg))) || !(cfg->path = dup_str(path))) {
		free(cfg);
		fclose(f);
		return perfdb_error__oom();
	}
	cfg->window = 0;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		perfdb_config_free(cfg);
		return perfdb_error__oom();
	}
	yaml_parser_set_input_file(&parser, f);
	if ((err = perfdb_ingest__yaml_load(&doc, &parser, path, "configuration")) < 0) {
		yaml_parser_delete(&parser);
		fclose(f);
		perfdb_config_free(cfg);
		return err;
	}
	p.doc = &doc;
	p.file = path;
	p.cfg = cfg;
	err = parse_root(&p, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (err < 0) {
		perfdb_config_free(cfg);
		return err;
	}
	*out = cfg;
	return 0;
}

int perfdb_config_find(perfdb_config **out, const char *dir)
{
	char path[4096];
	*out = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", PERFDB_CONFIG_FILE);
	if (access(path, F_OK) != 0)
		return 0;
	return perfdb_config_load(out, dir ? path : PERFDB_CONFIG_FILE);
}

void perfdb_config_free(perfdb_config *cfg)
{
	size_t i;
	if (!cfg)
		return;
	for (i = 0; i < cfg->noverrides; i++) {
		free(cfg->overrides[i].glob);
		free(cfg->overrides[i].metric_glob);
	}
	free(cfg->overrides);
	for (i = 0; i < cfg->nrenames; i++)
		free(cfg->renames[i]);
	free(cfg->renames);
	free(cfg->database);
	free(cfg->path);
	free(cfg);
}

const char *perfdb_config_database(const perfdb_config *cfg)
{
	return cfg ? cfg->database : NULL;
}

void perfdb_config_apply_defaults(const perfdb_config *cfg, perfdb_regress_options *opts)
{
	if (!cfg || !opts)
		return;
	if (cfg->has_threshold)
		opts->threshold_pct = cfg->threshold;
	if (cfg->has_confidence)
		opts->confidence = cfg->confidence;
	if (cfg->has_method)
		opts->method = cfg->method;
	if (cfg->has_window)
		opts->window = cfg->window;
}

void perfdb_config_match(perfdb_benchmark_config *out, const perfdb_config *cfg,
			 const char *benchmark, const char *metric)
{
	size_t i;
	out->threshold_pct = NAN;
	out->direction = PERFDB_DIRECTION_UNSET;
	out->ignore = 0;
	out->has_method = 0;
	out->method = PERFDB_METHOD_AUTO;
	if (!cfg || !benchmark)
		return;
	for (i = 0; i < cfg->noverrides; i++) {
		const override *o = &cfg->overrides[i];
		if (fnmatch(o->glob, benchmark, 0) != 0)
			continue;
		if (o->metric_glob && (!metric || fnmatch(o->metric_glob, metric, 0) != 0))
			continue;
		if (!isnan(o->threshold))
			out->threshold_pct = o->threshold;
		if (o->direction != PERFDB_DIRECTION_UNSET)
			out->direction = o->direction;
		if (o->ignore >= 0)
			out->ignore = o->ignore;
		if (o->has_method) {
			out->has_method = 1;
			out->method = o->method;
		}
	}
}
