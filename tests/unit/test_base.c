/* test_base.c — the base module's small pieces: log and progress reach the
 * installed callbacks with the caller's text and numbers, ginv_strdup copies
 * into counted memory, ginv_rng_u64 is the raw xoshiro256** output the other
 * draws are made of, and the OpenBLAS kernel queries and switch answer
 * consistently. */
#include "test.h"

#include <string.h>
#include <strings.h>
#include <sched.h>
#include <stdlib.h>

typedef struct {
    int calls, level;
    char msg[128];
    char what[32];
    long done, total;
} heard;

static void on_log(void *user, int level, const char *msg)
{
    heard *h = user;
    h->calls++;
    h->level = level;
    snprintf(h->msg, sizeof h->msg, "%s", msg);
}

static void on_progress(void *user, const char *what, long done, long total)
{
    heard *h = user;
    h->calls++;
    snprintf(h->what, sizeof h->what, "%s", what);
    h->done = done;
    h->total = total;
}

TEST(log_formats_the_message_and_passes_level_and_user_to_the_callback)
{
    heard h = {0};
    ginv_set_log(on_log, &h);
    ginv_log(2, "epoch %d loss %.2f", 7, 0.25);
    ginv_set_log(NULL, NULL);
    ginv_log(1, "nobody hears this"); /* no callback: no call, no crash */
    CHECK(h.calls == 1);
    CHECK(h.level == 2);
    CHECK_MSG(!strcmp(h.msg, "epoch 7 loss 0.25"), "message %s", h.msg);
}

TEST(progress_reaches_the_callback_set_by_ginv_set_progress_until_it_is_removed)
{
    heard h = {0};
    ginv_set_progress(on_progress, &h);
    ginv_progress("units", 3, 12);
    CHECK(h.calls == 1 && !strcmp(h.what, "units") && h.done == 3 && h.total == 12);
    ginv_progress("epochs", 5, -1); /* total <= 0: unknown, passed as given */
    CHECK(h.calls == 2 && !strcmp(h.what, "epochs") && h.done == 5 && h.total == -1);
    ginv_set_progress(NULL, NULL);
    ginv_progress("units", 4, 12);
    CHECK(h.calls == 2);
}

TEST(strdup_copies_into_counted_memory_that_ginv_free_returns)
{
    size_t before = ginv_live_bytes();
    char *s = ginv_strdup("theta_d");
    CHECK(s != NULL);
    if (!s) return;
    CHECK(!strcmp(s, "theta_d"));
    /* at least the 8 bytes of "theta_d\0" are counted as live */
    CHECK(ginv_live_bytes() >= before + 8);
    ginv_free(s);
    CHECK(ginv_live_bytes() == before);
}

TEST(rng_u64_is_reproducible_per_key_and_uniform_is_its_top_53_bits)
{
    ginv_rng a, b, c;
    ginv_rng_init(&a, 42, GINV_STREAM_USER, 3);
    ginv_rng_init(&b, 42, GINV_STREAM_USER, 3);
    ginv_rng_init(&c, 42, GINV_STREAM_USER, 4);
    int same_key = 1, other_index = 0, ones = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = ginv_rng_u64(&a), y = ginv_rng_u64(&b), z = ginv_rng_u64(&c);
        same_key &= x == y;
        other_index += x == z;
        ones += __builtin_popcountll(x);
    }
    CHECK(same_key);          /* (seed, purpose, index) fixes the stream */
    CHECK(other_index == 0);  /* another index is another stream */
    /* 64000 fair bits: mean 32000, sd 126; 5 sd is 632 */
    CHECK_MSG(ones > 32000 - 632 && ones < 32000 + 632, "%d one bits of 64000", ones);
    /* ginv_rng_uniform is (u64 >> 11) * 2^-53 of the same stream */
    ginv_rng_init(&a, 9, GINV_STREAM_USER, 0);
    ginv_rng_init(&b, 9, GINV_STREAM_USER, 0);
    for (int i = 0; i < 10; i++) {
        double u = ginv_rng_uniform(&a);
        CHECK(u == (double)(ginv_rng_u64(&b) >> 11) * 0x1.0p-53);
    }
}

TEST(blas_core_is_named_and_switching_to_it_or_to_an_unknown_name_changes_nothing)
{
    const char *core = ginv_blas_core();
    CHECK(core != NULL && *core);
    if (!core) return;
    char before[64];
    snprintf(before, sizeof before, "%s", core);
    /* a better family is offered only on top of the generic fallbacks, and is
     * never the one in use */
    const char *better = ginv_blas_better_core();
    if (better) CHECK(strcmp(better, before) != 0);
    /* the family already loaded: OK without touching OpenBLAS (when OpenBLAS
     * names a family this library knows) */
    static const char *const known[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                        "Atom", "Sandybridge", "Haswell", "SkylakeX", "Zen",
                                        "Cooperlake", "Barcelona", "Bulldozer", "Piledriver",
                                        "Steamroller", "Excavator"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcasecmp(before, known[i])) CHECK_OK(ginv_blas_switch_core(before));
    CHECK(!strcmp(ginv_blas_core(), before));
    /* an unknown family is refused by name before OpenBLAS sees it */
    ginv_clear_error();
    CHECK(ginv_blas_switch_core("Pentium4000") == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "'Pentium4000'") != NULL);
    CHECK(!strcmp(ginv_blas_core(), before));
}

TEST(blas_get_threads_reads_back_what_set_threads_set)
{
    int before = ginv_blas_get_threads();
    CHECK(before >= 1);
    ginv_blas_set_threads(3);
    CHECK(ginv_blas_get_threads() == 3);
    ginv_blas_set_threads(1);
    CHECK(ginv_blas_get_threads() == 1);
    ginv_blas_set_threads(before);
    CHECK(ginv_blas_get_threads() == before);
}

TEST(cpus_available_is_the_affinity_mask_shared_among_the_local_ranks)
{
    cpu_set_t set;
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
    int mask = CPU_COUNT(&set);
    const char *saved = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    CHECK(ginv_cpus_available() == (mask > 256 ? 256 : mask));
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
    CHECK(ginv_cpus_available() == (mask / 2 < 1 ? 1 : mask / 2 > 256 ? 256 : mask / 2));
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "1000", 1);
    CHECK(ginv_cpus_available() == 1); /* never below one */
    if (saved) setenv("OMPI_COMM_WORLD_LOCAL_SIZE", saved, 1);
    else unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
}
