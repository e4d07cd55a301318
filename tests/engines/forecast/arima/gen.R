# Writes expected.json: R 4.2.2 with forecast 8.20 (Debian r-base-core, r-cran-forecast).
suppressMessages(library(forecast))
y <- ts(read.csv("data.csv")$deaths, start = c(1973, 1), frequency = 12)
fit <- auto.arima(y)
num <- function(v) paste0("[", paste(sprintf("%.15g", as.numeric(v)), collapse = ", "), "]")
out <- c('{', '"$tolerance": 1e-6,', '"model": "deaths",', '"results": [')
levels <- c(80, 95)
for (i in seq_along(levels)) {
  f <- forecast(fit, h = 13, level = levels[i])
  out <- c(out, sprintf('{"kind": "forecast", "statement": %d, "metric": "deaths", "method": "%s", "level": %g, "mean": %s, "lower": %s, "upper": %s}%s',
                        i, f$method, levels[i] / 100, num(f$mean), num(f$lower[, 1]), num(f$upper[, 1]), if (i < length(levels)) "," else ""))
}
out <- c(out, ']', '}')
writeLines(out, "expected.json")
