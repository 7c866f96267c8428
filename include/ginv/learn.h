/* ginv/learn.h — learning generators: the VAE (architecture, training,
 * files); encoders (amortised Gaussian, deep latent Gaussian, Theorem 1's).
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_LEARN_H
#define GINV_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/net.h"
#include "ginv/infer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ learning */

/* A variational autoencoder (Kingma & Welling 2014; the generator class of
 * Pareek & Risteski §2 and of the CSGM experiments): encoder
 * E(x) = (mu, log sigma^2) (2k outputs, last layer linear), decoder logits
 * L(z) (n outputs), p(z) = N(0, I), and one of two likelihoods:
 *  GINV_VAE_BERNOULLI  p(x|z) = Bernoulli(sigmoid(L(z))) (the default);
 *  GINV_VAE_GAUSSIAN   p(x|z) = N(G(z), beta^2 I) with a fixed beta > 0:
 *                      Pareek & Risteski's Definition 1, its mean
 *                      G(z) = sigmoid(L(z)) kept in [0, 1] like the images.
 * Either way the generator G(z) = sigmoid(L(z)) is what model files hold as
 * "the net". */
typedef struct ginv_vae ginv_vae;
/* The two architectures:
 *  GINV_VAE_MLP   dense layers: encoder n-H1-..-HL-(2k), decoder k-HL-..-H1-n,
 *                 the activation after every hidden layer.
 *  GINV_VAE_CONV  convolutional, for c x h x w images (n = c h w; h and w
 *                 divisible by 2^L): the encoder is L conv2d layers, kernel
 *                 4x4, stride 2, padding 1 (each halves H and W), with
 *                 H1, .., HL output channels, then a dense layer to 2k (from
 *                 HL x h/2^L x w/2^L); the decoder mirrors it: dense k ->
 *                 HL x h/2^L x w/2^L, reshape, L conv_transpose2d layers
 *                 (4x4, stride 2, padding 1: each doubles H and W) with
 *                 H(L-1), .., H1, c output channels. The activation follows
 *                 every layer but the last of each net. For 1 x 28 x 28 and
 *                 hidden 32,64: 28 -> 14 -> 7 and back. */
typedef enum { GINV_VAE_MLP = 0, GINV_VAE_CONV = 1 } ginv_vae_kind;
typedef enum { GINV_VAE_BERNOULLI = 0, GINV_VAE_GAUSSIAN = 1 } ginv_vae_likelihood;
typedef struct {
    int n, k;                 /* data and latent sizes */
    int nhidden, hidden[8];   /* hidden widths (MLP) or conv channels (CONV, at most 4),
                                 the same for encoder and decoder */
    ginv_layer_kind act;      /* hidden activation (softplus; elu has alpha 1,
                                 leaky_relu slope 0.2) */
    ginv_vae_kind kind;       /* GINV_VAE_MLP (0) or GINV_VAE_CONV */
    int c, h, w;              /* CONV: the image shape, c h w = n (ignored for MLP) */
    ginv_vae_likelihood likelihood; /* GINV_VAE_BERNOULLI (0) or GINV_VAE_GAUSSIAN */
    double beta;              /* GAUSSIAN: the fixed std of p(x|z), > 0 and finite;
                                 BERNOULLI: must be 0 */
    int fc;                   /* CONV: width of a dense hidden layer between the
                                 convolutions and the latent (encoder: .. -> fc ->
                                 2k; decoder: k -> fc -> HL x h/2^L x w/2^L ..),
                                 0 for none; MLP: must be 0 */
} ginv_vae_arch;
/* Fan-in initialisation N(0, 1/fan_in), zero biases, from (seed,
 * GINV_STREAM_TRAIN_INIT, 0/1) (conv layers: ginv_net_randomize's "fanin"). */
ginv_status ginv_vae_new(ginv_vae **out, const ginv_vae_arch *a, uint64_t seed);
void ginv_vae_free(ginv_vae *v);
ginv_net *ginv_vae_encoder(ginv_vae *v);
ginv_net *ginv_vae_decoder_logits(ginv_vae *v);
/* Negative ELBO on a batch x (B x n, values in [0, 1]) with the
 * reparameterisation z = mu + sigma * eps, eps (B x k) given:
 *   loss_i = sum_j [softplus(l_ij) - x_ij l_ij]     (-log p(x|z), Bernoulli)
 *         or ||x_i - G(z_i)||^2 / (2 beta^2) + (n/2) log(2 pi beta^2)
 *                                      (-log p(x|z), Gaussian; G = sigmoid(L))
 *          + 1/2 sum_c [mu_ic^2 + sigma_ic^2 - 1 - log sigma_ic^2]   (KL)
 * mean over the batch in *loss (recon and kl parts may be NULL). With
 * want_grad, the gradient of the mean loss w.r.t. every parameter is written
 * into each net's grads (overwritten, not accumulated). B <= the batch the
 * workspaces were sized for (ginv_vae_reserve). */
