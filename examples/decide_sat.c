/* decide_sat.c — reduce a small 3-SAT instance to a ReLU network (Keles &
 * Hegde 2023, Thm 1: z in {-1,1}^n is a satisfying assignment iff G(z) = 0),
 * decide exactly whether 0 is in the range of G, and verify the certificate:
 * a YES witness is mapped back to an assignment and checked clause by clause
 * against the formula; a NO comes with a complete enumeration.
 *
 *   cc decide_sat.c $(pkg-config --cflags --libs ginv) -o decide_sat
 *   ./decide_sat [FILE.cnf]        (default: the formula below)
 */
#include <ginv.h>

#include <stdio.h>
#include <string.h>

static const char formula[] =
    "c a satisfiable 3-SAT instance: 8 variables, 12 clauses\n"
    "p cnf 8 12\n"
    "1 -2 3 0\n-1 4 5 0\n2 -4 6 0\n-3 -5 7 0\n"
    "1 6 -8 0\n-2 -6 8 0\n3 4 -7 0\n-1 -7 8 0\n"
    "5 -6 -8 0\n2 7 -3 0\n-4 -5 -6 0\n1 2 8 0\n";

static int fail(const char *what)
{
    fprintf(stderr, "decide_sat: %s: %s\n", what, ginv_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    ginv_cnf f = {0};
    ginv_status st = argc > 1 ? ginv_cnf_read(argv[1], 1, &f)
                              : ginv_cnf_parse(formula, strlen(formula), 1, &f);
    if (st != GINV_OK) return fail(argc > 1 ? argv[1] : "formula");

    ginv_net *net = NULL;
    ginv_problem pb = {0};
    ginv_decide_result res = {0};
    ginv_witness w = {0};
    int rc = 1;
    if (ginv_reduce_sat_pm1(&f, &net, &pb) != GINV_OK) {
        rc = fail("reduce");
        goto done;
    }
    printf("reduced: %d variables, %d clauses -> ReLU net %d -> %d\n", f.nvars, f.nclauses,
           ginv_net_in(net), ginv_net_out(net));

    ginv_decide_opts o;
    ginv_decide_opts_init(&o);   /* method auto: enumeration for binary latents */
    o.time_limit = 10;
    if (ginv_decide(net, &pb, &o, &res) != GINV_OK) {
        rc = fail("decide");
        goto done;
    }
    printf("answer: %s by %s, %ld nodes (%s)\n", ginv_answer_name(res.answer),
           ginv_decide_method_name(res.method), res.nodes, res.note);

    if (res.answer == GINV_ANSWER_YES) {
        /* the witness z in {-1,1}^n, mapped back to an assignment ... */
        if (ginv_reduce_map_back(net, &pb, res.witness, &w) != GINV_OK) {
            rc = fail("map-back");
            goto done;
        }
        /* ... and checked against the formula itself, independently of G */
        unsigned char assign[4096];
        int sat = w.size == f.nvars && f.nvars <= (int)sizeof assign;
        for (int v = 0; sat && v < f.nvars; v++) assign[v] = (unsigned char)w.object[v];
        sat = sat && ginv_cnf_satisfied(&f, assign);
        printf("witness: ||G(z)|| = %g, assignment", w.dist);
        for (int v = 0; v < w.size; v++) printf(" %s%d", w.object[v] ? "" : "-", v + 1);
        printf("\ncertificate %s: %s\n", sat && w.solves ? "verified" : "REJECTED",
               sat && w.solves ? "every clause satisfied" : w.why);
        rc = sat && w.solves ? 0 : 1;
    } else if (res.answer == GINV_ANSWER_NO) {
        /* complete enumeration: visited + pruned latents cover all 2^n */
        unsigned long long all = 1ull << ginv_net_in(net);
        int complete = res.visited + res.pruned_latents == all;
        printf("certificate %s: %llu latents visited + %llu pruned of %llu\n",
               complete ? "verified" : "incomplete", (unsigned long long)res.visited,
               (unsigned long long)res.pruned_latents, all);
        rc = complete ? 0 : 1;
    } else {
        printf("no answer within the time limit\n");
    }
done:
    ginv_witness_release(&w);
    ginv_decide_result_release(&res);
    ginv_problem_release(&pb);
    ginv_net_free(net);
    ginv_cnf_release(&f);
    return rc;
}
