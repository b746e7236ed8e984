/* The one chart code: a series of perfdb_trend drawn as SVG, for
 * `perfdb trend --svg` (one panel per series in one picture) and for
 * `perfdb report` (one <svg> per series). Everything drawn is drawn here;
 * the report's script only adds hover, keyboard focus and filtering on top
 * of the data attributes written here. */
#ifndef PERFDB_CLI_CHART_H
#define PERFDB_CLI_CHART_H

#include <stdio.h>

#include "perfdb/regress.h"

/* The layout every panel of one trend shares: the commit axis (every
 * series on it, so panels line up commit by commit), which of its commits
 * are labelled, and a left margin that fits the widest y label of them all. */
typedef struct cli_chart {
	const char **axis; /* the commits of the common axis, oldest first (borrowed) */
	size_t naxis;
	size_t every; /* every k-th commit is labelled (the newest always) */
	int left;     /* the left margin: the plot starts here */
} cli_chart;

/* What one panel carries besides the drawing. */
enum {
	CLI_CHART_HEADING = 1, /* a heading: name and machine (trend's panels) */
	CLI_CHART_SVG = 2,     /* its own <svg role="img"> titled with the text alternative */
	CLI_CHART_AXIS_REF = 4 /* the commit axis by reference to cli_chart_axis_defs's, which
				* every chart of one page shares (CLI_CHART_SVG only) */
};

/* The shared style sheet (light, and dark through prefers-color-scheme):
 * the SVG of trend embeds it, the report inlines it in its <style>. */
extern const char cli_chart_css[];

/* Lays out t's panels. 0, or -1 when out of memory (c is then empty).
 * cli_chart_release frees what it holds; t must outlive c. */
int cli_chart_init(cli_chart *c, const perfdb_trend *t);
void cli_chart_release(cli_chart *c);

/* Whether a step of relative change `change` makes s worse. */
int cli_chart_is_regression(const perfdb_trend_series *s, double change);

/* The size of one panel drawn with flags. */
int cli_chart_width(const cli_chart *c);
int cli_chart_height(unsigned flags);

/* Writes the commit axis once, in an invisible <svg>, for the panels of
 * one HTML page drawn with CLI_CHART_AXIS_REF. */
void cli_chart_axis_defs(FILE *f, const cli_chart *c);

/* Writes s's panel at vertical offset top: a <g class="series"> with a
 * <title> (the text alternative: name, machine, range, steps), the plot
 * frame, the reference commit shaded, y gridlines and labels in human
 * units, the commit axis of short shas, the spread band (25th to 75th
 * percentile), each step dashed at its commit with its change and short
 * sha, the level line with its points. The level line carries the points'
 * commits (data-x), values as shown (data-v, data-u) and counts (data-n).
 * Names are escaped with cli_xml_text. */
void cli_chart_panel(FILE *f, const cli_chart *c, const perfdb_trend_series *s, double top,
		     unsigned flags);

#endif