ginv_status ginv_vae_reserve(ginv_vae *v, int B);
ginv_status ginv_vae_loss(ginv_vae *v, int B, const float *x, const float *eps, double *loss,
                          double *recon, double *kl, int want_grad);
/* Training: Adam on all parameters, minibatches of a shuffled epoch
 * (permutation from (seed, GINV_STREAM_TRAIN_SHUFFLE, epoch), eps from
 * (seed, GINV_STREAM_TRAIN_EPS, step)). Resuming from a checkpoint continues
 * the same sequence: the result is bit-identical to an uninterrupted run. */
enum {
    GINV_STREAM_TRAIN_INIT = GINV_STREAM_USER + 61,
    GINV_STREAM_TRAIN_SHUFFLE = GINV_STREAM_USER + 62,
    GINV_STREAM_TRAIN_EPS = GINV_STREAM_USER + 63,
    GINV_STREAM_TRAIN_EVAL = GINV_STREAM_USER + 64
};
typedef struct {
    int epochs, batch;
    double lr, beta1, beta2, eps;
    uint64_t seed;
    int threads;
    const char *checkpoint;   /* written (atomically, with optimizer state) after each
                                 epoch; NULL: none */
    ginv_ctx *ctx;            /* callbacks, threads, cancel (ginv/base.h); NULL: none.
                                 Cancelled, the checkpoint holds the last finished epoch */
} ginv_vae_train_opts;
void ginv_vae_train_opts_init(ginv_vae_train_opts *o);
/* Trains until o->epochs epochs are done in all (a resumed VAE starts at
 * ginv_vae_epoch). epoch_loss (o->epochs doubles, may be NULL) gets each
 * epoch's mean training loss (the epochs this call runs; others untouched).
 * The VAE records what it was trained on (ginv_vae_train_record; saved in
 * checkpoints): resuming on other data (count or pixels) is refused
 * (GINV_ERR_ARG), and another batch, lr or seed logs a warning (the result
 * is then not that of an uninterrupted run). */
ginv_status ginv_vae_train(ginv_vae *v, int N, const float *X, const ginv_vae_train_opts *o,
                           double *epoch_loss);
int ginv_vae_epoch(const ginv_vae *v);  /* epochs done */
const ginv_vae_arch *ginv_vae_get_arch(const ginv_vae *v);
/* What the last ginv_vae_train on this VAE (or its checkpoint) used. */
typedef struct {
    int images;               /* training examples */
    uint64_t data_hash;       /* a 64-bit hash of the count, size and pixel bits */
    int batch;
    double lr;
    uint64_t seed;
    double last_loss;         /* mean training loss of the last finished epoch (NaN: none) */
} ginv_vae_train_record;
/* 1 and *out when known (trained here, or loaded from a checkpoint that
 * records it), else 0. */
int ginv_vae_train_record_get(const ginv_vae *v, ginv_vae_train_record *out);
/* Mean negative ELBO (single-sample, eps from (seed, GINV_STREAM_TRAIN_EVAL,
 * i)) over N examples: an upper bound on -log p(x) in nats per example. */
ginv_status ginv_vae_eval(ginv_vae *v, int N, const float *X, uint64_t seed, double *loss,
                          double *recon, double *kl);
/* Save: the generator sigmoid(L) as the file's net ("ginv", "layers."), the
 * encoder as ("ginv.encoder", "encoder.") and, with_state, the optimizer state
 * for --resume. ginv_net_load on the file gives the generator alone. */
ginv_status ginv_vae_save(const ginv_vae *v, const char *path, int with_state);
/* Load a file written by ginv_vae_save (optimizer state if present). */
ginv_status ginv_vae_load(const char *path, ginv_vae **out);
/* The generator G = sigmoid(L) as a new net (copies the parameters). */
ginv_status ginv_vae_generator(const ginv_vae *v, ginv_net **out);

/* ------------------------------------------------------------ encoders */

/* Amortised Gaussian encoders q(z | x) = N(mu(x), diag sigma^2(x)) for a
 * fixed generator G: x ~ N(G(z), beta^2 I), z ~ N(0, I) (Pareek & Risteski,
 * Definition 1; docs/encoders.md). An encoder is a ginv net x (n) ->
 * (mu, log sigma^2) (2k), saved as any model file. */
enum { GINV_STREAM_ENCODER = GINV_STREAM_USER + 65 };
/* dense layers n - hidden[0] - .. - 2k with `act` after each hidden one,
 * biases, fan-in initialisation from (seed, NET, 0) */
