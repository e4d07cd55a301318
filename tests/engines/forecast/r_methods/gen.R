# Writes expected.json: R 4.2.2 with forecast 8.20 (Debian r-base-core, r-cran-forecast).
suppressMessages(library(forecast))
y <- ts(read.csv("data.csv")$deaths, start = c(1973, 1), frequency = 12)
fc <- list(naive = naive(y, h = 13, level = 80), snaive = snaive(y, h = 13, level = 80),
           drift = rwf(y, drift = TRUE, h = 13, level = 80), mean = meanf(y, h = 13, level = 80),
           ets = forecast(ets(y), h = 13, level = 80), theta = thetaf(y, h = 13, level = 80))
method <- c(naive = "naive", snaive = "snaive", drift = "drift", mean = "mean", ets = "ETS(A,N,A)", theta = "theta (seasonally adjusted)")
num <- function(v) paste0("[", paste(sprintf("%.15g", as.numeric(v)), collapse = ", "), "]")
out <- c('{', '"$tolerance": 1e-6,', '"model": "deaths",', '"results": [')
i <- 0
for (k in names(fc)) {
  i <- i + 1
  f <- fc[[k]]
  out <- c(out, sprintf('{"kind": "forecast", "statement": %d, "metric": "deaths", "method": "%s", "level": 0.8, "mean": %s, "lower": %s, "upper": %s}%s',
                        i, method[[k]], num(f$mean), num(f$lower[, 1]), num(f$upper[, 1]), if (i < length(fc)) "," else ""))
}
out <- c(out, ']', '}')
writeLines(out, "expected.json")
