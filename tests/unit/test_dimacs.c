/* test_dimacs.c — the instance files of the hardness reductions: DIMACS CNF
 * and graphs (strict and lenient, with the malformed corpora), lattices as
 * array files, and the random generators. */
#include "corpus.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* A path in the run's temporary directory (four live at a time). */
static const char *tmp_path(const char *name)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", test_tmpdir(), name);
    return p[k];
}

static ginv_status parse_cnf(const char *text, int strict, ginv_cnf *f)
{
    return ginv_cnf_parse(text, strlen(text), strict, f);
}

TEST(cnf_reads_comments_multiline_clauses_and_several_per_line)
{
    const char *text = "c a comment\n"
                       "c\n"
                       "p cnf 4 4\n"
                       "1 -2\n"
                       "  3 0 -1 4 0\r\n"
                       "c in the middle\n"
                       "\n"
                       "-3 0 2 -4 1 0\n";
    ginv_cnf f;
    CHECK_OK(parse_cnf(text, 1, &f));
    CHECK(f.nvars == 4 && f.nclauses == 4);
    int want[] = {1, -2, 3, -1, 4, -3, 2, -4, 1}, starts[] = {0, 3, 5, 6, 9};
    for (int c = 0; c <= 4; c++) CHECK(f.start[c] == starts[c]);
    for (int i = 0; i < 9; i++) CHECK(f.lits[i] == want[i]);
    ginv_cnf_release(&f);
}

TEST(cnf_empty_clause_is_kept)
{
    ginv_cnf f;
    CHECK_OK(parse_cnf("p cnf 2 2\n1 2 0\n0\n", 1, &f));
    CHECK(f.nclauses == 2 && f.start[1] == 2 && f.start[2] == 2);
    unsigned char all_true[2] = {1, 1};
    CHECK(!ginv_cnf_satisfied(&f, all_true)); /* the empty clause is false */
    CHECK(ginv_cnf_first_unsat(&f, all_true) == 1);
    ginv_cnf_release(&f);
}

TEST(cnf_lenient_takes_satlib_trailer_and_unterminated_clause)
{
    ginv_cnf f;
    /* SATLIB's uf20 files end with "%\n0\n": lenient stops at '%' */
    CHECK_OK(parse_cnf("p cnf 3 2\n1 -2 3 0\n-1 2 0\n%\n0\n\n", 0, &f));
    CHECK(f.nclauses == 2 && f.start[2] == 5);
    ginv_cnf_release(&f);
    CHECK(parse_cnf("p cnf 3 2\n1 -2 3 0\n-1 2 0\n%\n0\n\n", 1, &f) == GINV_ERR_FORMAT);
    CHECK_OK(parse_cnf("p cnf 3 2\n1 -2 3 0\n-1 2", 0, &f));
    CHECK(f.nclauses == 2 && f.lits[4] == 2);
    ginv_cnf_release(&f);
    /* lenient: a clause count other than the header's */
    CHECK_OK(parse_cnf("p cnf 3 5\n1 0\n", 0, &f));
    CHECK(f.nclauses == 1);
    ginv_cnf_release(&f);
}

static ginv_status load_cnf_both(const char *path, const unsigned char *buf, size_t len)
{
    ginv_cnf f;
    ginv_status strict = ginv_cnf_parse((const char *)buf, len, 1, &f);
    if (strict == GINV_OK) ginv_cnf_release(&f);
    ginv_status lenient = ginv_cnf_read(path, 0, &f); /* through the file, so the message names it */
    if (lenient == GINV_OK) ginv_cnf_release(&f);
    if (strict == GINV_OK || lenient == GINV_OK) return GINV_OK; /* must fail in both modes */
    CHECK_MSG(strstr(ginv_last_error(), path), "message '%s' does not name the file", ginv_last_error());
    return lenient;
}