ginv_status ginv_encoder_new(ginv_net **out, int n, int k, int nhidden, const int *hidden,
                             ginv_layer_kind act, uint64_t seed);
typedef enum {
    GINV_ENCODER_SLEEP = 0, /* forward KL: -log q(z0 | x) on model samples (z0, x); the
                               minimiser is the posterior; needs only G's forward */
    GINV_ENCODER_ELBO = 1   /* reverse KL: ||x - G(z)||^2/(2 beta^2) + KL(q || N(0, I)),
                               z = mu + sigma eps; needs J_G */
} ginv_encoder_objective;
/* The mean loss of a batch (x: B x n; z0: B x k for SLEEP; eps: B x k for
 * ELBO) and, with want_grad, its gradient in the encoder's grads. */
ginv_status ginv_encoder_loss(ginv_net *enc, ginv_net *G, ginv_encoder_objective obj, double beta,
                              int B, const float *x, const float *z0, const float *eps,
                              double *loss, int want_grad);
typedef struct {
    ginv_encoder_objective objective;
    long steps;               /* Adam steps, each on a fresh batch of the model from
                                 (seed, GINV_STREAM_ENCODER, step) */
    int batch;
    double lr;
    uint64_t seed;
    int threads;
    ginv_ctx *ctx;
    const char *checkpoint; /* NULL: none; else the whole state (parameters, Adam's moments,
                               the step, what the steps were trained with) written atomically
                               here every checkpoint_every steps and after the last */
    long checkpoint_every;  /* steps between checkpoints (default 500; <= 0: none) */
    int resume;             /* continue from `checkpoint` up to `steps`, bit-identical to an
                               uninterrupted run: GINV_ERR_IO when it is missing, FORMAT when
                               damaged, ARG when its architecture, G, beta or objective differ
                               (a warning when batch, lr, seed or K do) */
} ginv_encoder_train_opts;
void ginv_encoder_train_opts_init(ginv_encoder_train_opts *o); /* sleep, 2000 steps, 64, 1e-3, checkpoints every 500 */
/* Train enc for G (frozen); *final_loss: the mean loss of the last tenth. */
ginv_status ginv_encoder_train(ginv_net *enc, ginv_net *G, double beta,
                               const ginv_encoder_train_opts *o, double *final_loss);
/* On N fresh samples (z0, x) of the model (seed's evaluation streams): how
 * often z explains x, ||G(z) - x|| <= beta (sqrt(n) + 3), for z the
 * encoder's mean, for one draw z ~ q(.|x), and for the true z0 (about 0.99:
 * the calibration); the mean -log q(z0 | x) and ||mu(x) - z0|| / ||z0||. On
 * G(z) = C(sgn z) with small beta, explaining x is inverting C: the
 * inverter C' of Pareek & Risteski's proof of Theorem 2. */
typedef struct {
    int samples;
    double success_mean, success_draw, success_truth;
    double nll, rel_error;
} ginv_encoder_eval_result;
ginv_status ginv_encoder_eval(ginv_net *enc, ginv_net *G, double beta, int N, uint64_t seed,
                              ginv_encoder_eval_result *res);

/* ------------------------------------------------------------ score priors */

/* A score-based prior on R^p, the intermediate space of G = G2 o G1 (Daras
 * et al. 2022 §2 and §4, "a generator endowed with a score-based prior"):
 * a time-conditioned network eps_theta(h~, t) trained by denoising score
 * matching under the variance-preserving SDE of Song et al. 2021 (eq. 11,
 * App. B):  beta(t) = beta_min + t (beta_max - beta_min), t in [0, 1],
 *   h~_t = alpha(t) h~_0 + sigma(t) eps,  alpha(t) = exp(-1/2 int_0^t beta),
 *   sigma(t)^2 = 1 - alpha(t)^2,
 * on standardised data h~ = (h - center) / scale (per coordinate, fixed from
 * the training data). The net predicts the noise, so the score of the
 * perturbed law is s(h~, t) = -eps_theta(h~, t) / sigma(t), and the loss,
 *   L = E_t E_h0 E_eps ||eps_theta(alpha h~_0 + sigma eps, t) - eps||^2 / p,
 * t ~ U(t_min, 1), is Song et al.'s eq. 7 with the weight lambda(t) =
 * sigma(t)^2. The net is an MLP over [h~, sin(2 pi f t), cos(2 pi f t)] with
 * Gaussian random Fourier features of t (Tancik et al. 2020), f_j ~
 * N(0, freq_scale^2) fixed at creation. */
