#pragma once
// Which OpenBLAS kernel family runs libtorch's matrix products, and choosing
// it right on CPUs that the installed OpenBLAS does not recognise.
//
// Debian's OpenBLAS 0.3.21 picks its kernels when it loads, from the CPU's
// model number. On CPUs newer than it (AVX-512 Xeons that a hypervisor calls
// "Intel(R) Xeon(R) Processor", ...) it falls back to its generic SSE3
// "Prescott" kernels: 5-7x slower. So every clasp executable calls
// select_blas_kernel() first thing in main(): it picks the kernel family from
// the CPU's feature bits, has OpenBLAS choose again with OPENBLAS_CORETYPE
// set (its exported gotoblas_dynamic_quit / _init, before any BLAS call),
// checks the arithmetic against a plain loop and, should it be wrong, goes
// back to OpenBLAS's own choice. A user's own OPENBLAS_CORETYPE always wins;
// CLASP_BLAS_AUTO=0 turns the choice off.
//
// No torch here: OpenBLAS is reached through the symbols libtorch already
// loaded (dlsym), so all of this is a no-op in a process without OpenBLAS.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace clasp {

struct CpuInfo {
  std::string vendor;                 // "GenuineIntel", "AuthenticAMD", ...
  std::string model;                  // brand string, e.g. "AMD EPYC"
  int family = 0, model_number = 0;   // display family / model
  std::vector<std::string> features;  // SIMD features the CPU and the OS both support
  bool has(const std::string& f) const;
};

CpuInfo cpu_info();

// The OpenBLAS 0.3.21 core type (an OPENBLAS_CORETYPE value) that suits a CPU
// with these features best: "SkylakeX" for AVX-512, "Haswell" / "Zen" for
// AVX2 + FMA, "Sandybridge" for AVX, "Nehalem", "Core2", else "Prescott".
std::string best_openblas_core(const CpuInfo& cpu);

// Rough speed class of an OpenBLAS core name: 0 generic SSE, 1 AVX, 2 AVX2,
// 3 AVX-512; -1 for a name it does not know.
int openblas_core_rank(const std::string& core);

struct BlasKernelInfo {
  bool openblas = false;   // false: libtorch runs on another BLAS (or none is loaded)
  std::string config;      // openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ..."
  std::string core;        // kernel family in use, e.g. "SkylakeX"
  std::string chosen_by;   // "user" (OPENBLAS_CORETYPE), "clasp", "openblas" (its own detection),
                           // "fallback" (clasp's choice failed the self-check)
  bool generic = false;    // a generic SSE kernel although the CPU has AVX2 or better
  int threads = 0;         // openblas_get_num_threads()
};

BlasKernelInfo blas_kernel_info();

// Multiplies two small seeded matrices with the loaded BLAS and compares the
// product with a plain double-precision loop. True when they agree (or when
// no BLAS is loaded). CLASP_BLAS_SIMULATE_BAD_KERNEL=1 corrupts the product,
// so tests can exercise the fallback.
bool blas_self_check();

// Call first in main(), before anything multiplies a matrix (see above).
// Child processes inherit the choice through the environment.
void select_blas_kernel();

// One line for benchmark output: "CPU <model> (<features>), BLAS <core> (<how>), <n> threads".
std::string machine_summary(int threads);

// The same as JSON, for every benchmark's output: cpu {vendor, model, family,
// model_number, features}, blas {openblas, config, core, chosen_by, generic,
// best_for_cpu}, malloc_tuned, threads.
nlohmann::json machine_json(int threads);

// A warning to print beside speed figures when the BLAS kernel is a generic
// fallback on a CPU that has better ones; empty when all is well.
std::string blas_kernel_warning();

}  // namespace clasp
