/* verhm — command-line entry point: global options, subcommand dispatch, help. */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

vh_cli_globals vh_cli;

typedef struct command { const char *name, *summary; int (*fn)(int, char **); } command;

static const command commands[] = {
#define VH_CMD(name, summary) {#name, summary, cmd_##name},
#include "commands.def"
#undef VH_CMD
};

/* Command names are C identifiers in commands.def; users type '-' for '_'
 * ("train-voice" runs cmd_train_voice). */
static int name_matches(const char *typed, const char *name) {
    for (; *typed && *name; typed++, name++)
        if (*typed != *name && !(*typed == '-' && *name == '_')) return 0;
    return *typed == *name;
}

static void print_name(FILE *out, const char *name) {
    char buf[64];
    size_t i = 0;
    for (; name[i] && i < sizeof buf - 1; i++) buf[i] = name[i] == '_' ? '-' : name[i];
    buf[i] = 0;
    fprintf(out, "  %-16s", buf);
}

static void usage(FILE *out) {
    fprintf(out,
            "verhm %s — voice and face emotion read-out for mental-health monitoring\n\n"
            "usage: verhm [--progress] [--quiet] COMMAND [ARGS...]\n"
            "       verhm COMMAND --help\n\ncommands:\n",
            vh_version());
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        print_name(out, commands[i].name);
        fprintf(out, " %s\n", commands[i].summary);
    }
    fprintf(out, "\nexit status: 0 success, 1 bad input (one line on stderr says why), 2 usage error\n");
}

int cmd_version(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        printf("usage: verhm version\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : VH_EXIT_USAGE;
    }
    printf("verhm %s\n", vh_version());
    return 0;
}

int main(int argc, char **argv) {
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { usage(stdout); return 0; }
        else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) { printf("verhm %s\n", vh_version()); return 0; }
        else if (!strcmp(argv[i], "--progress")) vh_cli.progress = 1;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) vh_cli.quiet = 1;
        else { fprintf(stderr, "verhm: unknown option '%s'\n", argv[i]); usage(stderr); return VH_EXIT_USAGE; }
    }
    if (i >= argc) { usage(stderr); return VH_EXIT_USAGE; }
    vh_cli_setup_logging(0);
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (name_matches(argv[i], commands[c].name)) {
            /* Subcommands also take --progress after their name: consume it here
             * so their own option parsing never sees it. */
            int k = i + 1;
            for (int j = i + 1; j < argc; j++) {
                if (!strcmp(argv[j], "--")) { while (j < argc) argv[k++] = argv[j++]; break; }
                if (!strcmp(argv[j], "--progress")) { vh_cli.progress = 1; continue; }
                argv[k++] = argv[j];
            }
            argc = k;
            argv[argc] = NULL;
            optind = 1;
            opterr = 0; /* commands report unknown options themselves */
            return commands[c].fn(argc - i, argv + i);
        }
    }
    fprintf(stderr, "verhm: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return VH_EXIT_USAGE;
}