typedef struct {
    int p;                    /* dimension of h */
    int layer;                /* the split of G it models (h = the input of this layer; 0: unknown) */
    int nfreq;                /* Fourier features of t: 2 nfreq inputs */
    double freq_scale;        /* their frequencies' sd */
    int nhidden, hidden[8];   /* MLP widths */
    ginv_layer_kind act;      /* hidden activation */
    double beta_min, beta_max;/* the VP-SDE (Song et al. 2021: 0.1 and 20) */
    double t_min;             /* the smallest time trained and sampled (1e-3) */
    double ema;               /* decay of the weights' exponential moving average (0.999;
                                 0: none), the model that scores and files use */
} ginv_score_arch;
/* p 0 (must be set), layer 0, 16 features of scale 4, hidden 512,512, silu,
 * beta 0.1..20, t_min 1e-3, ema 0.999 */
void ginv_score_arch_init(ginv_score_arch *a);
typedef struct ginv_score ginv_score;
enum {
    GINV_STREAM_SCORE_INIT = GINV_STREAM_USER + 80,  /* the Fourier frequencies (index 1) */
    GINV_STREAM_SCORE_TRAIN = GINV_STREAM_USER + 85, /* per step: t and eps of a batch */
    GINV_STREAM_SCORE_EVAL = GINV_STREAM_USER + 86,  /* held-out t and eps, per example */
    GINV_STREAM_SCORE_DATA = GINV_STREAM_USER + 83,  /* latents of the prior data source */
    GINV_STREAM_SGILO = GINV_STREAM_USER + 84        /* SGILO's chains: per (image, chain) */
};
/* A new score model (weights: fan-in initialisation, ginv_net_randomize with seed;
 * frequencies from (seed, SCORE_INIT, 1));
 * center 0 and scale 1 until ginv_score_set_scaling. */
ginv_status ginv_score_new(ginv_score **out, const ginv_score_arch *a, uint64_t seed);
void ginv_score_free(ginv_score *s);
const ginv_score_arch *ginv_score_get_arch(const ginv_score *s);
/* The training net (Adam's weights; ginv_score_loss's gradient lands in its
 * grads). The model itself, which ginv_score_eval and files use, is their
 * exponential moving average (Song et al. 2021 App. "EMA"), updated after
 * every Adam step. */
ginv_net *ginv_score_net(ginv_score *s);
/* center and scale from N examples H (N x p): the mean and sd of each
 * coordinate (an sd below 1e-6 of the largest counts as that floor). */
ginv_status ginv_score_set_scaling(ginv_score *s, int N, const float *H);
const float *ginv_score_center(const ginv_score *s);
const float *ginv_score_scale(const ginv_score *s);
/* alpha(t) and sigma(t) of the VP-SDE (either pointer may be NULL). */
void ginv_vpsde_coef(double beta_min, double beta_max, double t, double *alpha, double *sigma);
/* grad_h log p_t(h) (B x p) for h (B x p) in the data's coordinates: the
 * learned score of the perturbed law mapped back, (1/scale) s(h~, t). */
ginv_status ginv_score_eval(ginv_score *s, int B, const float *h, double t, float *grad);
/* The DSM loss of the training net on a batch h0 (B x p) at times t (B)
 * with noise eps (B x p), and with want_grad its gradient in the net's
 * grads (overwritten). */
ginv_status ginv_score_loss(ginv_score *s, int B, const float *h0, const double *t,
                            const float *eps, double *loss, int want_grad);
typedef struct {
    int epochs, batch;
    double lr;
    uint64_t seed;
    int threads;
    const char *checkpoint;   /* written atomically after each epoch with the Adam
                                 state (and generator, when set); NULL: none */
    const ginv_net *generator;/* stored beside the score in checkpoints (may be NULL) */
    ginv_ctx *ctx;
} ginv_score_train_opts;
void ginv_score_train_opts_init(ginv_score_train_opts *o); /* 20 epochs, batch 128, lr 1e-3, seed 1 */
/* Adam (ginv_adam_block) on minibatches of a shuffled epoch (permutation
 * from (seed, GINV_STREAM_TRAIN_SHUFFLE, epoch), t and eps from (seed,
 * SCORE_TRAIN, step)). Sets the scaling from H on the first epoch of a
 * fresh model. Resuming from a checkpoint (ginv_score_load) continues the
 * same sequence: bit-identical to an uninterrupted run; other data is
 * refused. epoch_loss (o->epochs, may be NULL) gets each run epoch's mean. */
ginv_status ginv_score_train(ginv_score *s, int N, const float *H, const ginv_score_train_opts *o,
                             double *epoch_loss);
int ginv_score_epoch(const ginv_score *s);
/* The model's (the average's) mean DSM loss over N held-out examples, t
 * and eps from (seed, SCORE_EVAL, i): comparable between models and runs. */
