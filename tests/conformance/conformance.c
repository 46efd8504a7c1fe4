/*
 * conformance.c - the Windows-semantics conformance suite (src/check) run
 * against a real FUSE file system: tests/integration/peer_fs, a libfuse3
 * program, serves the engine over a SOCK_SEQPACKET pair (src/wslfuse),
 * and an fsd volume turns the suite's NT calls into the engine's requests.
 *
 *   conformance_peer [--peer PATH] [--only SUBSTRING] [--json] [--mt]
 *                    [--case-sensitive | --case-insensitive] [--timeout SEC]
 *
 * By default the suite runs twice, on a case-sensitive and on a
 * case-insensitive volume, so that both case sets are exercised; the
 * counts add up. The last line is "N passed, N failed, N skipped"; the
 * exit status is 1 when a case failed. WF_TEST_TALLY names the file that
 * gets "passed failed" for scripts/run-tests.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/check.h"
#include "winfuse/engine.h"
#include "winfuse/fsd.h"
#include "wslfuse/seqpacket.h"

#ifndef WF_PEER_FS
#define WF_PEER_FS "peer_fs"
#endif

typedef struct settings {
    const char *peer;
    const char *only;
    const char *timeout;
    bool json;
    bool mt;
    int case_mode; /* 0 both, 1 sensitive only, 2 insensitive only */
} settings;

typedef struct peer {
    pid_t pid;
    wf_fsd_volume *vol;
    wf_engine *engine;
    wf_seqpacket *sp;
} peer;

static void usage(void)
{
    fprintf(stderr, "usage: conformance_peer [--peer PATH] [--only SUBSTRING] [--json] [--mt]\n"
                    "                        [--case-sensitive | --case-insensitive] [--timeout SEC]\n");
    exit(2);
}

/* Starts peer_fs on one end of a socket pair and an fsd volume on the other. */
static int start(const settings *s, bool case_sensitive, peer *p)
{
    wf_engine_config config;
    int sv[2];
    char mount_arg[32], timeout_arg[32];
    char *argv[6];
    int argc = 0, err;
    NTSTATUS status;

    memset(p, 0, sizeof *p);
    err = wf_seqpacket_socketpair(sv);
    if (err) {
        fprintf(stderr, "conformance: socketpair: %s\n", strerror(-err));
        return -1;
    }
    snprintf(mount_arg, sizeof mount_arg, "/dev/fd/%d", sv[1]);
    snprintf(timeout_arg, sizeof timeout_arg, "--timeout=%s", s->timeout);
    argv[argc++] = (char *)s->peer;
    argv[argc++] = timeout_arg;
    if (s->mt)
        argv[argc++] = (char *)"--mt";
    argv[argc++] = mount_arg;
    argv[argc] = NULL;

    p->pid = fork();
    if (p->pid < 0) {
        perror("conformance: fork");
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (p->pid == 0) {
        /* Only the file system's end of the pair crosses exec. */
        fcntl(sv[1], F_SETFD, 0);
        execv(argv[0], argv);
        fprintf(stderr, "conformance: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    /* Our copy of its end must go, or its death would not close the channel. */
    close(sv[1]);

    status = wf_fsd_volume_new(&p->vol);
    if (NT_SUCCESS(status)) {
        wf_engine_config_init(&config);
        config.default_uid = (UINT32)getuid();
        config.default_gid = (UINT32)getgid();
        config.volume_params.CaseSensitiveSearch = case_sensitive;
        config.volume_params.SupportsPosixUnlinkRename = 1;
        status = wf_engine_create(&config, wf_fsd_volume_provider(p->vol), &p->engine);
    }
    if (NT_SUCCESS(status))
        status = wf_fsd_volume_mount(p->vol, wf_engine_volume_params(p->engine));
    if (NT_SUCCESS(status))
        status = wf_seqpacket_start(p->engine, sv[0], s->mt ? 4 : 1, &p->sp);
    else
        close(sv[0]);
    if (!NT_SUCCESS(status)) {
        fprintf(stderr, "conformance: cannot set up the volume: 0x%08x\n", (unsigned)status);
        return -1;
    }
    return 0;
}

/* Unmounts (the file system gets DESTROY), stops the channel, reaps the file system. */
static int stop(peer *p)
{
    int wstatus = 0;

    if (p->vol && p->engine) {
        wf_engine_stats stats;

        wf_fsd_volume_unmount(p->vol);
        /* The file system answers DESTROY; let the answer arrive before the channel closes. */
        for (int i = 0; i < 500; i++) {
            wf_engine_get_stats(p->engine, &stats);
            if (stats.stopped)
                break;
            usleep(10000);
        }
    }
    if (p->sp)
        wf_seqpacket_stop(p->sp);
    if (p->engine)
        wf_engine_delete(p->engine);
    if (p->vol)
        wf_fsd_volume_delete(p->vol);
    if (p->pid > 0) {
        for (int i = 0; i < 1000; i++) {
            pid_t r = waitpid(p->pid, &wstatus, WNOHANG);
            if (r == p->pid || r < 0)
                return r == p->pid && WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
            usleep(10000);
        }
        fprintf(stderr, "conformance: the file system did not exit; killing it\n");
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &wstatus, 0);
        return -1;
    }
    return 0;
}

static void write_tally(unsigned passed, unsigned failed)
{
    const char *path = getenv("WF_TEST_TALLY");
    FILE *f;

    if (!path || !*path)
        return;
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%u %u\n", passed, failed);
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    settings s = {WF_PEER_FS, NULL, "1", false, false, 0};
    wf_check_result total = {0, 0, 0};
    bool broken = false;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--peer") && i + 1 < argc)
            s.peer = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            s.only = argv[++i];
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            s.timeout = argv[++i];
        else if (!strcmp(argv[i], "--json"))
            s.json = true;
        else if (!strcmp(argv[i], "--mt"))
            s.mt = true;
        else if (!strcmp(argv[i], "--case-sensitive"))
            s.case_mode = 1;
        else if (!strcmp(argv[i], "--case-insensitive"))
            s.case_mode = 2;
        else
            usage();
    }
    signal(SIGPIPE, SIG_IGN);

    for (int pass = 0; pass < 2; pass++) {
        bool sensitive = pass == 0;
        wf_check_options opts;
        wf_check_result res;
        peer p;
        int rc, peer_rc;

        if ((s.case_mode == 1 && !sensitive) || (s.case_mode == 2 && sensitive))
            continue;
        if (!s.json)
            printf("# %s volume, %s\n", sensitive ? "case-sensitive" : "case-insensitive",
                s.peer);
        fflush(stdout);
        if (start(&s, sensitive, &p) != 0) {
            stop(&p);
            broken = true;
            continue;
        }
        memset(&opts, 0, sizeof opts);
        opts.only = s.only;
        opts.json = s.json;
        opts.out = stdout;
        rc = wf_check_run(p.vol, &opts, &res);
        peer_rc = stop(&p);
        if (rc == 2)
            broken = true;
        if (peer_rc != 0) {
            fprintf(stderr, "conformance: the file system exited with %d\n", peer_rc);
            broken = true;
        }
        total.passed += res.passed;
        total.failed += res.failed;
        total.skipped += res.skipped;
    }
    if (broken)
        total.failed++;
    write_tally(total.passed, total.failed);
    if (!s.json)
        printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed, total.skipped);
    return total.failed ? 1 : 0;
}