static ginv_status load_cnf_strict(const char *path, const unsigned char *buf, size_t len)
{
    ginv_cnf f;
    ginv_status s = ginv_cnf_parse((const char *)buf, len, 1, &f);
    if (s == GINV_OK) ginv_cnf_release(&f);
    return s;
}

TEST(cnf_malformed_corpus_fails_in_both_modes_with_distinct_messages)
{
    int n = corpus_check("cnf", load_cnf_both);
    CHECK_MSG(n >= 15, "only %d CNF cases", n);
}

TEST(cnf_strict_corpus_fails_strict_and_reads_lenient)
{
    int n = corpus_check("cnf-strict", load_cnf_strict);
    CHECK_MSG(n >= 4, "only %d cases", n);
    const char *names[] = {"satlib_percent_trailer", "last_clause_unterminated", "more_clauses_than_declared",
                           "fewer_clauses_than_declared"};
    for (int i = 0; i < 4; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/cnf-strict/%s.cnf", corpus_root(), names[i]);
        ginv_cnf f;
        ginv_status s = ginv_cnf_read(path, 0, &f);
        CHECK_MSG(s == GINV_OK, "lenient mode refuses %s: %s", names[i], ginv_last_error());
        if (s == GINV_OK) CHECK(f.nclauses == 2 && f.nvars == 3);
        ginv_cnf_release(&f);
    }
}

TEST(cnf_random_is_deterministic_uniform_k_sat)
{
    ginv_cnf a, b, c;
    CHECK_OK(ginv_cnf_random(&a, 20, 85, 3, 7));
    CHECK_OK(ginv_cnf_random(&b, 20, 85, 3, 7));
    CHECK_OK(ginv_cnf_random(&c, 20, 85, 3, 8));
    CHECK(a.nvars == 20 && a.nclauses == 85 && a.start[85] == 255);
    CHECK(!memcmp(a.lits, b.lits, 255 * sizeof(int)));
    CHECK(memcmp(a.lits, c.lits, 255 * sizeof(int)));
    int neg = 0, distinct = 1;
    for (int j = 0; j < 85; j++) {
        int *cl = a.lits + 3 * j;
        distinct &= abs(cl[0]) != abs(cl[1]) && abs(cl[0]) != abs(cl[2]) && abs(cl[1]) != abs(cl[2]);
        for (int q = 0; q < 3; q++) {
            CHECK(cl[q] != 0 && abs(cl[q]) <= 20);
            neg += cl[q] < 0;
        }
    }
    CHECK(distinct);
    CHECK_MSG(neg > 90 && neg < 165, "%d of 255 literals negated", neg); /* Bin(255, 1/2): mean 127.5, sd 8 */
    /* the writer's file reads back strictly to the same formula */
    CHECK_OK(ginv_cnf_write(tmp_path("r.cnf"), &a, "random 3-SAT\nseed 7"));
    ginv_cnf back;
    CHECK_OK(ginv_cnf_read(tmp_path("r.cnf"), 1, &back));
    CHECK(back.nclauses == 85 && !memcmp(back.lits, a.lits, 255 * sizeof(int)));
    ginv_cnf_release(&back);
    ginv_cnf_release(&a);
    ginv_cnf_release(&b);
    ginv_cnf_release(&c);
    CHECK(ginv_cnf_random(&a, 3, 5, 4, 1) == GINV_ERR_ARG); /* k > n */
}

/* ------------------------------------------------------------- graphs */

static ginv_status parse_graph(const char *text, int strict, ginv_graph *g)
{
    return ginv_graph_parse(text, strlen(text), strict, g);
}