ginv_status ginv_score_eval_loss(ginv_score *s, int N, const float *H, uint64_t seed, double *loss);
/* One file: the score under __metadata__["ginv.score"] (tensors "score.*"),
 * and G as the file's net when G != NULL, so ginv_net_load of the file gives
 * the generator and ginv_score_load its prior. with_state adds Adam's
 * moments and the training record (for resuming). */
ginv_status ginv_score_save(const ginv_score *s, const ginv_net *G, const char *path, int with_state);
ginv_status ginv_score_load(const char *path, ginv_score **out);
/* Training data for a score model of G's split before `layer` (p = G1's
 * output): source (a), h = G1(z) for N latents z ~ N(0, I) from (seed,
 * SCORE_DATA, i); H is N x p. */
ginv_status ginv_score_data_prior(ginv_net *G, int layer, int N, uint64_t seed, float *H);
/* Source (b), the paper's recipe (§4, "Dataset and training"): h-hat of ILO
 * inversions of N real images X (N x n) through the identity operator
 * (ginv_ilo_run with opts ilo, its layer replaced by `layer`), so the prior
 * covers what the generator alone cannot make. H is N x p. */
ginv_status ginv_score_data_ilo(ginv_net *G, int layer, int N, const float *X, const ginv_ilo_opts *ilo,
                                float *H);

/* A score prior as the samplers see it: grad_h log p_t(h) for a batch, the
 * VP-SDE, and the standardisation (center, scale: p each, or NULL for 0
 * and 1), under which the forward process is h_t = center + alpha (h_0 -
 * center) + scale sigma eps. A learned model gives one with
 * ginv_score_prior_of; a closed form (a Gaussian, in the tests) can be one. */
typedef ginv_status (*ginv_score_fn)(void *ctx, int B, const float *h, double t, float *grad);
typedef struct {
    ginv_score_fn fn;
    void *ctx;
    int p;
    double beta_min, beta_max, t_min;
    const float *center, *scale;
} ginv_score_prior;
void ginv_score_prior_of(ginv_score *s, ginv_score_prior *out);
/* Perturb h (B x p, in place) to time t by the forward process, then run
 * the reverse SDE (Song et al. 2021 eq. 6, Euler-Maruyama) from t down to
 * t_min in `steps` equal steps: per step of length dt at time u,
 *   h <- h + beta(u) [ (h - center)/2 + scale^2 grad log p_u(h) ] dt
 *          + scale sqrt(beta(u) dt) xi
 * (no noise on the last step). perturb 0 starts the reverse SDE from h as
 * it is (t = 1 from h ~ N(center, scale^2): the score model as a generator,
 * Daras et al. Fig. 4). rng: B streams, one per row. *evals (may be NULL)
 * counts score evaluations per row. */
ginv_status ginv_score_reverse(const ginv_score_prior *pr, int B, float *h, double t, int steps,
                               int perturb, ginv_rng *rng, long *evals);

/* ------------------------------------------------ deep latent Gaussians */

/* Deep latent Gaussian encoders (Pareek & Risteski 2021, Definition 2, with
 * layers that also read the observation x): from z_0 (0 unless given),
 *     z_i = F_i(z_{i-1}, x) + gamma_i xi_i,   xi_i ~ N(0, I_d),  i = 1..L,
 * the encoder's draw is z_L. Each F_i is a computation graph (a DAG) over
 * the operations of Theorem 1's networks: affine maps, an elementwise
 * activation sigma and its derivative sigma', the square rho(a) = a^2, and
 * weighted sums (Lemmas 18-19: a product is 1/4 (a+b)^2 - 1/4 (a-b)^2).
 * Several layers may share a graph's structure, each with its own
 * parameters. docs/encoders.md. */
typedef enum {
    GINV_DLG_X = 0,   /* the observation x (n): node 0 of every graph */
    GINV_DLG_Z,       /* the previous latent z_{i-1} (d): node 1 */
    GINV_DLG_AFFINE,  /* W v_a + b; W [size, size of a] row-major, b [size] when bias */
    GINV_DLG_ACT,     /* sigma(v_a) elementwise, sigma the activation `act` */
    GINV_DLG_DACT,    /* sigma'(v_a) elementwise (the same kernels as ginv_net_forward) */
    GINV_DLG_SQUARE,  /* v_a^2 elementwise: the square activation rho */
    GINV_DLG_LINCOMB  /* c_a v_a + c_b v_b (equal sizes); c_a, c_b two parameters */
} ginv_dlg_op;
typedef struct {
    ginv_dlg_op op;
    int a, b;            /* operands: earlier nodes of the graph (b: LINCOMB only) */
    int size;            /* AFFINE: its output width; others: filled (the operand's) */
    int bias;            /* AFFINE: has b */
    ginv_layer_kind act; /* ACT, DACT: an elementwise activation (not sign) */
    double alpha;        /* ACT, DACT: leaky_relu slope, elu alpha */
} ginv_dlg_node;
typedef struct ginv_dlg ginv_dlg;
/* An empty encoder from x (n) to z (d). */
ginv_status ginv_dlg_new(ginv_dlg **out, int n, int d);
void ginv_dlg_free(ginv_dlg *g);
/* A new graph holding nodes 0 (x) and 1 (z); *graph: its index. */
ginv_status ginv_dlg_graph_add(ginv_dlg *g, int *graph);
/* Append a node (checked: operands exist, sizes agree); *index (may be NULL)
 * its index. A graph's output is its last node, which must have size d when
 * layers use it. */
