#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "audio/mel.h"
#include "test_helpers.h"

using namespace clasp;

namespace {
int peak_bin(const MelSpectrogram& m, int frame) {
  int best = 0;
  for (int k = 1; k < m.n_mels; ++k)
    if (m.at(frame, k) > m.at(frame, best)) best = k;
  return best;
}
int nearest_bin(const MelExtractor& ex, double hz) {
  int best = 0;
  for (int k = 1; k < ex.config().n_mels; ++k)
    if (std::fabs(ex.center_hz(k) - hz) < std::fabs(ex.center_hz(best) - hz)) best = k;
  return best;
}
}  // namespace

TEST(Mel, HtkScaleRoundTrips) {
  EXPECT_NEAR(hz_to_mel(700.0), 2595.0 * std::log10(2.0), 1e-9);
  for (double hz : {0.0, 100.0, 1000.0, 8000.0}) EXPECT_NEAR(mel_to_hz(hz_to_mel(hz)), hz, 1e-6);
}

TEST(Mel, FrameCountFollowsCenteredStft) {
  MelExtractor ex;
  EXPECT_EQ(ex.compute(std::vector<float>(16000, 0.1f)).frames, 101);
  EXPECT_EQ(ex.compute(std::vector<float>(16159, 0.1f)).frames, 101);
  EXPECT_EQ(ex.compute(std::vector<float>(16160, 0.1f)).frames, 102);
}

class MelSine : public ::testing::TestWithParam<double> {};

TEST_P(MelSine, SineLandsInItsMelBin) {
  double hz = GetParam();
  MelExtractor ex;
  auto m = ex.compute(test::sine(hz, 1.0, 16000));
  int expected = nearest_bin(ex, hz);
  for (int f : {10, 50, 90}) EXPECT_NEAR(peak_bin(m, f), expected, 1) << "frame " << f << " at " << hz << " Hz";
}
INSTANTIATE_TEST_SUITE_P(Frequencies, MelSine, ::testing::Values(250.0, 1000.0, 3000.0, 6500.0));

TEST(Mel, DoublingAmplitudeAddsLog4) {
  MelExtractor ex;
  auto a = ex.compute(test::sine(1000, 0.5, 16000, 0.2f));
  auto b = ex.compute(test::sine(1000, 0.5, 16000, 0.4f));
  int k = nearest_bin(ex, 1000);
  EXPECT_NEAR(b.at(20, k) - a.at(20, k), std::log(4.0), 1e-3);
}

TEST(Mel, SilenceIsTheLogFloor) {
  MelExtractor ex;
  auto m = ex.compute(std::vector<float>(1600, 0.0f));
  for (float v : m.data) EXPECT_FLOAT_EQ(v, std::log(1e-10f));
}

TEST(Mel, ShortAndEmptySignalsDoNotCrash) {
  MelExtractor ex;
  EXPECT_EQ(ex.compute({}).frames, 1);
  EXPECT_EQ(ex.compute(std::vector<float>(100, 0.3f)).frames, 1);
}

TEST(Mel, FilterbankIsTriangularAndCoversTheBand) {
  MelExtractor ex;
  const auto& fb = ex.filterbank();
  const int n_freqs = 201;
  for (int m = 0; m < 80; ++m) {
    float peak = *std::max_element(fb.begin() + m * n_freqs, fb.begin() + (m + 1) * n_freqs);
    EXPECT_GT(peak, 0.05f) << "filter " << m << " is empty";
    EXPECT_LE(peak, 1.0f);
  }
  for (float w : fb) EXPECT_GE(w, 0.0f);
}

TEST(Mel, RejectsBadConfig) {
  MelConfig c;
  c.f_max = 9000;  // above Nyquist at 16 kHz
  EXPECT_THROW(MelExtractor{c}, std::exception);
}
