#include "util/blas_kernel.h"

#include <spdlog/spdlog.h>

#include "util/malloc_tuning.h"
#include "util/text_clean.h"

#include <cpuid.h>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

namespace clasp {

namespace {

// Set by clasp beside OPENBLAS_CORETYPE when clasp chose the kernel, so child
// processes (which inherit both) can tell clasp's choice from a user's.
constexpr const char* kMarker = "CLASP_BLAS_KERNEL";
constexpr const char* kFallback = "fallback";

std::string env_or(const char* name, const char* dflt = "") {
  const char* v = std::getenv(name);
  return v ? v : dflt;
}

bool iequal(const std::string& a, const std::string& b) { return lower_ascii(a) == lower_ascii(b); }

uint64_t xgetbv0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

// OpenBLAS entry points, looked up in what the process has already loaded.
template <class F>
F openblas_fn(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

bool CpuInfo::has(const std::string& f) const { return std::find(features.begin(), features.end(), f) != features.end(); }

CpuInfo cpu_info() {
  CpuInfo c;
  unsigned a = 0, b = 0, cx = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &cx, &d)) return c;
  const unsigned max_leaf = a;
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &cx, 4);
  c.vendor = vendor;

  __get_cpuid(1, &a, &b, &cx, &d);
  const unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
  c.family = static_cast<int>(base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family);
  c.model_number = static_cast<int>(
      (base_family == 0x6 || base_family == 0xf) ? (((a >> 16) & 0xf) << 4) + base_model : base_model);
  const unsigned ecx1 = cx;
  // AVX and AVX-512 registers count only when the OS saves them (XCR0).
  const bool osxsave = ecx1 & (1u << 27);
  const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  const bool os_avx = (xcr0 & 0x6) == 0x6, os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0;

  auto add = [&](bool on, const char* name) {
    if (on) c.features.emplace_back(name);
  };
  add(ecx1 & (1u << 0), "sse3");
  add(ecx1 & (1u << 9), "ssse3");
  add(ecx1 & (1u << 19), "sse4_1");
  add(ecx1 & (1u << 20), "sse4_2");
  add(os_avx && (ecx1 & (1u << 28)), "avx");
  add(os_avx && (ecx1 & (1u << 12)), "fma");
  if (max_leaf >= 7) {
    __get_cpuid_count(7, 0, &a, &b, &cx, &d);
    const unsigned ebx7 = b, ecx7 = cx;
    add(os_avx && (ebx7 & (1u << 5)), "avx2");
    add(os_avx512 && (ebx7 & (1u << 16)), "avx512f");
    add(os_avx512 && (ebx7 & (1u << 17)), "avx512dq");
    add(os_avx512 && (ebx7 & (1u << 28)), "avx512cd");
    add(os_avx512 && (ebx7 & (1u << 30)), "avx512bw");
    add(os_avx512 && (ebx7 & (1u << 31)), "avx512vl");
    add(os_avx512 && (ecx7 & (1u << 11)), "avx512_vnni");
    __get_cpuid_count(7, 1, &a, &b, &cx, &d);
    add(os_avx512 && (a & (1u << 5)), "avx512_bf16");
  }

  unsigned ext = 0;
  __get_cpuid(0x80000000, &ext, &b, &cx, &d);
  if (ext >= 0x80000004) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      unsigned r[4];
      __get_cpuid(0x80000002 + i, &r[0], &r[1], &r[2], &r[3]);
      std::memcpy(brand + 16 * i, r, 16);
    }
    c.model = trim(brand);
  }
  return c;
}

std::string best_openblas_core(const CpuInfo& c) {
  // SkylakeX rather than Cooperlake: the same AVX-512 single-precision
  // kernels, and measured faster for libtorch's float products.
  if (c.has("avx512f") && c.has("avx512bw") && c.has("avx512vl") && c.has("avx512dq") && c.has("avx512cd"))
    return "SkylakeX";
  if (c.has("avx2") && c.has("fma")) return c.vendor == "AuthenticAMD" || c.vendor == "HygonGenuine" ? "Zen" : "Haswell";
  if (c.has("avx")) return "Sandybridge";
  if (c.has("sse4_2")) return "Nehalem";
  if (c.has("ssse3")) return "Core2";
  return "Prescott";
}

int openblas_core_rank(const std::string& core) {
  static const std::vector<std::pair<const char*, int>> ranks = {
      {"SkylakeX", 3},   {"Cooperlake", 3},  {"SapphireRapids", 3}, {"Haswell", 2},    {"Zen", 2},
      {"Excavator", 2},  {"Sandybridge", 1}, {"Bulldozer", 1},      {"Piledriver", 1}, {"Steamroller", 1},
      {"Prescott", 0},   {"Core2", 0},       {"Penryn", 0},         {"Dunnington", 0}, {"Nehalem", 0},
      {"Atom", 0},       {"Barcelona", 0},   {"Opteron", 0},        {"Opteron_SSE3", 0}, {"Bobcat", 0},
      {"Nano", 0},       {"Katmai", 0},      {"Coppermine", 0},     {"Northwood", 0},  {"Banias", 0},
      {"Athlon", 0}};
  for (const auto& [name, r] : ranks)
    if (iequal(name, core)) return r;
  return -1;
}

