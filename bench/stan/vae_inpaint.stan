// vae_inpaint.stan — the inpainting posterior of docs/sampling.md as Stan
// sees it: the shipped VAE decoder G(z) = sigmoid(W2 softplus(W1
// softplus(W0 z + b0) + b1) + b2) (models/fmnist-vae-k20.safetensors, its
// weights passed as data by bench/stan_peer.sh), the pixels outside the
// hidden box observed with noise sigma, a standard normal prior:
//     U(z) = ||y - G(z)[idx]||^2 / (2 sigma^2) + ||z||^2 / 2,
// ginv sample's energy for --op inpaint-box --sigma 0.1 --prior gaussian.
// rstan 2.21 syntax (Debian's r-cran-rstan).
data {
  int<lower=1> K;            // latent size (20)
  int<lower=1> H;            // hidden width (500)
  int<lower=1> N;            // pixels (784)
  int<lower=1> M;            // observed pixels
  matrix[H, K] W0;
  vector[H] b0;
  matrix[H, H] W1;
  vector[H] b1;
  matrix[N, H] W2;
  vector[N] b2;
  int<lower=1, upper=N> idx[M]; // observed pixels, 1-based, raster order
  vector[M] y;
  real<lower=0> sigma;
}
transformed data {
  matrix[M, H] W2o = W2[idx];   // only the observed rows of the last layer
  vector[M] b2o = b2[idx];
}
parameters {
  vector[K] z;
}
model {
  vector[H] h0 = log1p_exp(W0 * z + b0);
  vector[H] h1 = log1p_exp(W1 * h0 + b1);
  z ~ std_normal();
  y ~ normal(inv_logit(W2o * h1 + b2o), sigma);
}
