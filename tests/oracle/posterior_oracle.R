# posterior_oracle.R — the R package posterior (Vehtari, Gelman, Simpson,
# Carpenter & Buerkner's reference implementation of rank-normalised split
# R-hat, bulk/tail ESS and MCSE) on draws ginv wrote.
# Usage: Rscript posterior_oracle.R DRAWS.csv S C K OUT.csv
#   DRAWS.csv: one value per line, in samples.npy's order (iteration, chain,
#   variable: S x C x K, the last fastest): ginv's float32 values as the
#   doubles it computes with, printed with 17 digits (exact).
suppressPackageStartupMessages(library(posterior))
a <- commandArgs(trailingOnly = TRUE)
x <- scan(a[1], quiet = TRUE)
S <- as.integer(a[2]); C <- as.integer(a[3]); K <- as.integer(a[4])
stopifnot(length(x) == S * C * K)
# R fills arrays first index fastest: read as [K, C, S], then permute to [S, C, K]
arr <- aperm(array(x, dim = c(K, C, S)), c(3, 2, 1))
dimnames(arr) <- list(NULL, NULL, paste0("z[", seq_len(K) - 1, "]"))
d <- as_draws_array(arr)
s <- summarise_draws(d, mean, sd, mcse_mean, rhat, ess_bulk, ess_tail,
                     ~quantile2(.x, probs = c(0.05, 0.5, 0.95)))
df <- as.data.frame(s)
for (n in names(df)[-1]) df[[n]] <- sprintf("%.17g", as.numeric(df[[n]]))  # every digit
write.csv(df, a[5], row.names = FALSE)
