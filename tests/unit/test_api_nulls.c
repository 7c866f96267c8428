/* test_api_nulls.c — every public function checks its pointers and sizes
 * and answers with a status and a message, never a crash (issue 16, "Bad
 * input"). One test per module (the headers under include/ginv/) calls each
 * function that returns a ginv_status with every pointer NULL and every size
 * zero; tests/cli/test_library.sh checks that every such function the
 * headers declare is called here. Then every _free/_release takes NULL, and
 * the calls on live objects refuse each NULL argument in turn and zero or
 * negative sizes. */
#include "test.h"

#include <string.h>

/* call fails (not GINV_OK) with a message, and ginv_last_status() agrees */
#define NULLS(call)                                                            \
    do {                                                                       \
        ginv_clear_error();                                                    \
        ginv_status s_ = (call);                                               \
        if (s_ == GINV_OK)                                                     \
            test_fail(__FILE__, __LINE__, "%s returned GINV_OK", #call);       \
        else if (!*ginv_last_error())                                          \
            test_fail(__FILE__, __LINE__, "%s failed (%s) with no message", #call, \
                      ginv_strerror(s_));                                      \
        else if (ginv_last_status() != s_)                                     \
            test_fail(__FILE__, __LINE__, "%s returned %s but recorded %s", #call, \
                      ginv_strerror(s_), ginv_strerror(ginv_last_status()));  \
    } while (0)

/* the same, and the message names the NULL parameter */
#define NULL_ARG(call, param)                                                  \
    do {                                                                       \
        NULLS(call);                                                           \
        if (!strstr(ginv_last_error(), param " is NULL"))                      \
            test_fail(__FILE__, __LINE__, "%s: message '%s' does not name %s", #call, \
                      ginv_last_error(), param);                               \
    } while (0)

TEST(api_base_refuses_null_pointers_and_zero_sizes)
{
    /* linalg */
    NULLS(ginv_blas_switch_core(NULL));
    /* contexts */
    NULLS(ginv_ctx_new(NULL));
    /* parameter tables */
    NULL_ARG(ginv_param_defaults(NULL, NULL), "t");
    NULL_ARG(ginv_param_set(NULL, NULL, NULL, NULL), "t");
    NULLS(ginv_params_apply(NULL, NULL, NULL));
    NULL_ARG(ginv_param_validate(NULL, NULL), "t");
    /* library set-up */
    /* report may be NULL (documented): no crash; REPORT_ONLY switches nothing */
    CHECK(ginv_lib_init(GINV_LIB_INIT_REPORT_ONLY, NULL) == GINV_OK);
}

TEST(api_io_refuses_null_pointers_and_zero_sizes)
{
    /* arrays */
    NULLS(ginv_array_read(NULL, NULL));
    NULLS(ginv_array_write(NULL, NULL, 0, NULL));
    NULLS(ginv_npy_parse(NULL, 0, NULL));
    NULLS(ginv_text_parse(NULL, 0, NULL));
    /* safetensors */
    NULLS(ginv_st_parse(NULL, 0, NULL));
    NULLS(ginv_st_read(NULL, NULL));
    NULLS(ginv_st_get_f32(NULL, NULL, 0, NULL));
    NULLS(ginv_st_writer_add(NULL, NULL, (ginv_dtype)0, 0, NULL, NULL));
    NULLS(ginv_st_writer_meta(NULL, NULL, NULL));
    NULLS(ginv_st_writer_save(NULL, NULL));
    NULLS(ginv_write_atomic(NULL, NULL, 0));
    NULLS(ginv_outset_begin(NULL, NULL));
    NULLS(ginv_outset_commit(NULL));
    NULLS(ginv_read_file(NULL, 0, NULL, NULL));
    NULLS(ginv_png_write_gray(NULL, 0, 0, NULL, 0, 0));
    NULLS(ginv_png_write_grid(NULL, 0, 0, 0, 0, NULL, 0, 0, 0, 0));
    NULLS(ginv_png_write_grid_styled(NULL, 0, 0, 0, 0, NULL, NULL));
    /* images */
    NULLS(ginv_idx_parse(NULL, 0, NULL));
    NULLS(ginv_idx_read(NULL, NULL));
    NULLS(ginv_images_load(NULL, NULL));
    NULLS(ginv_images_load_idx(NULL, NULL, NULL));
    NULLS(ginv_pgm_parse(NULL, 0, NULL));
    NULLS(ginv_png_parse_gray(NULL, 0, NULL));
}

TEST(api_net_refuses_null_pointers_and_zero_sizes)
{
    /* networks */
    NULLS(ginv_net_new(NULL, 0, NULL));
    NULLS(ginv_layer_kind_parse(NULL, NULL));
    NULLS(ginv_init_parse(NULL, NULL));
    NULLS(ginv_net_randomize(NULL, (ginv_init)0, 0, 0, 0));
    NULL_ARG(ginv_net_split(NULL, 0, NULL, NULL), "net");
    NULLS(ginv_net_load(NULL, NULL));
    NULLS(ginv_net_from_st(NULL, NULL));
    NULLS(ginv_net_save(NULL, NULL));
    NULLS(ginv_net_from_st_part(NULL, NULL, NULL, NULL));
    NULLS(ginv_net_write_part(NULL, NULL, NULL, NULL));
    NULLS(ginv_net_ws_new(NULL, NULL, 0));
    NULLS(ginv_net_jacobian(NULL, NULL, NULL));
    NULLS(ginv_net_jacobian_sv(NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_batchnorm_fold(0, NULL, NULL, NULL, NULL, 0, NULL, NULL));
    NULLS(ginv_batchnorm_fold_into(NULL, NULL, NULL));
    NULLS(ginv_net_from_onnx(NULL, 0, NULL));
    NULLS(ginv_net_load_onnx(NULL, NULL));
    NULLS(ginv_net_to_onnx(NULL, NULL, NULL));
    NULLS(ginv_net_save_onnx(NULL, NULL));
    /* each NULL in turn, and a zero channel count */
    float m[1] = {0}, v[1] = {1}, s[1], t[1];
    NULL_ARG(ginv_batchnorm_fold(1, NULL, NULL, NULL, v, 1e-5, s, t), "mean");
    NULL_ARG(ginv_batchnorm_fold(1, NULL, NULL, m, NULL, 1e-5, s, t), "var");
    NULL_ARG(ginv_batchnorm_fold(1, NULL, NULL, m, v, 1e-5, NULL, t), "scale");
    NULL_ARG(ginv_batchnorm_fold(1, NULL, NULL, m, v, 1e-5, s, NULL), "shift");
    NULLS(ginv_batchnorm_fold(0, NULL, NULL, m, v, 1e-5, s, t));
    ginv_layer L = {.kind = GINV_LAYER_CONV2D};
    NULL_ARG(ginv_batchnorm_fold_into(NULL, s, t), "L");
    NULL_ARG(ginv_batchnorm_fold_into(&L, NULL, t), "scale");
    NULL_ARG(ginv_batchnorm_fold_into(&L, s, NULL), "shift");
    NULLS(ginv_batchnorm_fold_into(&L, s, t)); /* no weights */
    if (ginv_layer_nparams(NULL) != 0) test_fail(__FILE__, __LINE__, "ginv_layer_nparams(NULL) != 0");
    if (ginv_net_arch_json(NULL) != NULL) test_fail(__FILE__, __LINE__, "ginv_net_arch_json(NULL) != NULL");
}

TEST(api_measure_refuses_null_pointers_and_zero_sizes)
{
    /* measurement operators */
    NULLS(ginv_op_gaussian(NULL, 0, 0, 0, 0));
    NULL_ARG(ginv_op_observe(NULL, 0, NULL, 0, 0, 0, NULL), "op");
    NULL_ARG(ginv_op_align(NULL, NULL, NULL, NULL), "op");
    NULLS(ginv_op_matrix(NULL, 0, 0, NULL));
    NULLS(ginv_op_identity(NULL, 0));
    NULLS(ginv_op_subsample(NULL, 0, 0, NULL));
    NULLS(ginv_op_subsample_random(NULL, 0, 0, 0, 0));
    NULLS(ginv_op_downsample(NULL, 0, 0, 0, 0));
    NULLS(ginv_op_gaussian_unit(NULL, 0, 0, 0, 0));
    NULLS(ginv_op_inpaint_box(NULL, 0, 0, 0, 0, 0, 0, 0));
    NULLS(ginv_op_view(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_op_spec_parse(NULL, NULL, 0));
    NULLS(ginv_op_from_spec(NULL, NULL, 0, 0, 0));
    NULLS(ginv_net_oneway(NULL, 8, 2, 0));
    NULLS(ginv_oneway_apply(8, 2, 0, 1, NULL, NULL));
    NULLS(ginv_oneway_verify(NULL, 8, 2, 0));
    NULLS(ginv_encoder_new(NULL, 4, 2, 0, NULL, GINV_LAYER_RELU, 0));
    NULLS(ginv_encoder_loss(NULL, NULL, GINV_ENCODER_SLEEP, 1, 1, NULL, NULL, NULL, NULL, 0));
    NULLS(ginv_encoder_train(NULL, NULL, 1, NULL, NULL));
    NULLS(ginv_encoder_eval(NULL, NULL, 1, 1, 0, NULL));
    NULLS(ginv_op_spec_rows(NULL, 0, NULL));
    NULLS(ginv_op_circulant(NULL, 0, 0, 0, 0));
    NULLS(ginv_op_fourier_subsample(NULL, 0, 0, 0, 0, NULL));
    NULLS(ginv_op_blur(NULL, 0, 0, 0, NULL, 0, 0, GINV_BOUNDARY_REFLECT));
    NULLS(ginv_op_blur_gaussian(NULL, 0, 0, 0, 0, GINV_BOUNDARY_REFLECT));
    NULLS(ginv_op_colorize(NULL, 0, 0));
    NULLS(ginv_op_phaseless_gaussian(NULL, 0, 0, 0, 0));
    NULLS(ginv_op_onebit_gaussian(NULL, 0, 0, GINV_ONEBIT_ONESIDED, 0, 0));
    NULLS(ginv_op_check_y(NULL, NULL, 0));
    NULLS(ginv_boundary_parse(NULL, NULL));
    /* sparsifying bases */
    NULLS(ginv_basis_parse(NULL, NULL));
    NULLS(ginv_basis_analyze((ginv_basis)0, 0, 0, 0, NULL, NULL));
    NULLS(ginv_basis_synthesize((ginv_basis)0, 0, 0, 0, NULL, NULL));
}

TEST(api_infer_refuses_null_pointers_and_zero_sizes)
{
    /* Lasso */
    NULLS(ginv_op_sqnorm(NULL, 0, NULL));
    NULLS(ginv_lasso_run(NULL, (ginv_basis)0, 0, 0, 0, NULL, NULL, NULL));
    NULLS(ginv_lasso_run_ex(NULL, (ginv_basis)0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL));
    NULLS(ginv_lasso_tune(NULL, (ginv_basis)0, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL));
    /* objective */
    NULLS(ginv_objective_new(NULL, NULL, NULL, NULL, 0, 0, 0));
    NULLS(ginv_objective_eval(NULL, 0, NULL, NULL, NULL));
    /* solvers */
    NULLS(ginv_solve(NULL, NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_solver_new(NULL, NULL, NULL, 0, NULL));
    NULLS(ginv_solver_step(NULL, NULL, NULL));
    /* scenario */
    NULLS(ginv_scenario_draw(NULL, NULL));
    /* MAP inversion */
    NULLS(ginv_recover_run(NULL, NULL));
    NULL_ARG(ginv_recover_solve(NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL), "res");
    NULL_ARG(ginv_recover_check(NULL), "p");
    NULL_ARG(ginv_layers_parse(NULL, NULL, NULL, 0, 0, NULL, 0, NULL), "layers");
    NULL_ARG(ginv_recover_setup_init(NULL, NULL, 0), "s");
    NULL_ARG(ginv_sample_check(NULL), "p");
    NULL_ARG(ginv_landscape_check(NULL), "p");
    NULL_ARG(ginv_landscape_negative_point(NULL, 1, NULL), "ls");
    NULL_ARG(ginv_landscape_setup_init(NULL, NULL, 0, 0, NULL, 0), "s");
    NULL_ARG(ginv_sample_setup_init(NULL, NULL, 0, 0, NULL, 0, NULL, 0), "s");
    NULL_ARG(ginv_cs_check(NULL, NULL, NULL), "p");
    NULL_ARG(ginv_cs_op(NULL, 0, 0, 0, 0, NULL), "out");
    NULL_ARG(ginv_cs_ilo_opts(NULL, NULL), "p");
    /* compressed sensing (CSGM) */
    NULLS(ginv_csgm_run(NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL));
    /* Fourier phase retrieval (ER, HIO) */
    ginv_pr_opts_init(NULL);
    NULL_ARG(ginv_phase_retrieval_run(0, 0, 0, 0, 0, NULL, NULL, NULL, NULL), "Y");
    /* ILO (issue 13) */
    NULL_ARG(ginv_project_l1_ball(NULL, 0, 0, NULL), "v");
    NULL_ARG(ginv_ilo_run(NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
             "net");
}

TEST(api_sample_refuses_null_pointers_and_zero_sizes)
{
    NULL_ARG(ginv_sample_write_netcdf(NULL, NULL, NULL, NULL, 0), "path");
    NULL_ARG(ginv_sampler_new(NULL, NULL, NULL), "out");
    NULL_ARG(ginv_sampler_step(NULL), "s");
    NULL_ARG(ginv_sampler_finish(NULL, NULL), "res");
    ginv_sampler_free(NULL);
    /* sampling */
    NULLS(ginv_prior_parse(NULL, NULL));
    NULLS(ginv_posterior_new(NULL, NULL, NULL, NULL, 0, 0, (ginv_prior)0, 0));
    NULLS(ginv_posterior_eval(NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_posterior_new_energy(NULL, 0, NULL, NULL, 0));
    {
        ginv_posterior *ep = NULL;
        NULL_ARG(ginv_posterior_new_energy(&ep, 2, NULL, NULL, 1), "energy");
        CHECK(ep == NULL);
    }
    NULLS(ginv_chain_init_parse(NULL, NULL));
    NULLS(ginv_precond_parse(NULL, NULL));
    NULLS(ginv_posterior_gn_hessian(NULL, NULL, NULL));
    NULLS(ginv_sample_run(NULL, NULL, NULL));
    NULLS(ginv_sample_moments(NULL, NULL, NULL, NULL, NULL, NULL));
    NULLS(ginv_diag_compute(0, 0, NULL, NULL));
    NULLS(ginv_sample_signal_diag(NULL, NULL, 0, NULL, NULL));
    NULLS(ginv_sample_rhat_curve(NULL, 0, 0, 0, NULL));
    NULLS(ginv_w1_1d(0, NULL, 0, NULL, NULL));
    NULLS(ginv_w1_sliced(0, 0, NULL, 0, NULL, 0, 0, NULL));
    NULL_ARG(ginv_sbc_run(NULL, NULL, 0, NULL, NULL, NULL), "res");
    {
        ginv_sbc_result sr;
        NULL_ARG(ginv_sbc_run(NULL, NULL, 0, NULL, NULL, &sr), "net");
    }
    NULL_ARG(ginv_sbc_chi2(1, 2, NULL, NULL, NULL), "hist");
    ginv_sbc_result_release(NULL);
    NULLS(ginv_ot_exact(0, 0, NULL, NULL, 0, NULL, NULL));
    NULLS(ginv_coupling_distance(0, 0, NULL, NULL, NULL));
    NULLS(ginv_mmd_rbf(0, 0, NULL, 0, NULL, 0, NULL));
    NULLS(ginv_net_smoothness(NULL, 0, 0, 0, 0, NULL, NULL));
    NULLS(ginv_tv_grid(0, 0, NULL, 0, NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_sgilo_run(NULL, NULL, 0, NULL, NULL, NULL, NULL));
    ginv_sgilo_result_release(NULL);
}

TEST(api_theory_refuses_null_pointers_and_zero_sizes)
{
    /* Pareek & Risteski Lemmas 3, 12 and the structural certificate */
    NULL_ARG(ginv_pr_lemma3_eval(0, 0, 0, 0, 0, 0, 0, 0, NULL), "out");
    {
        ginv_pr_lemma3 r;
        NULLS(ginv_pr_lemma3_eval(0, 0, 0, 0, 0, 0, 0, 0, &r));
    }
    NULL_ARG(ginv_pr_certify(NULL, NULL), "out");
    {
        ginv_pr_certificate c;
        NULL_ARG(ginv_pr_certify(NULL, &c), "net");
    }
    /* WDC/RRIC */
    NULLS(ginv_sym_eigvals(0, NULL, NULL));
    NULLS(ginv_sym_norm(0, NULL, NULL));
    NULLS(ginv_wdc_swap_matrix(0, NULL, NULL, NULL));
    NULLS(ginv_wdc_q(0, NULL, NULL, NULL));
    NULLS(ginv_wdc_deviation(0, 0, NULL, NULL, NULL, NULL));
    NULLS(ginv_wdc_estimate(0, 0, NULL, NULL, NULL));
    NULLS(ginv_wdc_estimate_range(NULL, 0, NULL, NULL));
    NULLS(ginv_rric_deviation(NULL, NULL, 0, NULL, NULL));
    NULLS(ginv_rric_estimate(NULL, NULL, NULL, NULL));
    /* landscape */
    NULLS(ginv_landscape_new(NULL, NULL, NULL, NULL, 0));
    NULLS(ginv_landscape_eval(NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_landscape_line(NULL, 0, NULL, NULL, NULL, NULL));
    NULLS(ginv_landscape_ray_min(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_landscape_slope_zero(NULL, 0, 0, NULL));
    NULLS(ginv_landscape_hessian(NULL, NULL, 0, NULL));
    NULLS(ginv_landscape_eigvals(0, NULL, NULL));
    NULLS(ginv_landscape_hessian_ball(NULL, 0, 0, 0, 0, NULL));
    NULLS(ginv_landscape_orth_dir(NULL, 0, NULL));
    NULLS(ginv_landscape_plane(NULL, NULL, 0, NULL, 0, NULL, NULL));
    NULLS(ginv_landscape_basins_run(NULL, NULL, 0, 0, 0, 0, NULL));
    /* theory */
    NULLS(ginv_theory_h(0, 0, NULL, NULL, NULL));
}

TEST(api_exact_refuses_null_pointers_and_zero_sizes)
{
    /* inversion problems */
    NULLS(ginv_latent_domain_parse(NULL, NULL));
    NULLS(ginv_norm_parse(NULL, NULL));
    NULLS(ginv_problem_from_st(NULL, 0, NULL, NULL));
    NULLS(ginv_problem_save(NULL, NULL, NULL));
    /* exact decision */
    NULLS(ginv_decide_method_parse(NULL, NULL));
    NULLS(ginv_decide(NULL, NULL, NULL, NULL));
    NULLS(ginv_forward_f64(NULL, NULL, NULL));
    NULLS(ginv_output_bounds(NULL, NULL, NULL, NULL, NULL));
    NULLS(ginv_milp_write_lp(NULL, NULL, NULL));
    NULLS(ginv_invert_lp(NULL, NULL, 0, NULL));
}

TEST(api_reduce_refuses_null_pointers_and_zero_sizes)
{
    /* hardness reductions */
    NULLS(ginv_cnf_parse(NULL, 0, 0, NULL));
    NULLS(ginv_cnf_read(NULL, 0, NULL));
    NULLS(ginv_cnf_write(NULL, NULL, NULL));
    NULLS(ginv_cnf_random(NULL, 0, 0, 0, 0));
    NULLS(ginv_graph_parse(NULL, 0, 0, NULL));
    NULLS(ginv_graph_read(NULL, 0, NULL));
    NULLS(ginv_graph_write(NULL, NULL, NULL));
    NULLS(ginv_graph_random(NULL, 0, 0, 0, 0));
    NULLS(ginv_cvp_read(NULL, NULL, NULL));
    NULLS(ginv_cvp_from_arrays(NULL, NULL, NULL));
    NULLS(ginv_cvp_write(NULL, NULL, NULL));
    NULLS(ginv_cvp_random(NULL, 0, 0, 0, 0, 0));
    NULLS(ginv_reduce_sat_pm1(NULL, NULL, NULL));
    NULLS(ginv_reduce_sat_real(NULL, NULL, NULL));
    NULLS(ginv_reduce_cvp_01(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_reduce_cvp_real(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_reduce_gap_cvp_01(NULL, 0, 1, 0, NULL, NULL));
    NULLS(ginv_reduce_gap_cvp_real(NULL, 0, 1, 0, NULL, NULL));
    NULLS(ginv_cvp_closest(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_cvp_gap_random(NULL, NULL, NULL, NULL));
    NULLS(ginv_reduce_half_clique(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_reduce_half_clique_real(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_reduce_vertex_cover(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_reduce_vertex_cover_real(NULL, 0, 0, NULL, NULL));
    NULLS(ginv_reduce_map_back(NULL, NULL, NULL, NULL));
    NULLS(ginv_reduce_encode(NULL, 0, NULL, NULL, 0));
    NULLS(ginv_reduce_forward(NULL, NULL, NULL));
    NULLS(ginv_graph_complement(NULL, NULL));
    NULLS(ginv_graph_max_independent_set(NULL, NULL, NULL));
    NULLS(ginv_cvp_write_fplll(NULL, NULL));
    NULLS(ginv_reduce_gd_search(NULL, NULL, NULL, NULL));
}

TEST(api_learn_refuses_null_pointers_and_zero_sizes)
{
    /* learning */
    NULLS(ginv_vae_new(NULL, NULL, 0));
    NULLS(ginv_vae_reserve(NULL, 0));
    NULLS(ginv_vae_loss(NULL, 0, NULL, NULL, NULL, NULL, NULL, 0));
    NULLS(ginv_vae_train(NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_vae_eval(NULL, 0, NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_vae_save(NULL, NULL, 0));
    NULLS(ginv_vae_load(NULL, NULL));
    /* deep latent Gaussians */
    NULL_ARG(ginv_dlg_new(NULL, 2, 2), "out");
    NULL_ARG(ginv_dlg_graph_add(NULL, NULL), "g");
    NULL_ARG(ginv_dlg_node_add(NULL, 0, NULL, NULL), "g");
    NULL_ARG(ginv_dlg_layers_add(NULL, 0, 0), "g");
    NULL_ARG(ginv_dlg_sample(NULL, 0, NULL, 0, NULL, NULL, 0, NULL, NULL), "g");
    NULL_ARG(ginv_dlg_logpdf(NULL, 0, NULL, 0, NULL, NULL), "g");
    NULL_ARG(ginv_encoder_logpdf(NULL, 0, NULL, 0, NULL, NULL), "enc");
    NULL_ARG(ginv_dlg_save(NULL, NULL), "g");
    NULL_ARG(ginv_dlg_load(NULL, NULL), "path");
    NULL_ARG(ginv_dlg_build(NULL, NULL, NULL, NULL), "out");
    NULL_ARG(ginv_encoder_distance(NULL, 1, NULL, 0, NULL, NULL, NULL), "G");
    NULL_ARG(ginv_dlg_layer_vjp(NULL, 0, 1, NULL, 1, NULL, NULL, NULL, NULL), "g");
    NULL_ARG(ginv_dlg_new_mlp(NULL, 2, 2, 1, 1, GINV_LAYER_TANH, 0, 1, 0), "out");
    NULL_ARG(ginv_dlg_sivi_bound(NULL, NULL, 1, 1, 0, NULL, NULL, NULL, NULL), "g");
    NULL_ARG(ginv_dlg_train(NULL, NULL, 1, NULL, NULL), "g");
    NULLS(ginv_vae_generator(NULL, NULL));
    /* score priors */
    NULLS(ginv_score_new(NULL, NULL, 0));
    NULLS(ginv_score_set_scaling(NULL, 0, NULL));
    NULLS(ginv_score_eval(NULL, 0, NULL, 0, NULL));
    NULLS(ginv_score_loss(NULL, 0, NULL, NULL, NULL, NULL, 0));
    NULLS(ginv_score_train(NULL, 0, NULL, NULL, NULL));
    NULLS(ginv_score_eval_loss(NULL, 0, NULL, 0, NULL));
    NULLS(ginv_score_save(NULL, NULL, NULL, 0));
    NULLS(ginv_score_load(NULL, NULL));
    NULLS(ginv_score_data_prior(NULL, 0, 0, 0, NULL));
    NULLS(ginv_score_data_ilo(NULL, 0, 0, NULL, NULL, NULL));
    NULLS(ginv_score_reverse(NULL, 0, NULL, 0, 0, 0, NULL, NULL));
    ginv_score_free(NULL);
    ginv_score_prior_of(NULL, NULL);
}

TEST(api_run_refuses_null_pointers_and_zero_sizes)
{
    /* sweeps */
    NULLS(ginv_params_int(NULL, NULL, 0, 0, 0, NULL));
    NULLS(ginv_params_double(NULL, NULL, 0, 0, 0, NULL));
    NULLS(ginv_params_flag(NULL, NULL, NULL));
    NULLS(ginv_metrics_add(NULL, NULL, 0));
    NULLS(ginv_unit_register(NULL));
    NULLS(ginv_sweep_spec_parse(NULL, 0, NULL));
    NULLS(ginv_sweep_spec_load(NULL, NULL));
    NULLS(ginv_sweep_run(NULL, NULL, NULL));
    NULLS(ginv_store_read(NULL, 0, NULL, NULL, NULL, NULL));
    NULLS(ginv_where_parse(NULL, NULL, NULL));
    NULLS(ginv_linear_fit(0, NULL, NULL, NULL, NULL, NULL, NULL));
    NULLS(ginv_child_run(NULL, NULL, NULL, 0, NULL));
}

TEST(api_free_and_release_accept_null)
{
    ginv_free(NULL);
    ginv_array_release(NULL);
    ginv_st_release(NULL);
    ginv_st_writer_free(NULL);
    ginv_outset_free(NULL);
    ginv_idx_release(NULL);
    ginv_images_release(NULL);
    ginv_net_free(NULL);
    ginv_net_ws_free(NULL);
    ginv_op_free(NULL);
    ginv_op_spec_release(NULL);
    ginv_objective_free(NULL);
    ginv_solver_free(NULL);
    ginv_scenario_release(NULL);
    ginv_recover_setup_release(NULL);
    ginv_recover_trial_release(NULL);
    ginv_landscape_free(NULL);
    ginv_landscape_basins_release(NULL);
    ginv_posterior_free(NULL);
    ginv_sample_result_release(NULL);
    ginv_vae_free(NULL);
    ginv_dlg_free(NULL);
    ginv_dlg_build_opts_init(NULL);
    ginv_dlg_train_opts_init(NULL);
    ginv_encoder_dist_opts_init(NULL);
    ginv_problem_release(NULL);
    ginv_cnf_release(NULL);
    ginv_graph_release(NULL);
    ginv_cvp_release(NULL);
    ginv_gap_cvp_opts_init(NULL);
    ginv_witness_release(NULL);
    ginv_sweep_spec_free(NULL);
    ginv_where_release(NULL);
    ginv_decide_result_release(NULL);
    ginv_invert_lp_result_release(NULL);
    CHECK(1); /* reaching here is the test */
}

/* a 3 -> 8 -> ReLU -> 10 generator, a 5 x 10 Gaussian operator */
static ginv_net *small_net(void)
{
    ginv_layer spec[3] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 8},
                          {.kind = GINV_LAYER_RELU},
                          {.kind = GINV_LAYER_DENSE, .in = 8, .out = 10}};
    ginv_net *net = NULL;
    if (ginv_net_new(&net, 3, spec) != GINV_OK) return NULL;
    if (ginv_net_randomize(net, GINV_INIT_PAPER, 0, 1, 0) != GINV_OK) {
        ginv_net_free(net);
        return NULL;
    }
    return net;
}

TEST(api_live_objects_refuse_each_null_argument_and_empty_sizes)
{
    ginv_net *net = small_net();
    ginv_op *op = NULL;
    CHECK(net);
    CHECK_OK(ginv_op_gaussian(&op, 5, 10, 1, 0));
    if (!net || !op) {
        ginv_net_free(net);
        ginv_op_free(op);
        return;
    }
    float z[3] = {0.5f, -0.25f, 1}, y[5] = {0}, J[30], grad[3];
    double f[1], smin, smax, H[9], v;

    /* networks */
    ginv_net_ws *ws = NULL;
    NULL_ARG(ginv_net_ws_new(NULL, net, 1), "out");
    NULL_ARG(ginv_net_ws_new(&ws, NULL, 1), "net");
    NULLS(ginv_net_ws_new(&ws, net, 0));
    CHECK(ws == NULL);
    NULL_ARG(ginv_net_jacobian(NULL, z, J), "net");
    NULL_ARG(ginv_net_jacobian(net, NULL, J), "z");
    NULL_ARG(ginv_net_jacobian(net, z, NULL), "J");
    NULL_ARG(ginv_net_jacobian_sv(net, 1, NULL, &smin, &smax), "z");
    NULL_ARG(ginv_net_jacobian_sv(net, 1, z, NULL, &smax), "smin");
    NULL_ARG(ginv_net_jacobian_sv(net, 1, z, &smin, NULL), "smax");
    NULL_ARG(ginv_net_save(net, NULL), "path");
    unsigned char onnx_byte = 0x08, *onnx_buf = NULL;
    size_t onnx_len = 0;
    ginv_net *onnx_net = NULL;
    NULL_ARG(ginv_net_from_onnx(NULL, 1, &onnx_net), "buf");
    NULL_ARG(ginv_net_from_onnx(&onnx_byte, 1, NULL), "out");
    NULLS(ginv_net_from_onnx(&onnx_byte, 0, &onnx_net));
    CHECK(onnx_net == NULL);
    NULL_ARG(ginv_net_load_onnx(NULL, &onnx_net), "path");
    NULL_ARG(ginv_net_to_onnx(NULL, &onnx_buf, &onnx_len), "net");
    NULL_ARG(ginv_net_to_onnx(net, NULL, &onnx_len), "buf");
    NULL_ARG(ginv_net_to_onnx(net, &onnx_buf, NULL), "len");
    NULL_ARG(ginv_net_save_onnx(net, NULL), "path");
    NULL_ARG(ginv_net_save_onnx(NULL, "x.onnx"), "net");
    NULL_ARG(ginv_net_randomize(NULL, GINV_INIT_PAPER, 0, 1, 0), "net");
    ginv_net *net2 = NULL;
    NULLS(ginv_net_new(&net2, 0, NULL));
    CHECK(net2 == NULL);

    /* measurement operators */
    ginv_op *op2 = NULL;
    NULLS(ginv_op_gaussian(NULL, 5, 10, 1, 0));
    NULLS(ginv_op_gaussian(&op2, 0, 10, 1, 0));
    NULLS(ginv_op_gaussian(&op2, 5, 0, 1, 0));
    NULLS(ginv_op_identity(&op2, 0));
    NULLS(ginv_op_matrix(&op2, 5, 10, NULL));
    NULL_ARG(ginv_op_circulant(NULL, 5, 10, 1, 0), "out");
    NULLS(ginv_op_circulant(&op2, 0, 10, 1, 0));
    NULLS(ginv_op_circulant(&op2, 5, 0, 1, 0));
    NULLS(ginv_op_fourier_subsample(&op2, 1, 4, 4, 2, NULL));
    NULLS(ginv_op_fourier_subsample(&op2, 1, 0, 4, 2, NULL));
    NULLS(ginv_op_blur(&op2, 1, 4, 4, NULL, 3, 3, GINV_BOUNDARY_ZERO));
    NULLS(ginv_op_blur_gaussian(&op2, 1, 4, 4, 0, GINV_BOUNDARY_ZERO));
    NULLS(ginv_op_colorize(&op2, 0, 4));
    NULL_ARG(ginv_op_phaseless_gaussian(NULL, 5, 10, 1, 0), "out");
    NULLS(ginv_op_phaseless_gaussian(&op2, 0, 10, 1, 0));
    NULL_ARG(ginv_op_onebit_gaussian(NULL, 5, 10, GINV_ONEBIT_CORR, 1, 0), "out");
    NULLS(ginv_op_onebit_gaussian(&op2, 5, 0, GINV_ONEBIT_CORR, 1, 0));
    NULLS(ginv_op_onebit_gaussian(&op2, 5, 10, (ginv_onebit_loss)7, 1, 0));
    NULL_ARG(ginv_op_phaseless_fourier(NULL, 1, 4, 4, 2), "out");
    NULLS(ginv_op_phaseless_fourier(&op2, 1, 0, 4, 2));
    NULLS(ginv_op_phaseless_fourier(&op2, 1, 4, 4, 0));
    NULL_ARG(ginv_op_check_y(op, NULL, 3), "y");
    float yone = 1;
    NULL_ARG(ginv_op_check_y(NULL, &yone, 1), "op");
    CHECK(op2 == NULL);
    ginv_boundary bnd;
    NULL_ARG(ginv_boundary_parse("zero", NULL), "out");
    NULL_ARG(ginv_boundary_parse(NULL, &bnd), "name");
    NULLS(ginv_op_sqnorm(op, 10, NULL));
    NULLS(ginv_op_sqnorm(NULL, 10, &v));

    /* objective and solvers */
    ginv_objective *obj = NULL;
    NULL_ARG(ginv_objective_new(NULL, net, op, y, 1, 0, 1), "out");
    NULL_ARG(ginv_objective_new(&obj, NULL, op, y, 1, 0, 1), "net");
    NULL_ARG(ginv_objective_new(&obj, net, NULL, y, 1, 0, 1), "op");
    NULL_ARG(ginv_objective_new(&obj, net, op, NULL, 1, 0, 1), "y");
    NULLS(ginv_objective_new(&obj, net, op, y, 1, 0, 0));
    NULLS(ginv_objective_new(&obj, net, op, y, 0, 0, 1));
    CHECK(obj == NULL);
    CHECK_OK(ginv_objective_new(&obj, net, op, y, 1, 0, 1));
    if (obj) {
        NULL_ARG(ginv_objective_eval(obj, 1, NULL, f, grad), "z");
        NULL_ARG(ginv_objective_eval(obj, 1, z, NULL, grad), "f");
        NULLS(ginv_objective_eval(obj, 0, z, f, grad));
        CHECK_OK(ginv_objective_eval(obj, 1, z, f, NULL)); /* grad may be NULL */
        ginv_solve_opts so;
        ginv_solve_opts_init(&so);
        so.iters = 2;
        NULL_ARG(ginv_solve(obj, NULL, 1, z, f, NULL), "o");
        NULL_ARG(ginv_solve(obj, &so, 1, NULL, f, NULL), "z");
        NULL_ARG(ginv_solve(obj, &so, 1, z, NULL, NULL), "f");
        NULLS(ginv_solve(obj, &so, 0, z, f, NULL));
        ginv_solver *s = NULL;
        NULL_ARG(ginv_solver_new(NULL, obj, &so, 1, z), "out");
        NULL_ARG(ginv_solver_new(&s, NULL, &so, 1, z), "obj");
        NULLS(ginv_solver_new(&s, obj, &so, 1, NULL));
        NULLS(ginv_solver_new(&s, obj, &so, 0, z));
        CHECK(s == NULL);
        CHECK_OK(ginv_solver_new(&s, obj, &so, 1, z));
        int done;
        NULL_ARG(ginv_solver_step(s, NULL, &done), "f");
        NULL_ARG(ginv_solver_step(s, f, NULL), "done");
        ginv_solver_free(s);
        ginv_objective_free(obj);
    }

    /* sampling */
    ginv_posterior *post = NULL;
    NULL_ARG(ginv_posterior_new(&post, net, op, NULL, 1, 0.1, GINV_PRIOR_GAUSSIAN, 1), "y");
    NULLS(ginv_posterior_new(&post, net, op, y, 1, 0.1, GINV_PRIOR_GAUSSIAN, 0));
    CHECK(post == NULL);
    CHECK_OK(ginv_posterior_new(&post, net, op, y, 1, 0.1, GINV_PRIOR_GAUSSIAN, 1));
    if (post) {
        NULL_ARG(ginv_posterior_eval(post, 1, NULL, f, NULL), "z");
        NULL_ARG(ginv_posterior_eval(post, 1, z, NULL, NULL), "U");
        NULLS(ginv_posterior_eval(post, 0, z, f, NULL));
        NULL_ARG(ginv_posterior_gn_hessian(post, NULL, H), "z");
        NULL_ARG(ginv_posterior_gn_hessian(post, z, NULL), "H");
        ginv_sample_opts sopt;
        ginv_sample_opts_init(&sopt);
        ginv_sample_result res;
        NULL_ARG(ginv_sample_run(post, NULL, &res), "o");
        ginv_sample_result_release(&res);
        ginv_posterior_free(post);
    }

    /* landscape */
    ginv_landscape *ls = NULL;
    NULL_ARG(ginv_landscape_new(&ls, net, op, NULL, 1), "z0");
    NULLS(ginv_landscape_new(&ls, net, op, z, 0));
    CHECK(ls == NULL);

    /* linear algebra and diagnostics: empty sizes */
    NULLS(ginv_sym_eigvals(0, H, f));
    NULLS(ginv_sym_norm(0, H, &v));
    NULLS(ginv_diag_compute(0, 0, H, &(ginv_diag){0}));
    NULLS(ginv_w1_1d(0, H, 1, H, &v));
    NULLS(ginv_theory_h(0, 0, H, H, f));

    ginv_op_free(op);
    ginv_net_free(net);
}
