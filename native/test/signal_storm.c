/*
 * signal_storm.c: a test helper that sends a signal to chosen threads of its
 * own process at a high rate, as a sampling profiler does (async-profiler's
 * wall-clock mode signals threads one by one with tgkill), or as jstack's
 * SIGQUIT does at a lower one. The Java stress programs load it (never the
 * jar): SignalStorm points it at the threads of its workloads.
 *
 *   int  cpylock_storm_count(int signo, int restart)
 *        Installs a handler for signo that only counts, with SA_RESTART (as
 *        profilers install theirs) or without. Returns 0, or -1.
 *   int  cpylock_storm_start(int signo, int interval_us, const char *prefixes)
 *        Starts a storm: every interval_us microseconds, signo goes to every
 *        thread whose name (/proc/self/task/<tid>/comm) starts with one of
 *        the comma-separated prefixes (rescanned every 10 ms), or to the
 *        process (kill, as `kill -QUIT` does) when prefixes is empty.
 *        Returns a storm id (>= 0), or -1.
 *   long cpylock_storm_stop(int id)      Stops it; returns the signals sent.
 *   long cpylock_storm_handled(void)     Signals the counting handler took.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_STORMS 4
#define MAX_TARGETS 512
#define RESCAN_NS (10 * 1000 * 1000L)

struct storm {
    pthread_t thread;
    int signo;
    long interval_ns;
    char prefixes[256];
    int stop;
    long sent;
    int used;
};

static struct storm storms[MAX_STORMS];
static pthread_mutex_t storms_lock = PTHREAD_MUTEX_INITIALIZER;
static long handled;

static void
count_signal(int signo)
{
    (void)signo;
    __atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
}

static long
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int
name_matches(const char *name, const char *prefixes)
{
    const char *p = prefixes;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0 && strncmp(name, p, len) == 0) {
            return 1;
        }
        if (!end) {
            break;
        }
        p = end + 1;
    }
    return 0;
}

// The tids of this process's threads whose names match.
static int
scan(const char *prefixes, pid_t self, pid_t *tids)
{
    int count = 0;
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL) {
        return 0;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < MAX_TARGETS) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') {
            continue;
        }
        pid_t tid = (pid_t)atoi(entry->d_name);
        if (tid == self) {
            continue;
        }
        char path[64], name[32] = {0};
        snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
        FILE *f = fopen(path, "r");
        if (f == NULL) {
            continue;
        }
        if (fgets(name, sizeof(name), f) != NULL && name_matches(name, prefixes)) {
            tids[count++] = tid;
        }
        fclose(f);
    }
    closedir(dir);
    return count;
}

static void *
run_storm(void *arg)
{
    struct storm *storm = arg;
    pid_t pid = getpid();
    pid_t self = (pid_t)syscall(SYS_gettid);
    pid_t tids[MAX_TARGETS];
    int count = 0;
    long rescan_at = 0;
    int process = storm->prefixes[0] == '\0';
    while (!__atomic_load_n(&storm->stop, __ATOMIC_ACQUIRE)) {
        if (process) {
            if (kill(pid, storm->signo) == 0) {
                storm->sent++;
            }
        }
        else {
            long now = now_ns();
            if (now >= rescan_at) {
                count = scan(storm->prefixes, self, tids);
                rescan_at = now + RESCAN_NS;
            }
            for (int i = 0; i < count; i++) {
                if (syscall(SYS_tgkill, pid, tids[i], storm->signo) == 0) {
                    storm->sent++;
                }
            }
        }
        struct timespec pause = {storm->interval_ns / 1000000000L, storm->interval_ns % 1000000000L};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

int
cpylock_storm_count(int signo, int restart)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = count_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = restart ? SA_RESTART : 0;
    return sigaction(signo, &action, NULL) == 0 ? 0 : -1;
}

int
cpylock_storm_start(int signo, int interval_us, const char *prefixes)
{
    pthread_mutex_lock(&storms_lock);
    int id = -1;
    for (int i = 0; i < MAX_STORMS; i++) {
        if (!storms[i].used) {
            id = i;
            break;
        }
    }
    if (id >= 0) {
        struct storm *storm = &storms[id];
        memset(storm, 0, sizeof(*storm));
        storm->used = 1;
        storm->signo = signo;
        storm->interval_ns = (long)interval_us * 1000L;
        snprintf(storm->prefixes, sizeof(storm->prefixes), "%s", prefixes);
        if (pthread_create(&storm->thread, NULL, run_storm, storm) != 0) {
            storm->used = 0;
            id = -1;
        }
    }
    pthread_mutex_unlock(&storms_lock);
    return id;
}

long
cpylock_storm_stop(int id)
{
    if (id < 0 || id >= MAX_STORMS || !storms[id].used) {
        return -1;
    }
    __atomic_store_n(&storms[id].stop, 1, __ATOMIC_RELEASE);
    pthread_join(storms[id].thread, NULL);
    long sent = storms[id].sent;
    pthread_mutex_lock(&storms_lock);
    storms[id].used = 0;
    pthread_mutex_unlock(&storms_lock);
    return sent;
}

long
cpylock_storm_handled(void)
{
    return __atomic_load_n(&handled, __ATOMIC_RELAXED);
}
