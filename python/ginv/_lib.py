"""Loading libginv and declaring the part of its C API the module uses.

Nothing here is public: the classes and functions in ``ginv`` wrap it.
The structures mirror ``include/ginv.h`` field by field (same names, same
order); ``python/tests/test_layout.py`` compiles a small C program and checks
every offset and size against the header.
"""
import ctypes
import ctypes.util
import os
import threading
from ctypes import (POINTER, c_char, c_char_p, c_double, c_float, c_int, c_long,
                    c_size_t, c_uint64, c_void_p)

__all__ = ["lib", "LIBRARY_PATH", "LOCK"]

SONAME = "libginv.so.0"


def _candidates():
    env = os.environ.get("GINV_LIBRARY")
    if env:
        # an explicit choice: nothing else is tried
        return [("GINV_LIBRARY", env)], True
    out = []
    here = os.path.dirname(os.path.abspath(__file__))
    # used in place from the repository: python/ginv/ -> <repo>/build/
    repo_build = os.path.normpath(os.path.join(here, "..", "..", "build", SONAME))
    if os.path.exists(repo_build):
        out.append(("repository build", repo_build))
    found = ctypes.util.find_library("ginv")
    if found:
        out.append(("system", found))
    out.append(("system", SONAME))
    return out, False


def _load():
    tried = []
    cands, explicit = _candidates()
    for how, path in cands:
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s): %s" % (path, how, e))
    hint = ("" if explicit else
            "; build it with `make` in the ginv repository, install it with `make install`, "
            "or point GINV_LIBRARY at libginv.so.0")
    raise ImportError("ginv: cannot load the shared library libginv: " + "; ".join(tried) + hint)


lib, LIBRARY_PATH = _load()

# One lock for every call into the library: ginv's linear-algebra thread pool
# is driven by one thread at a time, and a net's workspace is shared state.
# ctypes releases the GIL during calls, so other Python threads keep running.
LOCK = threading.RLock()

# ------------------------------------------------------------------ types

c_float_p = POINTER(c_float)
c_double_p = POINTER(c_double)
c_int_p = POINTER(c_int)


class Rng(ctypes.Structure):
    _cname_ = "ginv_rng"
    _fields_ = [("s", c_uint64 * 4), ("has_spare", c_int), ("spare", c_double)]


class Layer(ctypes.Structure):
    _cname_ = "ginv_layer"
    _fields_ = [("kind", c_int), ("in", c_int), ("out", c_int), ("bias", c_int),
                ("alpha", c_double), ("W", c_float_p), ("b", c_float_p),
                ("dW", c_float_p), ("db", c_float_p),
                ("c_in", c_int), ("h_in", c_int), ("w_in", c_int),
                ("c_out", c_int), ("h_out", c_int), ("w_out", c_int),
                ("kh", c_int), ("kw", c_int), ("stride_h", c_int), ("stride_w", c_int),
                ("pad_h", c_int), ("pad_w", c_int), ("dil_h", c_int), ("dil_w", c_int),
                ("outpad_h", c_int), ("outpad_w", c_int), ("factor", c_int)]


class OpSpec(ctypes.Structure):
    _cname_ = "ginv_op_spec"
    _fields_ = [("kind", c_int), ("m", c_int), ("factor", c_int), ("c", c_int), ("h", c_int),
                ("w", c_int), ("matrix", c_float_p), ("rows", c_int), ("cols", c_int),
                ("mask_idx", c_int_p), ("mask_n", c_int), ("mask_m", c_int),
                ("box_r0", c_int), ("box_c0", c_int), ("box_h", c_int), ("box_w", c_int),
                ("mask_h", c_int), ("mask_w", c_int), ("fourier_mode", c_int),
                ("fourier_param", c_int), ("blur_sigma", c_double), ("boundary", c_int),
                ("kernel", c_float_p), ("kernel_h", c_int), ("kernel_w", c_int),
                ("onebit_loss", c_int), ("oversample", c_int)]