ginv_status ginv_dlg_node_add(ginv_dlg *g, int graph, const ginv_dlg_node *node, int *index);
/* Append count layers computing `graph`, parameters (gamma too) zero. */
ginv_status ginv_dlg_layers_add(ginv_dlg *g, int graph, int count);
int ginv_dlg_in(const ginv_dlg *g);        /* n */
int ginv_dlg_out(const ginv_dlg *g);       /* d */
int ginv_dlg_nlayers(const ginv_dlg *g);   /* L */
/* N': every float the encoder stores (its file's tensor holds exactly these). */
size_t ginv_dlg_nparams(const ginv_dlg *g);
/* Layer i's parameters: gamma_i, then each node's in node order (AFFINE: W
 * then b; LINCOMB: c_a, c_b); *count their number. NULL when out of range. */
float *ginv_dlg_layer_params(ginv_dlg *g, int layer, size_t *count);
/* Ancestral sampling of B draws, one batch through every layer. x is nx x n
 * (nx == 1: shared; nx == B: row b for draw b); z0 B x d or NULL (zeros).
 * xi (L x B x d, layer-major) gives the noise, or NULL: draw b's comes from
 * the stream (seed, GINV_STREAM_DLG, b), d normals per layer with gamma != 0
 * in layer order (layers with gamma == 0 draw none). z (B x d): z_L; trace
 * (L x B x d, may be NULL): every z_i. Float arithmetic; the noise is added
 * as (float)(gamma xi). Results do not depend on the thread count. */
enum { GINV_STREAM_DLG = GINV_STREAM_USER + 81 };
ginv_status ginv_dlg_sample(const ginv_dlg *g, int B, const float *x, int nx, const float *z0,
                            const float *xi, uint64_t seed, float *z, float *trace);
/* log q(z | x) of B draws z (B x k) for x (nx x n; nx == 1: shared, nx == B:
 * row b for draw b), where it has a closed form, in double:
 *  - an amortised Gaussian encoder (a net x -> (mu, log sigma^2)):
 *    log N(z; mu(x), diag sigma^2(x));
 *  - a deep latent Gaussian whose only stochastic layer is the last (gamma_i
 *    = 0 for i < L): q(z | x) = N(F_L(z_{L-1}(x), x), gamma_L^2 I), the mean
 *    computed as ginv_dlg_sample computes it (float, zero noise). Any other
 *    is refused with GINV_ERR_UNSUPPORTED: "intractable: L stochastic
 *    layers" (its density integrates over the earlier layers' noise), a
 *    stochastic layer before the last, or none (a point mass). */
ginv_status ginv_encoder_logpdf(const ginv_net *enc, int B, const float *x, int nx, const float *z, double *logq);
ginv_status ginv_dlg_logpdf(const ginv_dlg *g, int B, const float *x, int nx, const float *z, double *logq);
/* Files: safetensors with the structure in __metadata__["ginv.dlg"] (JSON:
 * n, d, graphs with their nodes, layers as runs of one graph) and all
 * parameters in one F32 tensor "dlg.params" [N']; the record of how it was
 * made (ginv_dlg_record, JSON text) under "ginv.dlg.record". */
ginv_status ginv_dlg_save(const ginv_dlg *g, const char *path);
ginv_status ginv_dlg_load(const char *path, ginv_dlg **out);
/* The construction's record (JSON text; NULL when none). */
const char *ginv_dlg_record(const ginv_dlg *g);

/* Reverse-mode backward pass (vector-Jacobian product) through layer
 * `layer`'s graph F_l(z_{l-1}, x) for B rows (x: nx = 1 or B rows of n;
 * zprev: B x d, NULL for zeros): given gout = dL/dF_l (B x d), ADDS dL/dtheta
 * into gparams (the layer's parameter slice, ginv_dlg_layer_params order;
 * entry 0, gamma, untouched: F_l does not read it) and WRITES dL/dz_{l-1}
 * into gz (B x d, may be NULL). Nodes AFFINE, ACT, SQUARE, LINCOMB; a graph
 * with a DACT node is refused (its VJP needs sigma''). src/learn/dlg_grad.c. */
