/*
 * opt.c - fuse_opt: the option parser of libfuse, with its exact behaviour.
 *
 * Programs lean on every detail of it (which templates match, in what order
 * keys reach the processing function, how -o lists are split, escaped and
 * rebuilt, that a trailing "--" disappears), so those details follow
 * libfuse 3.14, as do the messages users see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Only the option and log headers: unit tests compile this file alone. */
#include "fuse3/fuse_opt.h"
#include "fuse3/fuse_log.h"

/* FUSE_OPT_KEY() stores -1U in an unsigned long: 0xffffffff, not ULONG_MAX. */
#define OPT_OFFSET_KEY ((unsigned long)-1U)

struct opt_parser {
    void *data;
    const struct fuse_opt *opts;
    fuse_opt_proc_t proc;
    int argc;
    char **argv;
    int pos;                    /* index of the argument being parsed */
    struct fuse_args out;       /* what is kept */
    char *olist;                /* kept -o items, re-escaped, comma separated */
    int nonopt;                 /* out.argc just after "--"; 0 before it */
};

static int out_of_memory(void)
{
    fuse_log(FUSE_LOG_ERR, "fuse: memory allocation failed\n");
    return -1;
}

void fuse_opt_free_args(struct fuse_args *args)
{
    if (!args)
        return;
    if (args->argv && args->allocated) {
        for (int i = 0; i < args->argc; i++)
            free(args->argv[i]);
        free(args->argv);
    }
    args->argc = 0;
    args->argv = NULL;
    args->allocated = 0;
}

/*
 * A vector the caller owns (FUSE_ARGS_INIT(argc, argv)) is never modified;
 * libfuse asserts here, we take a private copy first.
 */
static int own_args(struct fuse_args *args)
{
    char **v;

    if (!args->argv || args->allocated)
        return 0;
    if (args->argc < 0)
        return -1;
    v = calloc((size_t)args->argc + 1, sizeof(*v));
    if (!v)
        return out_of_memory();
    for (int i = 0; i < args->argc; i++) {
        v[i] = strdup(args->argv[i] ? args->argv[i] : "");
        if (!v[i]) {
            while (i--)
                free(v[i]);
            free(v);
            return out_of_memory();
        }
    }
    args->argv = v;
    args->allocated = 1;
    return 0;
}

int fuse_opt_add_arg(struct fuse_args *args, const char *arg)
{
    char *copy;
    char **v;

    if (!args || !arg || args->argc < 0 || own_args(args) == -1)
        return -1;
    copy = strdup(arg);
    if (!copy)
        return out_of_memory();
    v = realloc(args->argv, ((size_t)args->argc + 2) * sizeof(*v));
    if (!v) {
        free(copy);
        return out_of_memory();
    }
    args->argv = v;
    args->allocated = 1;
    v[args->argc++] = copy;
    v[args->argc] = NULL;
    return 0;
}

int fuse_opt_insert_arg(struct fuse_args *args, int pos, const char *arg)
{
    char *added;

    if (!args || pos < 0 || pos > args->argc)
        return -1;
    if (fuse_opt_add_arg(args, arg) == -1)
        return -1;
    added = args->argv[args->argc - 1];
    memmove(&args->argv[pos + 1], &args->argv[pos],
        sizeof(char *) * (size_t)(args->argc - 1 - pos));
    args->argv[pos] = added;
    return 0;
}

static int add_opt(char **opts, const char *opt, int escape)
{
    size_t old = *opts ? strlen(*opts) : 0;
    size_t len = strlen(opt);
    char *d;

    /* worst case: a separator, every character escaped, the terminator */
    d = realloc(*opts, old + 1 + 2 * len + 1);
    if (!d)
        return out_of_memory();
    *opts = d;
    d += old;
    if (old)
        *d++ = ',';
    for (; *opt; opt++) {
        if (escape && (*opt == ',' || *opt == '\\'))
            *d++ = '\\';
        *d++ = *opt;
    }
    *d = '\0';
    return 0;
}

int fuse_opt_add_opt(char **opts, const char *opt)
{
    return add_opt(opts, opt, 0);
}