class SolveOpts(ctypes.Structure):
    _cname_ = "ginv_solve_opts"
    _fields_ = [("type", c_void_p), ("lr", c_double), ("iters", c_int), ("tol", c_double),
                ("beta1", c_double), ("beta2", c_double), ("eps", c_double),
                ("on_iter", c_void_p), ("user", c_void_p)]


class SolveInfo(ctypes.Structure):
    _cname_ = "ginv_solve_info"
    _fields_ = [("iters", c_int), ("converged", c_int), ("flips", c_int_p), ("cancelled", c_int)]


class RecoverOpts(ctypes.Structure):
    _cname_ = "ginv_recover_opts"
    _fields_ = [("net", c_void_p), ("nspec", c_int), ("spec", c_void_p), ("init", c_int),
                ("bias_sd", c_double), ("op", c_void_p), ("noise", c_double), ("lambda", c_double),
                ("success_tol", c_double), ("init_sd", c_double), ("start_negative", c_int),
                ("solve", SolveOpts), ("kink", c_int), ("restarts", c_int), ("trials", c_int),
                ("threads", c_int), ("seed", c_uint64), ("first_trial", c_uint64),
                ("truth", c_float_p), ("y", c_float_p), ("ctx", c_void_p)]


class RecoverTrial(ctypes.Structure):
    _cname_ = "ginv_recover_trial"
    _fields_ = [("status", c_int), ("error", ctypes.c_char * 256), ("k", c_int), ("n", c_int),
                ("m", c_int), ("rel_error", c_double), ("signal_error", c_double),
                ("meas_loss", c_double), ("f", c_double), ("iters", c_int),
                ("best_restart", c_int), ("success", c_int), ("flips", c_int),
                ("flips_total", c_int), ("seconds", c_double), ("z_hat", c_float_p),
                ("x_hat", c_float_p), ("z0", c_float_p), ("y", c_float_p)]


class CsgmOpts(ctypes.Structure):
    _cname_ = "ginv_csgm_opts"
    _fields_ = [("restarts", c_int), ("iters", c_int), ("lr", c_double), ("lambda", c_double),
                ("seed", c_uint64), ("threads", c_int), ("max_batch", c_int),
                ("first_index", c_uint64), ("ctx", c_void_p)]


class SampleOpts(ctypes.Structure):
    _cname_ = "ginv_sample_opts"
    _fields_ = [("type", c_void_p), ("step", c_double), ("beta", c_double),
                ("chains", c_int), ("burn_in", c_int), ("samples", c_int), ("thin", c_int),
                ("init", c_int), ("init_sd", c_double), ("init_z", c_float_p),
                ("gd_iters", c_int), ("gd_lr", c_double), ("radius", c_double),
                ("centre", c_float_p), ("levels", c_int), ("level_max", c_double),
                ("precond", c_int), ("temps", c_int), ("temp_max", c_double),
                ("swap_every", c_int), ("seed", c_uint64), ("threads", c_int),
                ("ctx", c_void_p), ("adapt", c_int), ("target_accept", c_double),
                ("leapfrog", c_int), ("max_depth", c_int), ("metric", c_double_p),
                ("metric_rows", c_int), ("dense", c_int)]


class SampleResult(ctypes.Structure):
    _cname_ = "ginv_sample_result"
    _fields_ = [("S", c_int), ("C", c_int), ("k", c_int), ("samples", c_float_p),
                ("energy", c_double_p), ("start", c_float_p), ("centre", c_float_p),
                ("accepted", POINTER(c_long)), ("proposed", c_long), ("accept_rate", c_double),
                ("gd_loss", c_double), ("gd_iters", c_int), ("precond_eig", c_double * 2),
                ("temps", c_int), ("swap_rate", c_double_p), ("seconds", c_double),
                ("steps", c_long), ("step_size", c_double_p), ("inv_metric", c_double_p),
                ("inv_metric_dense", c_double_p),
                ("stat_accept", c_double_p), ("stat_energy", c_double_p),
                ("stat_depth", POINTER(c_int)), ("stat_leapfrog", POINTER(c_int)),
                ("stat_divergent", POINTER(c_int)), ("divergences", POINTER(c_long)),
                ("depth_hits", POINTER(c_long)), ("stopped_at", POINTER(c_long)),
                ("batch_fill", c_double)]


