// The OpenBLAS kernel choice: the mapping from CPU features, and the clasp
// command's behaviour with and without a user's OPENBLAS_CORETYPE.
#include <gtest/gtest.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_helpers.h"
#include "util/blas_kernel.h"

using clasp::test::run_capture;

namespace {

clasp::CpuInfo cpu(const std::string& vendor, std::vector<std::string> features) {
  clasp::CpuInfo c;
  c.vendor = vendor;
  c.features = std::move(features);
  return c;
}

// `clasp bench --blas-only --json` under a clean environment plus `env`;
// returns the JSON's "machine" object and the combined output.
nlohmann::json machine_under(const std::string& env, std::string* out_text = nullptr) {
  clasp::test::TempDir dir;
  const std::string json = dir / "b.json";
  int rc = 0;
  std::string out = run_capture("env -u OPENBLAS_CORETYPE -u CLASP_BLAS_KERNEL -u CLASP_BLAS_AUTO "
                                "-u CLASP_BLAS_SIMULATE_BAD_KERNEL " +
                                    env + " " + CLASP_BIN + " bench --blas-only --json " + json,
                                &rc);
  EXPECT_EQ(rc, 0) << out;
  if (out_text) *out_text = out;
  std::ifstream f(json);
  if (!f) {
    ADD_FAILURE() << "no JSON written: " << out;
    return {};
  }
  auto j = nlohmann::json::parse(f);
  EXPECT_GT(j.value("torch_gemm_gflops", 0.0), 0.0);
  return j["machine"];
}

}  // namespace

TEST(BlasKernel, BestCoreFollowsTheFeatureBits) {
  const std::vector<std::string> avx2 = {"sse3", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "avx2"};
  auto avx512 = avx2;
  for (const char* f : {"avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"}) avx512.emplace_back(f);
  EXPECT_EQ(clasp::best_openblas_core(cpu("GenuineIntel", avx512)), "SkylakeX");
  EXPECT_EQ(clasp::best_openblas_core(cpu("AuthenticAMD", avx512)), "SkylakeX");
  EXPECT_EQ(clasp::best_openblas_core(cpu("GenuineIntel", avx2)), "Haswell");
  EXPECT_EQ(clasp::best_openblas_core(cpu("AuthenticAMD", avx2)), "Zen");
  EXPECT_EQ(clasp::best_openblas_core(cpu("GenuineIntel", {"sse3", "ssse3", "sse4_1", "sse4_2", "avx"})),
            "Sandybridge");
  EXPECT_EQ(clasp::best_openblas_core(cpu("GenuineIntel", {"sse3"})), "Prescott");
  // AVX-512 foundation alone (Knights Landing) is not SkylakeX's instruction set.
  EXPECT_EQ(clasp::best_openblas_core(cpu("GenuineIntel", {"avx", "fma", "avx2", "avx512f", "avx512cd"})), "Haswell");
  EXPECT_GT(clasp::openblas_core_rank("SkylakeX"), clasp::openblas_core_rank("Haswell"));
  EXPECT_GT(clasp::openblas_core_rank("zen"), clasp::openblas_core_rank("Prescott"));
  EXPECT_EQ(clasp::openblas_core_rank("NoSuchCore"), -1);
}

TEST(BlasKernel, ThisCpuFeaturesAreRead) {
  const auto c = clasp::cpu_info();
  EXPECT_FALSE(c.vendor.empty());
  EXPECT_TRUE(c.has("sse3")) << "every x86-64 CPU clasp runs on has SSE3";
  EXPECT_TRUE(clasp::blas_self_check()) << "the loaded BLAS multiplies wrongly";
}

TEST(BlasKernel, WithNoSettingClaspChoosesFromTheCpuFeatures) {
  // Whether or not OpenBLAS recognises this CPU, the kernel is the one its
  // feature bits call for, chosen before OpenBLAS loaded, and never generic.
  std::string out;
  auto m = machine_under("", &out);
  ASSERT_TRUE(m["blas"]["openblas"].get<bool>()) << "libtorch is not on OpenBLAS: " << out;
  EXPECT_EQ(m["blas"]["chosen_by"], "clasp") << out;
  EXPECT_EQ(m["blas"]["core"], m["blas"]["best_for_cpu"]) << out;
  EXPECT_FALSE(m["blas"]["generic"].get<bool>()) << out;
  EXPECT_NE(out.find("machine:   CPU "), std::string::npos) << out;
}

TEST(BlasKernel, AUsersSettingIsLeftAlone) {
  std::string out;
  auto m = machine_under("OPENBLAS_CORETYPE=Prescott", &out);
  EXPECT_EQ(m["blas"]["core"], "Prescott") << out;
  EXPECT_EQ(m["blas"]["chosen_by"], "user") << out;
  // A generic kernel on a CPU with better ones is called out.
  if (m["blas"]["generic"].get<bool>()) {
    EXPECT_NE(out.find("WARNING: OpenBLAS runs its generic"), std::string::npos) << out;
  }
  // Turning the choice off leaves OpenBLAS's own detection.
  m = machine_under("CLASP_BLAS_AUTO=0");
  EXPECT_EQ(m["blas"]["chosen_by"], "openblas");
}

TEST(BlasKernel, AKernelThatFailsTheSelfCheckFallsBack) {
  // As if clasp had chosen Prescott and it multiplied wrongly (simulated):
  // the process goes back to OpenBLAS's own choice and says so.
  std::string out;
  auto m = machine_under("OPENBLAS_CORETYPE=Prescott CLASP_BLAS_KERNEL=Prescott CLASP_BLAS_SIMULATE_BAD_KERNEL=1", &out);
  EXPECT_EQ(m["blas"]["chosen_by"], "fallback") << out;
  EXPECT_NE(out.find("failed the start-up self-check"), std::string::npos) << out;
  const auto own = machine_under("CLASP_BLAS_AUTO=0");
  EXPECT_EQ(m["blas"]["core"], own["blas"]["core"]) << out;
  // The same choice without the simulated fault passes its self-check.
  m = machine_under("OPENBLAS_CORETYPE=Prescott CLASP_BLAS_KERNEL=Prescott", &out);
  EXPECT_EQ(m["blas"]["chosen_by"], "clasp") << out;
  EXPECT_EQ(m["blas"]["core"], "Prescott") << out;
}