ginv_status ginv_dlg_layer_vjp(const ginv_dlg *g, int layer, int B, const float *x, int nx, const float *zprev,
                               const float *gout, float *gparams, float *gz);
/* The amortised architecture of `ginv encoder train --arch dlg`: L layers,
 * F_i(z, x) = W2 act(c_a (A x + b1) + c_b B z) + b2, the graph nodes
 *     AFFINE(x; A, b1) [H], AFFINE(z; B) [H], LINCOMB(c_a, c_b), ACT, AFFINE(W2, b2) [d]
 * for layers 2..L, and AFFINE(x), ACT, AFFINE for layer 1 (z_0 = 0, so it
 * reads x only). W's ~ N(0, 1/fan-in) from (seed, GINV_STREAM_DLG_INIT, 0),
 * biases 0, c = (1, 1), every gamma_i = gamma0 (> 0); act's alpha as
 * ginv_dlg_node's. The record (ginv_dlg_record) names the architecture.
 * N' = (1 + H n + H + d H + d) + (L - 1) (3 + H (n + 1 + 2 d) + d). */
enum { GINV_STREAM_DLG_TRAIN = GINV_STREAM_USER + 111, /* step t's batch: index t */
       GINV_STREAM_DLG_INIT = GINV_STREAM_USER + 112 };
ginv_status ginv_dlg_new_mlp(ginv_dlg **out, int n, int d, int L, int H, ginv_layer_kind act, double alpha,
                             double gamma0, uint64_t seed);
/* The semi-implicit variational bound (Yin & Zhou 2018, "Semi-implicit
 * variational inference": the lower bound L_K that increases to the ELBO
 * with K; Molchanov et al. 2019) of a DLG q for the model z ~ N(0, I),
 * x = G(z) + beta xi (Pareek & Risteski, Definition 1): for row b, K + 1
 * independent chains k = 0..K of layers 1..L-1, m_k = F_L(z_{L-1}^(k), x),
 * z_L = m_0 + gamma_L xi (chain 0's draw), and
 *   L_K = log N(z_L; 0, I) + log N(x; G(z_L), beta^2 I)
 *         - log (1/(K+1)) sum_k N(z_L; m_k, gamma_L^2 I),
 * a lower bound on log p(x) increasing in K (to the ELBO). x: B x n; xi:
 * the noise, L x R x d with R = B (K + 1), layer-major, row k B + b for
 * chain k of observation b (layer L's rows of chains k >= 1 are not used).
 * *bound: the mean of L_K over the B rows (constants included); grad (N'
 * floats, may be NULL): the gradient of -*bound (the loss) w.r.t. every
 * stored parameter, gamma itself included (gamma is trained directly; the
 * law depends on |gamma|), by reparameterisation through every layer's
 * noise. src/learn/dlg_train.c. */
ginv_status ginv_dlg_sivi_bound(const ginv_dlg *g, ginv_net *G, double beta, int B, int K, const float *x,
                                const float *xi, double *bound, float *grad);
typedef struct {
    long steps;      /* Adam steps, each on a fresh batch (seed, GINV_STREAM_DLG_TRAIN, step) */
    int batch;       /* B observations x = G(z) + beta xi per step */
    int K;           /* SIVI's extra chains (>= 0) */
    double lr;       /* Adam's step size */
    uint64_t seed;
    int threads;
    ginv_ctx *ctx;   /* cancellation, callbacks (may be NULL) */
    const char *checkpoint; /* NULL: none; else the whole state (parameters, Adam's moments,
                               the step, what the steps were trained with) written atomically
                               here every checkpoint_every steps and after the last */
    long checkpoint_every;  /* steps between checkpoints (default 500; <= 0: none) */
    int resume;             /* continue from `checkpoint` up to `steps`, bit-identical to an
                               uninterrupted run: GINV_ERR_IO when it is missing, FORMAT when
                               damaged, ARG when its architecture, G, beta or objective differ
                               (a warning when batch, lr, seed or K do) */
} ginv_dlg_train_opts;
void ginv_dlg_train_opts_init(ginv_dlg_train_opts *o); /* 2000 steps, batch 64, K 8, lr 1e-3, seed 1, checkpoints every 500 */
/* Adam on the loss -L_K with G frozen; *final_bound (may be NULL): the mean
 * L_K over the last tenth of the steps. Records the run in the encoder's
 * record (ginv_dlg_record). */
ginv_status ginv_dlg_train(ginv_dlg *g, ginv_net *G, double beta, const ginv_dlg_train_opts *o,
                           double *final_bound);