TEST(graph_reads_edges_weights_and_normalises_orientation)
{
    ginv_graph g;
    CHECK_OK(parse_graph("c triangle and a pendant\np edge 4 4\ne 2 1\ne 2 3 5\ne 1 3\ne 4 3\n", 1, &g));
    CHECK(g.n == 4 && g.m == 4 && g.weighted);
    /* sorted by (u, v), 0-based, u < v */
    int U[] = {0, 0, 1, 2}, V[] = {1, 2, 2, 3};
    long long W[] = {1, 1, 5, 1};
    for (int e = 0; e < 4; e++) CHECK(g.u[e] == U[e] && g.v[e] == V[e] && g.w[e] == W[e]);
    unsigned char tri[4] = {1, 1, 1, 0}, path[4] = {1, 0, 0, 1}, cover[4] = {0, 1, 1, 0}, notcover[4] = {1, 1, 0, 0};
    CHECK(ginv_graph_is_clique(&g, tri) && !ginv_graph_is_clique(&g, path));
    CHECK(ginv_graph_set_weight(&g, tri) == 7);
    CHECK(ginv_graph_is_vertex_cover(&g, cover) && !ginv_graph_is_vertex_cover(&g, notcover));
    ginv_graph_release(&g);
    CHECK_OK(parse_graph("p col 3 0\n", 1, &g)); /* 'col' as in the coloring benchmarks */
    CHECK(g.n == 3 && g.m == 0 && !g.weighted);
    ginv_graph_release(&g);
}

TEST(graph_lenient_merges_repeats_and_ignores_vertex_weights)
{
    ginv_graph g;
    CHECK_OK(parse_graph("p edge 3 9\nn 1 4\ne 1 2\ne 2 1\ne 1 2\ne 2 3\n", 0, &g));
    CHECK(g.m == 2 && g.u[0] == 0 && g.v[0] == 1 && g.u[1] == 1 && g.v[1] == 2);
    ginv_graph_release(&g);
    CHECK(parse_graph("p edge 3 4\ne 1 2\ne 2 1\ne 1 2\ne 2 3\n", 1, &g) == GINV_ERR_FORMAT);
    CHECK(strstr(ginv_last_error(), "lines 2 and 3"));
}

static ginv_status load_graph_both(const char *path, const unsigned char *buf, size_t len)
{
    ginv_graph g;
    ginv_status strict = ginv_graph_parse((const char *)buf, len, 1, &g);
    if (strict == GINV_OK) ginv_graph_release(&g);
    ginv_status lenient = ginv_graph_read(path, 0, &g);
    if (lenient == GINV_OK) ginv_graph_release(&g);
    if (strict == GINV_OK || lenient == GINV_OK) return GINV_OK;
    CHECK_MSG(strstr(ginv_last_error(), path), "message '%s' does not name the file", ginv_last_error());
    return lenient;
}

static ginv_status load_graph_strict(const char *path, const unsigned char *buf, size_t len)
{
    ginv_graph g;
    ginv_status s = ginv_graph_parse((const char *)buf, len, 1, &g);
    if (s == GINV_OK) ginv_graph_release(&g);
    return s;
}

TEST(graph_malformed_corpus_fails_in_both_modes_with_distinct_messages)
{
    int n = corpus_check("graph", load_graph_both);
    CHECK_MSG(n >= 15, "only %d graph cases", n);
}

TEST(graph_strict_corpus_fails_strict_and_reads_lenient)
{
    int n = corpus_check("graph-strict", load_graph_strict);
    CHECK_MSG(n >= 3, "only %d cases", n);
    const char *names[] = {"duplicate_edge", "edge_count_mismatch", "vertex_weight_lines"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/graph-strict/%s.col", corpus_root(), names[i]);
        ginv_graph g;
        ginv_status s = ginv_graph_read(path, 0, &g);
        CHECK_MSG(s == GINV_OK, "lenient mode refuses %s: %s", names[i], ginv_last_error());
        ginv_graph_release(&g);
    }
}