class Diag(ctypes.Structure):
    _cname_ = "ginv_diag"
    _fields_ = [(name, c_double) for name in
                ("mean", "sd", "rhat", "rhat_bulk", "ess_bulk", "ess_tail", "ess_mean",
                 "mcse_mean")]


class SignalDiag(ctypes.Structure):
    _cname_ = "ginv_signal_diag"
    _fields_ = [("pixels", c_int), ("max_rhat", c_double), ("min_ess_bulk", c_double),
                ("min_ess_tail", c_double), ("worst_pixel", c_int)]


class DecideOpts(ctypes.Structure):
    _cname_ = "ginv_decide_opts"
    _fields_ = [("method", c_int), ("time_limit", c_double), ("minimize", c_int),
                ("max_pruned", c_int), ("ctx", c_void_p)]


class Pruned(ctypes.Structure):
    _cname_ = "ginv_pruned"
    _fields_ = [("depth", c_int), ("prefix", c_uint64), ("bound", c_double)]


class DecideResult(ctypes.Structure):
    _cname_ = "ginv_decide_result"
    _fields_ = [("answer", c_int), ("method", c_int), ("k", c_int), ("witness", c_double_p),
                ("distance", c_double), ("lower_bound", c_double), ("upper_bound", c_double),
                ("threshold", c_double), ("margin", c_double), ("nodes", c_long),
                ("seconds", c_double), ("note", c_char * 256), ("visited", c_uint64),
                ("pruned_latents", c_uint64), ("pruned_subtrees", c_long), ("npruned", c_int),
                ("pruned", POINTER(Pruned)), ("solver_bound", c_double),
                ("unstable_units", c_int), ("stable_units", c_int), ("lp_solves", c_long),
                ("infeasible_nodes", c_long), ("bound_pruned_nodes", c_long),
                ("exact_leaves", c_long), ("qp_leaves", c_long), ("max_kkt_residual", c_double),
                ("cuts", c_long), ("cut_rounds", c_long), ("max_leaf_gap", c_double),
                ("cut_budget_hit", c_int)]


class Problem(ctypes.Structure):
    _cname_ = "ginv_problem"
    _fields_ = [("n", c_int), ("target", c_double_p), ("delta", c_double), ("p", c_double),
                ("latent", c_int), ("box", c_double), ("source_json", c_void_p)]


class StFile(ctypes.Structure):
    _cname_ = "ginv_st_file"
    _fields_ = [("ntensors", c_size_t), ("tensors", c_void_p), ("metadata_json", c_void_p),
                ("data", c_void_p), ("data_len", c_size_t)]


class Images(ctypes.Structure):
    _cname_ = "ginv_images"
    _fields_ = [("count", c_int), ("h", c_int), ("w", c_int), ("pix", c_float_p),
                ("labels", c_int_p)]


STRUCTS = [Rng, Layer, OpSpec, SolveOpts, SolveInfo, RecoverOpts, RecoverTrial, CsgmOpts, SampleOpts, SampleResult, Diag,
           SignalDiag, DecideOpts, Pruned, DecideResult, Problem, StFile, Images]

LOG_FN = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_char_p)
PROGRESS_FN = ctypes.CFUNCTYPE(None, c_void_p, c_char_p, c_long, c_long)

# ------------------------------------------------------------- prototypes

