/* Option parsing: one table per command drives getopt_long and --help. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HELP_ID 'h'

void cli_print_help(const cli_command_info *info)
{
	const cli_option *o;
	cli_out("usage: perfdb %s %s\n\n%s\n", info->name, info->usage, info->summary);
	if (info->details)
		cli_out("\n%s\n", info->details);
	cli_out("\noptions:\n");
	for (o = info->options; o && o->name; o++) {
		char left[64];
		if (o->id > 0 && o->id < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->id, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		cli_out("  %-28s %s\n", left, o->help);
	}
	cli_out("  %-28s %s\n", "-h, --help", "show this help");
	cli_out("\nexit codes: 0 ok, 1 regression found, 2 usage or input error, "
		"3 database or system error\n");
}

int cli_usage_error(const cli_command_info *info, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_err("%s: %s; try 'perfdb %s --help'", info->name, msg, info->name);
	return CLI_EXIT_USAGE;
}

int cli_parse_exit(int first)
{
	return first == -1 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int cli_bad_value(const cli_command_info *info, const char *opt, const char *arg, const char *what)
{
	return cli_usage_error(info, "--%s '%s': expected %s", opt, arg, what);
}

int cli_format_option(const cli_command_info *info, cli_format *out, const char *arg)
{
	if (cli_format_parse(out, arg) == 0)
		return 0;
	cli_usage_error(info, "--format '%s': expected table, csv or json", arg);
	return 1;
}

int cli_parse(const cli_command_info *info, int argc, char **argv,
	      int (*on_option)(void *ctx, int id, const char *arg), void *ctx)
{
	struct option longopts[64];
	char shortopts[160];
	size_t nl = 0, ns = 0;
	const cli_option *o;
	int c, i, has_dashdash = 0;

	/* "--" ends our options; what follows is a command and its own
	 * options, so parsing must stop at the first operand there. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			has_dashdash = 1;
	if (has_dashdash)
		shortopts[ns++] = '+';
	shortopts[ns++] = ':'; /* report a missing value as ':' */
	for (o = info->options; o && o->name && nl < 62; o++) {
		longopts[nl].name = o->name;
		longopts[nl].has_arg = o->arg ? required_argument : no_argument;
		longopts[nl].flag = NULL;
		longopts[nl].val = o->id;
		nl++;
		if (o->id > 0 && o->id < 256 && ns < sizeof(shortopts) - 3) {
			shortopts[ns++] = (char)o->id;
			if (o->arg)
				shortopts[ns++] = ':';
		}
	}
	longopts[nl++] = (struct option){"help", no_argument, NULL, HELP_ID};
	longopts[nl] = (struct option){NULL, 0, NULL, 0};
	shortopts[ns++] = 'h';
	shortopts[ns] = '\0';

	optind = 0; /* full re-initialisation (GNU) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == HELP_ID) {
			cli_print_help(info);
			return -1;
		}
		if (c == '?') {
			if (optopt > 0 && optopt < 256)
				cli_usage_error(info, "unknown option '-%c'", optopt);
			else
				cli_usage_error(info, "unknown option '%s'", argv[optind - 1]);
			return -2;
		}
		if (c == ':') {
			cli_usage_error(info, "option '%s' needs a value", argv[optind - 1]);
			return -2;
		}
		if (on_option && on_option(ctx, c, optarg) != 0)
			return -2;
	}
	return optind;
}