int fuse_opt_add_opt_escaped(char **opts, const char *opt)
{
    return add_opt(opts, opt, 1);
}

/*
 * Does template t match arg? On a match *sep is the offset of the template's
 * '=' or ' ' separator when it takes a value ("name=", "name=%fmt", "-x ",
 * "-x %fmt"), else 0.
 */
static int template_matches(const char *t, const char *arg, size_t *sep)
{
    const char *s = strchr(t, '=');

    if (!s)
        s = strchr(t, ' ');
    if (s && (s[1] == '\0' || s[1] == '%')) {
        size_t prefix = (size_t)(s - t) + (*s == '=');
        if (strlen(arg) >= prefix && strncmp(arg, t, prefix) == 0) {
            *sep = (size_t)(s - t);
            return 1;
        }
    }
    if (strcmp(t, arg) == 0) {
        *sep = 0;
        return 1;
    }
    return 0;
}

static const struct fuse_opt *next_match(const struct fuse_opt *opt, const char *arg,
    size_t *sep)
{
    for (; opt && opt->templ; opt++)
        if (template_matches(opt->templ, arg, sep))
            return opt;
    return NULL;
}

int fuse_opt_match(const struct fuse_opt opts[], const char *opt)
{
    size_t sep;

    if (!opt)
        return 0;
    return next_match(opts, opt, &sep) ? 1 : 0;
}

/* Keep arg: as an -o item (in_list) or as an argument of its own. */
static int keep(struct opt_parser *p, const char *arg, int in_list)
{
    if (in_list)
        return add_opt(&p->olist, arg, 1);
    return fuse_opt_add_arg(&p->out, arg);
}

/* Hand arg to the processing function under key; keep it if it says so. */
static int call_proc(struct opt_parser *p, const char *arg, int key, int in_list)
{
    if (key == FUSE_OPT_KEY_DISCARD)
        return 0;
    if (key != FUSE_OPT_KEY_KEEP && p->proc) {
        int res = p->proc(p->data, arg, key, &p->out);
        if (res == -1 || res == 0)
            return res;
    }
    return keep(p, arg, in_list);
}

/* Store a template's parameter through its format. */
static int store_param(void *var, const char *format, const char *param, const char *arg)
{
    if (format[0] != '%') {
        fuse_log(FUSE_LOG_ERR, "fuse: invalid parameter in option `%s'\n", arg);
        return -1;
    }
    if (format[1] == 's') {
        char **s = var;
        char *copy = strdup(param);
        if (!copy)
            return out_of_memory();
        free(*s);
        *s = copy;
        return 0;
    }
    if (sscanf(param, format, var) != 1) {
        fuse_log(FUSE_LOG_ERR, "fuse: invalid parameter in option `%s'\n", arg);
        return -1;
    }
    return 0;
}

static int apply(struct opt_parser *p, const struct fuse_opt *opt, size_t sep,
    const char *arg, int in_list)
{
    void *var;

    if (opt->offset == OPT_OFFSET_KEY)
        return call_proc(p, arg, opt->value, in_list) == -1 ? -1 : 0;
    var = (char *)p->data + opt->offset;
    if (sep && opt->templ[sep + 1]) {
        const char *param = arg + sep + (opt->templ[sep] == '=');
        return store_param(var, opt->templ + sep + 1, param, arg);
    }
    *(int *)var = opt->value;
    return 0;
}

/* The next argument must exist: "-o" and "-x %fmt" take it as their value. */
static int take_next(struct opt_parser *p, const char *opt)
{
    if (p->pos + 1 >= p->argc) {
        fuse_log(FUSE_LOG_ERR, "fuse: missing argument after `%s'\n", opt);
        return -1;
    }
    p->pos++;
    return 0;
}

/* "-x %fmt" given as "-x" "value": apply it to "-xvalue". */
static int apply_separate(struct opt_parser *p, const struct fuse_opt *opt, size_t sep,
    const char *arg, int in_list)
{
    const char *param;
    char *joined;
    int res;

    if (take_next(p, arg) == -1)
        return -1;
    param = p->argv[p->pos];
    joined = malloc(sep + strlen(param) + 1);
    if (!joined)
        return out_of_memory();
    memcpy(joined, arg, sep);
    strcpy(joined + sep, param);
    res = apply(p, opt, sep, joined, in_list);
    free(joined);
    return res;
}