TEST(graph_random_is_deterministic_gnp)
{
    ginv_graph a, b;
    CHECK_OK(ginv_graph_random(&a, 60, 0.3, 1, 5));
    CHECK_OK(ginv_graph_random(&b, 60, 0.3, 1, 5));
    CHECK(a.m == b.m && !memcmp(a.u, b.u, a.m * sizeof(int)) && !memcmp(a.v, b.v, a.m * sizeof(int)));
    /* 1770 pairs, Bin(1770, 0.3): mean 531, sd 19 */
    CHECK_MSG(a.m > 531 - 100 && a.m < 531 + 100, "%d edges", a.m);
    CHECK(!a.weighted);
    CHECK_OK(ginv_graph_write(tmp_path("g.col"), &a, "G(60, 0.3)"));
    ginv_graph back;
    CHECK_OK(ginv_graph_read(tmp_path("g.col"), 1, &back));
    CHECK(back.m == a.m && !memcmp(back.u, a.u, a.m * sizeof(int)) && !memcmp(back.v, a.v, a.m * sizeof(int)));
    ginv_graph_release(&back);
    ginv_graph_release(&a);
    ginv_graph_release(&b);
    CHECK_OK(ginv_graph_random(&a, 12, 1.0, 4, 2));
    CHECK(a.m == 66 && a.weighted);
    int in_range = 1;
    for (int e = 0; e < a.m; e++) in_range &= a.w[e] >= 1 && a.w[e] <= 4;
    CHECK(in_range);
    ginv_graph_release(&a);
}

/* ------------------------------------------------------------ lattices */

static ginv_status cvp_from(int bnd, int64_t b0, int64_t b1, int tnd, int64_t t0, int64_t t1, ginv_cvp *c)
{
    static float data[64];
    for (int i = 0; i < 64; i++) data[i] = (float)(i % 7) - 3;
    ginv_array B = {bnd, {b0, b1}, data}, T = {tnd, {t0, t1}, data};
    return ginv_cvp_from_arrays(&B, &T, c);
}

TEST(lattice_shape_errors_each_have_their_own_message)
{
    ginv_cvp c;
    char msgs[5][512];
    ginv_status s[5];
    s[0] = cvp_from(2, 3, 4, 1, 5, 0, &c);  /* target length 5, vectors of 4 */
    snprintf(msgs[0], 512, "%s", ginv_last_error());
    s[1] = cvp_from(2, 3, 4, 2, 2, 4, &c);  /* target 2 x 4: not one vector */
    snprintf(msgs[1], 512, "%s", ginv_last_error());
    s[2] = cvp_from(2, 0, 4, 1, 4, 0, &c);  /* no basis vectors */
    snprintf(msgs[2], 512, "%s", ginv_last_error());
    ginv_array B3 = {3, {2, 2, 2}, NULL}, T = {1, {2}, NULL};
    s[3] = ginv_cvp_from_arrays(&B3, &T, &c); /* a 3-D basis */
    snprintf(msgs[3], 512, "%s", ginv_last_error());
    s[4] = cvp_from(2, 3, 2000000, 1, 2000000, 0, &c); /* too large */
    snprintf(msgs[4], 512, "%s", ginv_last_error());
    const char *want[5] = {"target: 5 values, but the basis vectors have 4", "expected one vector", "no entries",
                           "a 3-D array", "larger than supported"};
    for (int i = 0; i < 5; i++) {
        CHECK(s[i] == GINV_ERR_SHAPE);
        CHECK_MSG(strstr(msgs[i], want[i]), "case %d: '%s' lacks '%s'", i, msgs[i], want[i]);
        for (int j = 0; j < i; j++) CHECK(strcmp(msgs[i], msgs[j]));
    }
    /* a 1 x d target is one vector */
    CHECK_OK(cvp_from(2, 3, 4, 2, 1, 4, &c));
    CHECK(c.n == 3 && c.d == 4 && c.basis[5] == 2 && c.target[3] == 0);
    ginv_cvp_release(&c);
}

