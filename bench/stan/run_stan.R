# run_stan.R DATA.R OUTDIR CHAINS CORES WARMUP DRAWS SEED MODEL.stan — Stan's
# NUTS with its defaults (diag_e metric, adapt_delta 0.8, max tree depth 10)
# on a copy of bench/stan/vae_inpaint.stan; the model is compiled once and
# cached next to that copy (rstan's auto_write). Writes OUTDIR/stan_summary.csv
# (posterior::summarise_draws of z: mean, sd, mcse_mean, rhat, ess_bulk,
# ess_tail) and OUTDIR/stan_times.csv (compile, sampling, per-chain warm-up
# and sampling seconds; sampler statistics). Called by bench/stan_peer.sh.
args <- commandArgs(trailingOnly = TRUE)
data_path <- args[1]; out <- args[2]
chains <- as.integer(args[3]); cores <- as.integer(args[4])
warmup <- as.integer(args[5]); draws <- as.integer(args[6]); seed <- as.integer(args[7])
suppressPackageStartupMessages({ library(rstan); library(posterior) })
rstan_options(auto_write = TRUE)
stan_file <- args[8]
t0 <- proc.time()[["elapsed"]]
model <- stan_model(stan_file)
t1 <- proc.time()[["elapsed"]]
data <- read_rdump(data_path)
t2 <- proc.time()[["elapsed"]]
fit <- sampling(model, data = data, chains = chains, cores = cores, warmup = warmup,
                iter = warmup + draws, seed = seed, refresh = 0)
t3 <- proc.time()[["elapsed"]]
d <- as_draws_array(as.array(fit, pars = "z"))
saveRDS(d, file.path(out, "stan_draws.rds"))
s <- summarise_draws(d, mean, sd, mcse_mean, rhat, ess_bulk, ess_tail)
num <- function(x) as.numeric(unclass(x))
write.csv(data.frame(variable = as.character(s$variable), mean = num(s$mean), sd = num(s$sd),
                     mcse_mean = num(s$mcse_mean), rhat = num(s$rhat), ess_bulk = num(s$ess_bulk),
                     ess_tail = num(s$ess_tail)),
          file.path(out, "stan_summary.csv"), row.names = FALSE)
el <- get_elapsed_time(fit)
sp <- get_sampler_params(fit, inc_warmup = FALSE)
leap <- mean(sapply(sp, function(x) mean(x[, "n_leapfrog__"])))
div <- sum(sapply(sp, function(x) sum(x[, "divergent__"])))
depth <- max(sapply(sp, function(x) max(x[, "treedepth__"])))
step <- paste(signif(sapply(sp, function(x) x[1, "stepsize__"]), 3), collapse = " ")
write.csv(data.frame(compile_s = t1 - t0, read_s = t2 - t1, sampling_s = t3 - t2,
                     warmup_chain_s = paste(signif(el[, "warmup"], 4), collapse = " "),
                     sample_chain_s = paste(signif(el[, "sample"], 4), collapse = " "),
                     leapfrog_per_draw = leap, divergences = div, max_depth = depth, step_size = step),
          file.path(out, "stan_times.csv"), row.names = FALSE)
