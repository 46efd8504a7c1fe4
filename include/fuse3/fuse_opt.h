/*
 * fuse_opt.h - command line option parsing of the fuse3-compatible library
 * (winfuse). Same API and ABI as libfuse 3.14.
 */
#ifndef FUSE_OPT_H_
#define FUSE_OPT_H_

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One recognized option.
 *
 * templ forms: "-x", "--long", "name" (items of -o lists) match exactly;
 * "name=%fmt" and "-x %fmt" take a parameter ("-x %fmt": in the same
 * argument or the next one); "name=" and "-x " without a format match any
 * value. %s stores a malloc'ed copy in a char *; other formats go to
 * sscanf(3). Every matching template is applied, in table order.
 *
 * offset: where in the data argument of fuse_opt_parse() to store, or -1U to
 * pass the match to the processing function with value as its key.
 * value: stored as an int when templ has no format.
 */
struct fuse_opt {
	const char *templ;
	unsigned long offset;
	int value;
};

/* An option that calls the processing function with the given key. */
#define FUSE_OPT_KEY(templ, key) { templ, -1U, key }

/* Terminates an option table. */
#define FUSE_OPT_END { NULL, 0, 0 }

/* An argument vector; allocated says argv (and its strings) are ours to free. */
struct fuse_args {
	int argc;
	char **argv;
	int allocated;
};

#define FUSE_ARGS_INIT(argc, argv) { argc, argv, 0 }

/* Keys given to the processing function for arguments no template matched. */
#define FUSE_OPT_KEY_OPT     -1		/* an option, or one item of an -o list */
#define FUSE_OPT_KEY_NONOPT  -2		/* a plain argument */
/* Keys usable in FUSE_OPT_KEY(): keep without calling, or drop silently. */
#define FUSE_OPT_KEY_KEEP -3
#define FUSE_OPT_KEY_DISCARD -4

/*
 * Processing function: return -1 to fail the parse, 0 to drop arg, 1 to keep
 * it in the output arguments (items of -o lists are kept inside one -o).
 */
typedef int (*fuse_opt_proc_t)(void *data, const char *arg, int key,
			       struct fuse_args *outargs);

/*
 * Parse args against opts, storing into data and calling proc for keys and
 * unmatched arguments. On success args is replaced by the kept arguments.
 * Returns 0, or -1 after logging why.
 */
int fuse_opt_parse(struct fuse_args *args, void *data,
		   const struct fuse_opt opts[], fuse_opt_proc_t proc);

/* Append opt to the comma separated list *opts (realloc'ed). */
int fuse_opt_add_opt(char **opts, const char *opt);

/* As fuse_opt_add_opt(), escaping ',' and '\\' in opt with a backslash. */
int fuse_opt_add_opt_escaped(char **opts, const char *opt);

/* Append a copy of arg; args->argv must be NULL or allocated. */
int fuse_opt_add_arg(struct fuse_args *args, const char *arg);

/* Insert a copy of arg at position pos (0..argc). */
int fuse_opt_insert_arg(struct fuse_args *args, int pos, const char *arg);

/* Free an allocated argument vector and reset args to empty. */
void fuse_opt_free_args(struct fuse_args *args);

/* 1 if some template of opts matches opt, else 0. */
int fuse_opt_match(const struct fuse_opt opts[], const char *opt);

#ifdef __cplusplus
}
#endif

#endif /* FUSE_OPT_H_ */