TEST(lattice_files_name_the_bad_file)
{
    const char *bp = tmp_path("B.txt");
    char tp[256];
    snprintf(tp, sizeof tp, "%s/t.txt", test_tmpdir());
    CHECK_OK(ginv_write_atomic(bp, "1 0 2\n0 3 1\n", 12));
    CHECK_OK(ginv_write_atomic(tp, "1 2\n", 4));
    ginv_cvp c;
    CHECK(ginv_cvp_read(bp, tp, &c) == GINV_ERR_SHAPE);
    CHECK(strstr(ginv_last_error(), "t.txt") && strstr(ginv_last_error(), "target: 2 values"));
    CHECK_OK(ginv_write_atomic(tp, "1 2 x\n", 6));
    CHECK(ginv_cvp_read(bp, tp, &c) == GINV_ERR_FORMAT);
    CHECK(strstr(ginv_last_error(), "t.txt"));
    CHECK_OK(ginv_write_atomic(bp, "1 0 2\n0 3\n", 10)); /* ragged rows: the text reader's message */
    CHECK(ginv_cvp_read(bp, tp, &c) != GINV_OK);
    CHECK(strstr(ginv_last_error(), "B.txt"));
    CHECK_OK(ginv_write_atomic(bp, "1 0 2\n0 3 1\n", 12));
    CHECK_OK(ginv_write_atomic(tp, "1 2 3\n", 6));
    CHECK_OK(ginv_cvp_read(bp, tp, &c));
    int y[2] = {1, 0};
    CHECK_NEAR(ginv_cvp_dist(&c, y, 2), sqrt(0 + 4 + 1), 1e-12); /* (1,0,2) - (1,2,3) */
    CHECK_NEAR(ginv_cvp_dist(&c, y, 1), 3, 1e-12);
    CHECK_NEAR(ginv_cvp_dist(&c, y, INFINITY), 2, 0);
    ginv_cvp_release(&c);
}

TEST(lattice_random_plants_a_binary_point_near_the_target)
{
    ginv_cvp c, c2;
    CHECK_OK(ginv_cvp_random(&c, 5, 4, 10, 0, 3));
    CHECK_OK(ginv_cvp_random(&c2, 5, 4, 10, 0, 3));
    CHECK(!memcmp(c.basis, c2.basis, 20 * sizeof(double)) && !memcmp(c.target, c2.target, 4 * sizeof(double)));
    /* with no noise, some y in {0,1}^5 hits t exactly */
    double best = INFINITY;
    for (int mask = 0; mask < 32; mask++) {
        int y[5];
        for (int i = 0; i < 5; i++) y[i] = mask >> i & 1;
        best = fmin(best, ginv_cvp_dist(&c, y, 2));
    }
    CHECK(best == 0);
    int ints = 1;
    for (int i = 0; i < 20; i++) ints &= c.basis[i] == floor(c.basis[i]) && fabs(c.basis[i]) <= 10;
    CHECK(ints);
    CHECK_OK(ginv_cvp_write(tmp_path("rb.npy"), tmp_path("rt.txt"), &c));
    char bp[256];
    snprintf(bp, sizeof bp, "%s/rb.npy", test_tmpdir());
    ginv_cvp back;
    CHECK_OK(ginv_cvp_read(bp, tmp_path("rt.txt"), &back));
    CHECK(back.n == 5 && back.d == 4 && !memcmp(back.basis, c.basis, 20 * sizeof(double)));
    ginv_cvp_release(&back);
    ginv_cvp_release(&c);
    ginv_cvp_release(&c2);
}

TEST(lattice_fplll_text_is_what_fplll_reads)
{
    /* fplll -a cvp reads the basis as [[..][..]] and the target as [..]:
     * integers separated by single blanks, one line each */
    double basis[6] = {1, 0, -2, 3, 5, 0}, target[3] = {4, -1, 7};
    ginv_cvp c = {2, 3, basis, target};
    CHECK_OK(ginv_cvp_write_fplll(tmp_path("l.fplll"), &c));
    char buf[128] = "";
    FILE *f = fopen(tmp_path("l.fplll"), "r");
    CHECK(f != NULL);
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
    }
    CHECK_MSG(!strcmp(buf, "[[1 0 -2][3 5 0]]\n[4 -1 7]\n"), "wrote '%s'", buf);
}
