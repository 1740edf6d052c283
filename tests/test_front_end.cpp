// The shipped model's vectors do not move with what a listener cannot hear
// or does not care about: dither-level noise on telephone audio, the
// level of the recording, an 8 kHz band limit.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "audio/resample.h"
#include "speech/audio_embedder.h"
#include "speech/clasp_audio_model.h"
#include "util/fs.h"
#include "util/hash.h"
#include "tts/synth_job.h"
#include "tts/voice_catalog.h"

namespace {

// Rounded to 16-bit samples, with TPDF dither of +-1 LSB when `dither_seed` is set (sox's default).
std::vector<float> to_pcm16(const std::vector<float>& x, unsigned dither_seed = 0) {
  std::mt19937 rng(dither_seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    float v = x[i] * 32768.0f + (dither_seed ? u(rng) + u(rng) : 0.0f);
    y[i] = std::clamp(std::round(v), -32768.0f, 32767.0f) / 32768.0f;
  }
  return y;
}

double cosine(const std::vector<float>& v, size_t a, size_t b, size_t d) {
  double s = 0;
  for (size_t k = 0; k < d; ++k) s += static_cast<double>(v[a * d + k]) * v[b * d + k];
  return s;  // rows are L2-normalised
}

}  // namespace

TEST(FrontEnd, VectorsDoNotMoveWithDitherLevelOrBandLimit) {
  clasp::VoicePolicy p;
  p.engines = {"espeak"};
  p.holdout_regex = "";
  clasp::VoiceAssigner voices(p, 7);
  const auto clip = clasp::synthesize_clip("Please enter your account number followed by the pound key.", "en",
                                           voices.choose("front-end", "en", "train"));
  ASSERT_GT(clip.samples.size(), 16000u);
  const auto phone = clasp::resample(clasp::resample(clip.samples, 16000, 8000), 8000, 16000);
  std::vector<float> quiet(clip.samples);
  for (auto& v : quiet) v *= 0.25f;  // -12 dB

  clasp::AudioEmbedder emb(clasp::default_clasp_model_dir());
  const auto v = emb.embed({to_pcm16(phone), to_pcm16(phone, 1), to_pcm16(phone, 2), clip.samples, quiet, phone});
  const size_t d = static_cast<size_t>(emb.dim());
  // The case: two 16 kHz conversions of one 8 kHz prompt that differ only by dither.
  EXPECT_GE(cosine(v, 0, 1, d), 0.99) << "rounded vs dithered telephone audio";
  EXPECT_GE(cosine(v, 1, 2, d), 0.99) << "two ditherings of telephone audio";
  EXPECT_GE(cosine(v, 3, 4, d), 0.99) << "a recording 12 dB quieter";
  EXPECT_GE(cosine(v, 3, 5, d), 0.90) << "the same speech band-limited to 4 kHz";
  std::printf("cosines: dither %.4f / %.4f, level %.4f, 8 kHz band limit %.4f\n", cosine(v, 0, 1, d),
              cosine(v, 1, 2, d), cosine(v, 3, 4, d), cosine(v, 3, 5, d));
}

// One load serves everything (issue 24): the model's identity comes from the
// bytes its loader read, and is exactly the hash of its weight files that an
// index records (so indexes made before stay valid); the model before CLASP
// training is made from a loaded one without reading anything again.
TEST(ModelLoad, IdentityIsTheHashOfTheWeightFilesAndTheUntrainedTwinMatchesALoad) {
  const std::string dir = clasp::default_clasp_model_dir();
  clasp::AudioEmbedder emb(dir);
  auto m = emb.model();
  // The hash an index records, computed from the files themselves.
  const auto files = clasp::clasp_weight_files(dir, m->cfg);
  ASSERT_EQ(files.size(), 4u) << "main head, speech encoder, phone member, phonetic part";
  uint64_t h = clasp::fnv1a64(clasp::read_file(files[0]));
  for (size_t i = 1; i < files.size(); ++i) h = clasp::splitmix64(h ^ clasp::fnv1a64(clasp::read_file(files[i])));
  if (m->speech->cfg.mel_floor_db > 0)
    h = clasp::splitmix64(h ^ clasp::fnv1a64("mel_floor_db=" + std::to_string(m->speech->cfg.mel_floor_db)));
  char want[17];
  std::snprintf(want, sizeof want, "%016llx", static_cast<unsigned long long>(h));
  EXPECT_EQ(emb.identity().version, want);
  // The members and the phonetic part run on the one speech encoder (the
  // loader now hands it to them instead of loading theirs; the files a
  // report run opens are counted in docs/api.md).
  ASSERT_EQ(m->members.size(), 1u);
  EXPECT_EQ(m->members[0]->speech.get(), m->speech.get());
  ASSERT_TRUE(m->phonetic);
  EXPECT_EQ(m->phonetic->speech.get(), m->speech.get());

  std::vector<float> tone(16000);
  for (size_t i = 0; i < tone.size(); ++i) tone[i] = 0.3f * std::sin(0.05f * static_cast<float>(i)) * std::sin(0.0007f * static_cast<float>(i));
  clasp::AudioEmbedder loaded_untrained(dir, false);
  const auto twin = emb.untrained();
  EXPECT_EQ(twin->identity().version, "untrained");
  EXPECT_EQ(twin->dim(), loaded_untrained.dim());
  const auto a = twin->embed({tone}), b = loaded_untrained.embed({tone});
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) ASSERT_FLOAT_EQ(a[k], b[k]) << k;
  const auto trained = emb.embed({tone});
  EXPECT_NE(trained, a) << "the untrained twin must not be the trained model";
}