BlasKernelInfo blas_kernel_info() {
  BlasKernelInfo k;
  auto corename = openblas_fn<char* (*)()>("openblas_get_corename");
  if (!corename) return k;
  k.openblas = true;
  k.core = corename();
  if (auto config = openblas_fn<char* (*)()>("openblas_get_config")) k.config = trim(config());
  if (auto threads = openblas_fn<int (*)()>("openblas_get_num_threads")) k.threads = threads();
  const std::string forced = env_or("OPENBLAS_CORETYPE"), marker = env_or(kMarker);
  if (marker.rfind(kFallback, 0) == 0)
    k.chosen_by = "fallback";
  else if (!forced.empty())
    k.chosen_by = iequal(forced, marker) ? "clasp" : "user";
  else
    k.chosen_by = "openblas";
  k.generic = openblas_core_rank(k.core) <= 0 && openblas_core_rank(best_openblas_core(cpu_info())) >= 2;
  return k;
}

bool blas_self_check() {
  using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
  auto sgemm = openblas_fn<Sgemm>("cblas_sgemm");
  if (!sgemm) return true;
  // Odd sizes so the kernels' edge paths run too; values in [-1, 1).
  const int m = 67, n = 53, kk = 131;
  std::vector<float> A(m * kk), B(kk * n), C(m * n, 0.f);
  uint32_t s = 12345;
  auto next = [&s] {
    s = s * 1664525u + 1013904223u;
    return static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.f;
  };
  for (auto& v : A) v = next();
  for (auto& v : B) v = next();
  constexpr int kRowMajor = 101, kNoTrans = 111;
  sgemm(kRowMajor, kNoTrans, kNoTrans, m, n, kk, 1.f, A.data(), kk, B.data(), n, 0.f, C.data(), n);
  if (env_or("CLASP_BLAS_SIMULATE_BAD_KERNEL") == "1") C[m * n / 2] += 1.f;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double ref = 0, mag = 0;
      for (int t = 0; t < kk; ++t) {
        ref += static_cast<double>(A[i * kk + t]) * B[t * n + j];
        mag += std::fabs(static_cast<double>(A[i * kk + t]) * B[t * n + j]);
      }
      if (!(std::fabs(C[i * n + j] - ref) <= 1e-5 * mag + 1e-6)) return false;
    }
  return true;
}

namespace {
// OpenBLAS chooses its kernel table when it loads (gotoblas_dynamic_init
// reads OPENBLAS_CORETYPE); these exported entry points let it choose again.
// Only safe before the first BLAS call, hence at the start of main().
bool reload_openblas_kernels() {
  auto quit = openblas_fn<void (*)()>("gotoblas_dynamic_quit");
  auto init = openblas_fn<void (*)()>("gotoblas_dynamic_init");
  if (!quit || !init) return false;
  quit();
  init();
  return true;
}
}  // namespace

void select_blas_kernel() {
  if (!openblas_fn<char* (*)()>("openblas_get_corename") || env_or("CLASP_BLAS_AUTO", "1") == "0") return;
  const std::string forced = env_or("OPENBLAS_CORETYPE"), marker = env_or(kMarker);
  if (marker.rfind(kFallback, 0) == 0) return;  // a parent clasp's choice failed its check
  std::string chosen;
  if (!forced.empty()) {
    if (!iequal(forced, marker)) return;  // the user's own setting wins
    chosen = forced;                      // a parent clasp's choice: OpenBLAS loaded with it
  } else {
    chosen = best_openblas_core(cpu_info());
    setenv("OPENBLAS_CORETYPE", chosen.c_str(), 1);  // also for child processes
    setenv(kMarker, chosen.c_str(), 1);
    if (!reload_openblas_kernels()) {
      unsetenv("OPENBLAS_CORETYPE");
      unsetenv(kMarker);
      return;
    }
  }
  if (blas_self_check()) return;
  spdlog::warn("OpenBLAS kernel {} failed the start-up self-check; using OpenBLAS's own choice (set "
               "OPENBLAS_CORETYPE to choose one yourself)",
               chosen);
  unsetenv("OPENBLAS_CORETYPE");
  setenv(kMarker, (std::string(kFallback) + ":" + chosen).c_str(), 1);
  reload_openblas_kernels();
}

std::string machine_summary(int threads) {
  const CpuInfo c = cpu_info();
  const BlasKernelInfo k = blas_kernel_info();
  std::string simd = "no AVX";
  for (const char* f : {"avx512f", "avx2", "avx"})
    if (c.has(f)) {
      simd = f;
      break;
    }
  std::string s = "CPU " + (c.model.empty() ? c.vendor : c.model) + " (" + simd + "), BLAS ";
  s += k.openblas ? "OpenBLAS " + k.core + " (" + k.chosen_by + (k.generic ? ", GENERIC" : "") + ")" : "not OpenBLAS";
  s += malloc_tuned() ? ", malloc tuned" : ", malloc default";
  s += ", " + std::to_string(threads) + " threads";
  return s;
}

nlohmann::json machine_json(int threads) {
  const CpuInfo c = cpu_info();
  const BlasKernelInfo k = blas_kernel_info();
  return {{"cpu",
           {{"vendor", c.vendor},
            {"model", c.model},
            {"family", c.family},
            {"model_number", c.model_number},
            {"features", c.features}}},
          {"blas",
           {{"openblas", k.openblas},
            {"config", k.config},
            {"core", k.core},
            {"chosen_by", k.chosen_by},
            {"generic", k.generic},
            {"best_for_cpu", best_openblas_core(c)}}},
          {"malloc_tuned", malloc_tuned()},
          {"threads", threads}};
}

std::string blas_kernel_warning() {
  const BlasKernelInfo k = blas_kernel_info();
  if (!k.openblas || !k.generic) return "";
  const std::string best = best_openblas_core(cpu_info());
  return "WARNING: OpenBLAS runs its generic " + k.core + " kernels on a CPU that has " + best + "-class ones (" +
         k.chosen_by + "); unset OPENBLAS_CORETYPE and CLASP_BLAS_AUTO, or set OPENBLAS_CORETYPE=" + best;
}

}  // namespace clasp
