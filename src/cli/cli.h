/* Shared helpers for the verhm subcommands (the CLI is a thin client of libverhm). */
#ifndef VH_CLI_H
#define VH_CLI_H
#include "verhm/core.h"
#include <getopt.h>
#include <stdio.h>

/* Exit codes of every command. */
enum { VH_EXIT_OK = 0, VH_EXIT_INPUT = 1, VH_EXIT_USAGE = 2 };

/* Each subcommand: int cmd_NAME(int argc, char **argv), argv[0] is its name. */
#define VH_CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "commands.def"
#undef VH_CMD

/* Global options parsed by main before the subcommand. */
typedef struct vh_cli_globals {
    int progress;   /* --progress forces the bar even when stderr is not a tty */
    int quiet;
} vh_cli_globals;
extern vh_cli_globals vh_cli;

/* Prints "verhm: <what>: <message>" (one line, stderr) and returns VH_EXIT_INPUT.
 * `what` is usually the file name; the message comes from fmt. */
int vh_cli_fail(const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Same, with the library's last error text (which already names the file). */
int vh_cli_fail_status(int status);
/* Prints "verhm CMD: <message>" and "Try 'verhm CMD --help'." and returns 2. */
int vh_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Strict numeric option parsing: whole string must be a finite number within
 * [lo, hi]. On failure prints a usage error naming `opt` and returns -1. */
int vh_cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
int vh_cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, int *out);

/* Prints a JSON document from a writer's buffer on stdout followed by "\n". */
void vh_cli_print_json(vh_buf *b);

/* A progress bar on stderr, enabled on a terminal or with --progress. */
void vh_cli_progress_init(vh_progress_bar *bar);

/* Installs the stderr log callback ("verhm: warning: ..."). */
void vh_cli_setup_logging(int verbose);

/* Resolves a file shipped with verhm (models/..., assets/...): next to the
 * executable's source tree, the install prefix, or the current directory.
 * Returns a static buffer or NULL when not found. */
const char *vh_cli_find_resource(const char *rel);
/* `verhm eval` back ends for model kinds other than image classifiers
 * (dispatched by cmd_eval on the model's labels/metadata). */
struct vh_model;
int vh_cli_eval_agegender(struct vh_model *m, const char *model_path, const char *dir, int json);
/* --from: copies every parameter and buffer of `base` whose name and shape match
 * into `m` (the backbone; a head of another size stays freshly initialised)
 * and base's input normalisation, and says how many tensors were copied
 * (unless --quiet). Returns the count. */
int vh_cli_copy_backbone(struct vh_model *m, const struct vh_model *base, const char *from);
#endif