/* An option, or one item of an -o list: every matching template, else the proc. */
static int parse_option(struct opt_parser *p, const char *arg, int in_list)
{
    size_t sep;
    const struct fuse_opt *opt = next_match(p->opts, arg, &sep);

    if (!opt)
        return call_proc(p, arg, FUSE_OPT_KEY_OPT, in_list);
    for (; opt; opt = next_match(opt + 1, arg, &sep)) {
        int res;
        if (sep && opt->templ[sep] == ' ' && arg[sep] == '\0')
            res = apply_separate(p, opt, sep, arg, in_list);
        else
            res = apply(p, opt, sep, arg, in_list);
        if (res == -1)
            return -1;
    }
    return 0;
}

/*
 * An -o list, split at unescaped commas. A backslash takes the next
 * character literally, or three octal digits (the first 0-3) as one byte.
 */
static int parse_list(struct opt_parser *p, const char *list)
{
    char *copy = strdup(list);
    char *s, *d;
    int res = 0;

    if (!copy)
        return out_of_memory();
    s = d = copy;
    for (;;) {
        if (*s == ',' || *s == '\0') {
            int last = *s == '\0';
            *d = '\0';
            res = parse_option(p, copy, 1);
            if (res == -1 || last)
                break;
            d = copy;
        } else if (s[0] == '\\' && s[1] != '\0') {
            s++;
            if (s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
                s[2] >= '0' && s[2] <= '7') {
                *d++ = (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
                s += 2;
            } else {
                *d++ = *s;
            }
        } else {
            *d++ = *s;
        }
        s++;
    }
    free(copy);
    return res;
}

static int parse_arg(struct opt_parser *p, const char *arg)
{
    if (p->nonopt || arg[0] != '-')
        return call_proc(p, arg, FUSE_OPT_KEY_NONOPT, 0);
    if (arg[1] == 'o') {
        if (arg[2])
            return parse_list(p, arg + 2);
        if (take_next(p, arg) == -1)
            return -1;
        return parse_list(p, p->argv[p->pos]);
    }
    if (arg[1] == '-' && arg[2] == '\0') {
        if (fuse_opt_add_arg(&p->out, arg) == -1)
            return -1;
        p->nonopt = p->out.argc;
        return 0;
    }
    return parse_option(p, arg, 0);
}

static int parse_all(struct opt_parser *p)
{
    if (p->argc > 0 && fuse_opt_add_arg(&p->out, p->argv[0]) == -1)
        return -1;
    for (p->pos = 1; p->pos < p->argc; p->pos++)
        if (parse_arg(p, p->argv[p->pos]) == -1)
            return -1;
    /* the kept -o items come back as one "-o list" right after argv[0] */
    if (p->olist) {
        if (fuse_opt_insert_arg(&p->out, 1, "-o") == -1 ||
            fuse_opt_insert_arg(&p->out, 2, p->olist) == -1)
            return -1;
    }
    /* a "--" that nothing followed is dropped */
    if (p->nonopt && p->nonopt == p->out.argc &&
        strcmp(p->out.argv[p->out.argc - 1], "--") == 0) {
        free(p->out.argv[--p->out.argc]);
        p->out.argv[p->out.argc] = NULL;
    }
    return 0;
}

int fuse_opt_parse(struct fuse_args *args, void *data, const struct fuse_opt opts[],
    fuse_opt_proc_t proc)
{
    struct opt_parser p;
    int res;

    if (!args || !args->argv || !args->argc)
        return 0;
    memset(&p, 0, sizeof(p));
    p.data = data;
    p.opts = opts;
    p.proc = proc;
    p.argc = args->argc;
    p.argv = args->argv;

    res = parse_all(&p);
    if (res != -1) {
        struct fuse_args old = *args;
        *args = p.out;
        p.out = old;
    }
    free(p.olist);
    fuse_opt_free_args(&p.out);
    return res;
}
