// The evaluation benchmark's driver: one model (bench/gen_eval.py), evaluated by
// the JIT, the reference interpreter and the same formulas hand-written in C++
// (-O2, loaded from hand.so), in one run. Prints the times, the ratios and a
// checksum the numpy version is checked against, and verifies that all three
// agree bit for bit.
//
// usage: mtc_eval_bench DIR [--repeat N] [--no-interpreter]   (N repeated evaluations after the first; default 5)
#include <dlfcn.h>

#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "mtc/compiler.h"
#include "mtc/runtime.h"

using namespace mtc;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU time of the whole process (every thread), the measure: it does not depend on how
// many threads an engine uses (both evaluations here run on one; the JIT's threads only compile).
static double cpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

static double inputValue(long k, long s, long t) {  // as gen_eval.py's input_value
  return static_cast<double>((k * 7919 + s * 104729 + t * 13) % 1000) / 10.0 - 5.0;
}

static bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mtc_eval_bench DIR [--repeat N] [--no-interpreter]\n");
    return 2;
  }
  std::string dir = argv[1];
  int repeat = 5;
  bool interp = true;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--no-interpreter")) interp = false;
  }
  nlohmann::json meta = nlohmann::json::parse(std::ifstream(dir + "/meta.json"));
  const long inputs = meta["inputs"], formulas = meta["formulas"], T = meta["months"];
  const long S = static_cast<long>(meta["regions"]) * static_cast<long>(meta["products"]);

  auto t0 = Clock::now();
  auto c = compile(dir + "/model.mtree", CompileOptions{});
  if (c->diags.hasErrors()) {
    std::fputs(renderAll(c->sources, c->diags).c_str(), stderr);
    return 1;
  }
  double tCheck = since(t0);
  const ir::Model& m = *c->model;
  rt::Data data;
  Diagnostics loadDiags;
  rt::load(m, data, loadDiags, c->sources);
  data.time.count = T;
  data.inputs.assign(m.metrics.size(), rt::Series{});
  data.hasData.assign(m.metrics.size(), false);
  rt::Scenario sc;
  for (long k = 0; k < inputs; ++k) {
    rt::Series s{static_cast<size_t>(S), static_cast<size_t>(T), {}};
    s.v.resize(S * T);
    for (long sl = 0; sl < S; ++sl)
      for (long t = 0; t < T; ++t) s.v[sl * T + t] = inputValue(k, sl, t);
    sc.inputs.push_back({*m.findMetric("in" + std::to_string(k)), std::move(s)});
  }
  std::vector<ir::Id> ids;  // series in generation order: inputs, then f0, f1, ...
  for (const auto& n : meta["names"]) ids.push_back(*m.findMetric(n.get<std::string>()));

  // JIT
  auto t1 = Clock::now();
  auto jit = rt::makeJit(m, data, rt::EvalOptions{});
  double tCompile = since(t1);
  // hand-written C++ (the same work: read the inputs where they are, write every output)
  void* so = dlopen((dir + "/hand.so").c_str(), RTLD_NOW);
  if (!so) {
    std::fprintf(stderr, "cannot load hand.so: %s\n", dlerror());
    return 3;
  }
  auto hand = reinterpret_cast<void (*)(double**, size_t, size_t)>(dlsym(so, "mtc_hand_eval"));
  std::vector<std::vector<double>> hm;

  // The first evaluation allocates (and page-faults) every series; the next ones reuse the
  // memory, as an optimiser or a simulation does. The repeated evaluations alternate JIT, C++,
  // JIT, C++ ..., so that both see the same state of the machine; the best of each is kept.
  double tJit = 1e300, tJitFirst = 0, cJit = 1e300;
  double tHand = 1e300, tHandFirst = 0, cHand = 1e300;
  rt::Values jv;
  for (int r = 0; r <= repeat; ++r) {
    auto t = Clock::now();
    double c0 = cpuNow();
    jit->evaluateInto(sc, jv);
    if (r == 0) tJitFirst = since(t);
    else tJit = std::min(tJit, since(t)), cJit = std::min(cJit, cpuNow() - c0);

    t = Clock::now();
    c0 = cpuNow();
    hm.resize(inputs + formulas);
    std::vector<double*> ptrs(inputs + formulas);
    for (long k = inputs; k < inputs + formulas; ++k) hm[k].resize(S * T);
    for (long k = 0; k < inputs; ++k) ptrs[k] = const_cast<double*>(sc.inputs[k].second.v.data());  // read only
    for (long k = inputs; k < inputs + formulas; ++k) ptrs[k] = hm[k].data();
    hand(ptrs.data(), S, T);
    if (r == 0) tHandFirst = since(t);
    else tHand = std::min(tHand, since(t)), cHand = std::min(cHand, cpuNow() - c0);
  }
  long handDiff = 0;
  for (long k = inputs; k < inputs + formulas; ++k)
    for (long i = 0; i < S * T; ++i) handDiff += !same(hm[k][i], jv.metric(ids[k]).v[i]);
  hm.clear();
  hm.shrink_to_fit();

  // checksum for numpy: the sum of the non-missing values of the last formula, and the missing count
  double sum = 0;
  long missing = 0;
  for (double v : jv.metric(ids.back()).v) std::isnan(v) ? ++missing : (sum += v, 0);

  // interpreter
  double tInterp = 0;
  long interpDiff = -1;
  if (interp) {
    rt::EvalOptions io;
    io.jit = rt::JitMode::Never;
    auto ev = rt::makeInterpreter(m, data, io);
    rt::Values iv;
    ev->evaluateInto(sc, iv);  // allocate
    auto t = Clock::now();
    ev->evaluateInto(sc, iv);
    tInterp = since(t);
    interpDiff = 0;
    for (ir::Id id : ids)
      for (size_t i = 0; i < iv.metric(id).v.size(); ++i) interpDiff += !same(iv.metric(id).v[i], jv.metric(id).v[i]);
  }

  nlohmann::json out = {{"formulas", formulas},       {"slices", S},
                        {"months", T},                {"check_s", tCheck},
                        {"jit_compile_s", tCompile},  {"jit_kernels", jit->stats().kernels},
                        {"jit_cached", jit->stats().cached}, {"jit_eval_s", tJit},
                        {"jit_first_eval_s", tJitFirst}, {"hand_cpp_first_s", tHandFirst},
                        {"hand_cpp_s", tHand},        {"hand_vs_jit_differences", handDiff},
                        {"checksum", {{"sum", sum}, {"missing", missing}}}};
  if (interp) {
    out["interpreter_s"] = tInterp;
    out["interpreter_vs_jit_differences"] = interpDiff;
    out["jit_speedup_vs_interpreter"] = tInterp / tJit;
  }
  out["jit_time_vs_hand_cpp"] = tJit / tHand;
  out["jit_cpu_s"] = cJit;
  out["hand_cpp_cpu_s"] = cHand;
  out["jit_cpu_vs_hand_cpp"] = cJit / cHand;  // the best of `repeat` repeated evaluations each
  out["repeat"] = repeat;
  std::printf("%s\n", out.dump(2).c_str());
  return handDiff == 0 && interpDiff <= 0 ? 0 : 1;
}