/* Theorem 1's encoder, built (Pareek & Risteski §5.3, Lemmas 6, 18-20,
 * proof of Theorem 1): S layers of gradient descent on 1/2 ||G(z) - x||^2
 * from z_0 = 0 (Lemma 1), gamma = 0,
 *     z <- z - eta J_G(z)^T (G(z) - x),
 * then T layers of the unadjusted Langevin algorithm on the posterior of
 * x = G(z) + beta xi, z ~ N(0, I) (eq. 3 and the display of §5.3),
 *     z <- z - h [z + J_G(z)^T (G(z) - x) / beta^2] + sqrt(2h) xi.
 * Each layer's graph is G's forward (its dense layers as AFFINE, activations
 * as ACT), the residual G(z) - x, and G's backpropagation network (Lemma 6):
 * AFFINE by each W^T, and for each activation the product sigma'(a) * delta
 * as 1/4 (s)^2 - 1/4 (t)^2, s = sigma'(a) + delta, t = sigma'(a) - delta.
 * G must be a chain of dense layers and differentiable activations (tanh,
 * sigmoid, softplus, identity, gelu, gelu_tanh, silu, elu with alpha 1); G
 * may map k -> n with n != k (Theorem 1's guarantee is for n == k). */
typedef struct {
    double beta;            /* the model's noise level (> 0) */
    int gd_steps;           /* S >= 0 */
    double gd_lr;           /* eta > 0 */
    int langevin_steps;     /* T >= 0; S + T >= 1 */
    double h;               /* the Langevin step (> 0) */
    size_t max_params;      /* refuse an encoder over this N' (0: 2^26) */
} ginv_dlg_build_opts;
void ginv_dlg_build_opts_init(ginv_dlg_build_opts *o); /* beta 0.1, S 100, eta 0.1, T 100, h 1e-3 */
typedef struct {
    size_t params;          /* N' */
    size_t per_gd_layer, per_langevin_layer;
    size_t generator_params; /* N: G's weights and biases */
    size_t generator_weights; /* G's weights alone (the transposes stored again) */
    int activations;        /* G's activation layers other than identity */
} ginv_dlg_build_info;
/* info (may be NULL) is filled also when the size limit refuses the build
 * (GINV_ERR_ARG naming N' and the limit). */
ginv_status ginv_dlg_build(ginv_dlg **out, const ginv_net *G, const ginv_dlg_build_opts *o,
                           ginv_dlg_build_info *info);

/* How far an encoder's draws for one x are from the posterior p(z | x) of
 * x = G(z) + beta xi, z ~ N(0, I): the reference is MALA (ginv_sample_run:
 * GD start, step adapted toward acceptance 0.574 during a burn-in of
 * ref_steps, then ref_steps kept draws of each of ref_chains chains, seed
 * o->seed). Reported: the sliced W1 (ginv_w1_sliced, `slices` directions)
 * between the B draws and the pooled reference, and its floor, the same
 * distance between the two halves of the reference chains; the error of
 * the mean ||mean_q - mean_p|| / sqrt(tr Sigma_p) and of the covariance
 * ||Sigma_q - Sigma_p||_F / ||Sigma_p||_F; the reference's acceptance
 * rate. */
enum { GINV_STREAM_DLG_EVAL = GINV_STREAM_USER + 82 }; /* x_i of `ginv encoder distance` */
typedef struct {
    int ref_chains, ref_steps;  /* 8, 2000 */
    int gd_iters;               /* the reference's GD start: 1000 steps of ... */
    double gd_lr;               /* ... 0.1 */
    int slices;                 /* 128 */
    uint64_t seed;              /* 1 */
    int tv_bins;                /* d <= 2: grid cells per axis; 0: 50 (d = 1), 20 (d = 2) */
    int mmd_ref;                /* the reference thinned evenly to this many draws for the MMD (2000) */
} ginv_encoder_dist_opts;
void ginv_encoder_dist_opts_init(ginv_encoder_dist_opts *o);
/* Also: for d <= 2 the histogram TV (ginv_tv_grid, the grid spanning the
 * reference's range) and its floor (the reference's halves), NaN for d > 2;
 * the squared MMD (ginv_mmd_rbf, median-heuristic bandwidth) between the
 * draws and the thinned reference, its standard error, and the same
 * statistic between the two halves of the reference, each thinned to at
 * most B draws (the floor). */
typedef struct {
    double w1, w1_floor, mean_err, cov_err, ref_accept;
    double tv, tv_floor;                            /* NaN for d > 2 */
    double mmd2, mmd2_se, mmd2_floor, mmd_bandwidth;
} ginv_encoder_dist;
ginv_status ginv_encoder_distance(ginv_net *G, double beta, const float *x, int B, const float *draws,
                                  const ginv_encoder_dist_opts *o, ginv_encoder_dist *out);

#ifdef __cplusplus
}
#endif
#endif