st = c_int  # ginv_status
vp = c_void_p
_PROTOS = {
    # status, errors, callbacks
    "ginv_strerror": (c_char_p, [c_int]),
    "ginv_last_error": (c_char_p, []),
    "ginv_last_status": (c_int, []),
    "ginv_clear_error": (None, []),
    "ginv_set_log": (None, [LOG_FN, vp]),
    "ginv_set_progress": (None, [PROGRESS_FN, vp]),
    "ginv_live_bytes": (c_size_t, []),
    "ginv_free": (None, [vp]),
    "ginv_blas_core": (c_char_p, []),
    "ginv_blas_better_core": (c_char_p, []),
    "ginv_blas_set_threads": (None, [c_int]),
    "ginv_blas_get_threads": (c_int, []),
    # rng
    "ginv_rng_init": (None, [POINTER(Rng), c_uint64, c_uint64, c_uint64]),
    "ginv_rng_normal_f32": (None, [POINTER(Rng), c_float_p, c_size_t, c_double]),
    # nets
    "ginv_net_new": (st, [POINTER(vp), c_int, POINTER(Layer)]),
    "ginv_net_free": (None, [vp]),
    "ginv_net_nlayers": (c_int, [vp]),
    "ginv_net_layer_c": (POINTER(Layer), [vp, c_int]),
    "ginv_net_in": (c_int, [vp]),
    "ginv_net_out": (c_int, [vp]),
    "ginv_net_nparams": (c_size_t, [vp]),
    "ginv_net_params": (c_float_p, [vp]),
    "ginv_layer_kind_name": (c_char_p, [c_int]),
    "ginv_layer_kind_parse": (st, [c_char_p, c_int_p]),
    "ginv_init_parse": (st, [c_char_p, c_int_p]),
    "ginv_net_randomize": (st, [vp, c_int, c_double, c_uint64, c_uint64]),
    "ginv_net_load": (st, [c_char_p, POINTER(vp)]),
    "ginv_net_from_st": (st, [POINTER(StFile), POINTER(vp)]),
    "ginv_net_save": (st, [vp, c_char_p]),
    "ginv_net_arch_json": (c_void_p, [vp]),
    "ginv_net_ws_new": (st, [POINTER(vp), vp, c_int]),
    "ginv_net_ws_free": (None, [vp]),
    "ginv_net_ws_set_kink": (None, [vp, c_int, c_float_p]),
    "ginv_net_forward": (c_float_p, [vp, vp, c_int, c_float_p]),
    "ginv_net_backward": (None, [vp, vp, c_int, c_float_p, c_float_p, c_int]),
    "ginv_net_jacobian": (st, [vp, c_float_p, c_float_p]),
    "ginv_forward_f64": (st, [vp, c_double_p, c_double_p]),
    "ginv_st_read": (st, [c_char_p, POINTER(StFile)]),
    "ginv_st_release": (None, [POINTER(StFile)]),
    # operators
    "ginv_op_gaussian": (st, [POINTER(vp), c_int, c_int, c_uint64, c_uint64]),
    "ginv_op_gaussian_unit": (st, [POINTER(vp), c_int, c_int, c_uint64, c_uint64]),
    "ginv_op_matrix": (st, [POINTER(vp), c_int, c_int, c_float_p]),
    "ginv_op_identity": (st, [POINTER(vp), c_int]),
    "ginv_op_subsample": (st, [POINTER(vp), c_int, c_int, c_int_p]),
    "ginv_op_subsample_random": (st, [POINTER(vp), c_int, c_int, c_uint64, c_uint64]),
    "ginv_op_downsample": (st, [POINTER(vp), c_int, c_int, c_int, c_int]),
    "ginv_op_inpaint_box": (st, [POINTER(vp), c_int, c_int, c_int, c_int, c_int, c_int, c_int]),
    "ginv_op_free": (None, [vp]),
    "ginv_op_m": (c_int, [vp]),
    "ginv_op_n": (c_int, [vp]),
    "ginv_op_name": (c_char_p, [vp]),
    "ginv_op_apply": (None, [vp, c_int, c_float_p, c_float_p]),
    "ginv_op_adjoint": (None, [vp, c_int, c_float_p, c_float_p]),
    "ginv_op_spec_parse": (st, [POINTER(OpSpec), c_char_p, c_int]),
    "ginv_op_spec_release": (None, [POINTER(OpSpec)]),
    "ginv_op_from_spec": (st, [POINTER(vp), POINTER(OpSpec), c_int, c_uint64, c_uint64]),
    "ginv_add_noise": (None, [c_float_p, c_size_t, c_double, c_uint64, c_uint64]),
    # objective, solvers, CSGM
    "ginv_objective_new": (st, [POINTER(vp), vp, vp, c_float_p, c_int, c_double, c_int]),
    "ginv_objective_free": (None, [vp]),
    "ginv_objective_set_kink": (None, [vp, c_int, c_float_p]),
    "ginv_objective_eval": (st, [vp, c_int, c_float_p, c_double_p, c_float_p]),
    "ginv_objective_meas_loss": (c_double_p, [vp]),
    "ginv_objective_signal": (c_float_p, [vp]),
    "ginv_solver_find": (c_void_p, [c_char_p]),
    "ginv_solve_opts_init": (None, [POINTER(SolveOpts)]),
    "ginv_solve": (st, [vp, POINTER(SolveOpts), c_int, c_float_p, c_double_p, POINTER(SolveInfo)]),
    "ginv_recover_opts_init": (None, [POINTER(RecoverOpts)]),
    "ginv_recover_solve": (st, [vp, vp, c_float_p, POINTER(RecoverOpts), c_uint64, c_float_p,
                                c_float_p, c_double_p, POINTER(RecoverTrial)]),
    "ginv_recover_trial_release": (None, [POINTER(RecoverTrial)]),
    "ginv_ctx_new": (st, [POINTER(vp)]),
    "ginv_ctx_cancel": (None, [vp]),
    "ginv_ctx_reset": (None, [vp]),
    "ginv_ctx_cancelled": (c_int, [vp]),
    "ginv_csgm_opts_init": (None, [POINTER(CsgmOpts)]),
    "ginv_csgm_run": (st, [vp, vp, c_int, c_float_p, POINTER(CsgmOpts), c_float_p, c_float_p,
                           c_double_p]),
    # sampling
    "ginv_prior_parse": (st, [c_char_p, c_int_p]),
    "ginv_posterior_new": (st, [POINTER(vp), vp, vp, c_float_p, c_int, c_double, c_int, c_int]),
    "ginv_posterior_free": (None, [vp]),
    "ginv_sampler_find": (c_void_p, [c_char_p]),
    "ginv_chain_init_parse": (st, [c_char_p, c_int_p]),
    "ginv_precond_parse": (st, [c_char_p, c_int_p]),
    "ginv_sample_opts_init": (None, [POINTER(SampleOpts)]),
    "ginv_sample_run": (st, [vp, POINTER(SampleOpts), POINTER(SampleResult)]),
    "ginv_sample_result_release": (None, [POINTER(SampleResult)]),
    "ginv_sample_moments": (st, [POINTER(SampleResult), vp, c_float_p, c_float_p, c_float_p,
                                 c_float_p]),
    "ginv_diag_compute": (st, [c_int, c_int, c_double_p, POINTER(Diag)]),
    "ginv_sample_signal_diag": (st, [POINTER(SampleResult), vp, c_double, POINTER(Diag),
                                     POINTER(SignalDiag)]),
    # decision
    "ginv_answer_name": (c_char_p, [c_int]),
    "ginv_decide_method_name": (c_char_p, [c_int]),
    "ginv_decide_method_parse": (st, [c_char_p, c_int_p]),
    "ginv_decide_opts_init": (None, [POINTER(DecideOpts)]),
    "ginv_decide": (st, [vp, POINTER(Problem), POINTER(DecideOpts), POINTER(DecideResult)]),
    "ginv_decide_result_release": (None, [POINTER(DecideResult)]),
    "ginv_problem_from_st": (st, [POINTER(StFile), c_int, POINTER(Problem), c_int_p]),
    "ginv_problem_release": (None, [POINTER(Problem)]),
    "ginv_latent_domain_name": (c_char_p, [c_int]),
    "ginv_latent_domain_parse": (st, [c_char_p, c_int_p]),
    "ginv_norm_parse": (st, [c_char_p, c_double_p]),
    "ginv_norm_name": (c_char_p, [c_double, ctypes.c_char_p, c_size_t]),
    # images
    "ginv_images_load": (st, [c_char_p, POINTER(Images)]),
    "ginv_images_release": (None, [POINTER(Images)]),
}

for _name, (_res, _args) in _PROTOS.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args
del _name, _res, _args, _f
