// Decoded random views of training clips for the phone branch
// (train/phone_views.h): deterministic, cached in parts, resumed after a
// lost part, rebuilt when an input changes.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <torch/torch.h>

#include <filesystem>

#include "models/safetensors.h"
#include "speech/clasp_audio_model.h"
#include "speech/mel_cache.h"
#include "test_helpers.h"
#include "tiny_models.h"
#include "train/phone_views.h"
#include "util/error.h"

using namespace clasp;
namespace fs = std::filesystem;

TEST(PhoneViews, CachedInPartsResumedAndRebuiltWhenInputsChange) {
  test::TempDir d;
  // Two tones a clip, so the encoder's classes change within it.
  auto utts = test::write_clips(d.path, 5, [](int i) {
    auto a = test::sine(150 + 70 * i, 0.4 + 0.1 * i, 16000), b = test::sine(900 - 60 * i, 0.3, 16000);
    a.insert(a.end(), b.begin(), b.end());
    return a;
  });
  ASSERT_EQ(utts.size(), 5u);
  build_mel_cache(utts, d.path.string(), d / "cache", 1);
  MelCache cache(d / "cache");
  std::vector<const Utterance*> clips;
  for (const auto& u : utts) clips.push_back(&u);

  torch::manual_seed(3);
  SpeechEncoderConfig sc = test::tiny_encoder({"a", "b", "c"});
  ClaspModelConfig mc = test::tiny_frame_model();
  mc.use_speech = false;
  mc.frame_inputs = "phones";
  mc.phone_dim = 8;
  ClaspAudioModel m(mc, SpeechEncoder(sc));
  {
    torch::NoGradGuard ng;
    m->speech->ctc_head->bias[0] = -50;  // never blank: every clip decodes to something
  }
  const std::vector<size_t> which{0, 1, 2, 4};
  const std::string work = d / "work";
  auto build = [&](uint64_t seed) { return PhoneViews::build(clips, which, cache, *m, 2, seed, work, "enc-1", 2); };
  auto a = build(7);
  ASSERT_EQ(a.views(), 2u);
  EXPECT_TRUE(a.get(3, 0).empty() && a.get(3, 1).empty()) << "clip 3 was not asked for";
  for (size_t i : which)
    for (size_t v = 0; v < 2; ++v) EXPECT_FALSE(a.get(i, v).empty()) << i << "/" << v;
  // Four clips in parts of two.
  EXPECT_TRUE(fs::exists(d / "work/phone-views/part-1.safetensors"));
  EXPECT_FALSE(fs::exists(d / "work/phone-views/part-2.safetensors"));

  // The views are the encoder's decodings of altered audio, not the clean clip's.
  bool any_differs = false;
  {
    torch::NoGradGuard ng;
    for (size_t i : which) {
      auto [x, len] = pad_mels({cache.get(clips[i]->id)}, MelCache::kMels);
      auto sf = m->speech_features(x, len);
      auto clean = m->phone_rows(sf.frames, sf.frame_lengths)[0];
      any_differs = any_differs || clean != a.get(i, 0) || clean != a.get(i, 1);
    }
  }
  EXPECT_TRUE(any_differs);

  // A lost part (a killed build) is made again, the same; the other is reused.
  fs::remove(d / "work/phone-views/part-1.safetensors");
  auto b = build(7);
  for (size_t i = 0; i < clips.size(); ++i)
    for (size_t v = 0; v < 2; ++v) EXPECT_EQ(a.get(i, v), b.get(i, v)) << i << "/" << v;
  // Another seed draws other views: the cache is rebuilt, not reused.
  auto c = build(8);
  EXPECT_EQ(load_safetensors_metadata(d / "work/phone-views/part-0.safetensors").at("seed"), "8");
  bool seed_matters = false;
  for (size_t i : which) seed_matters = seed_matters || a.get(i, 0) != c.get(i, 0) || a.get(i, 1) != c.get(i, 1);
  EXPECT_TRUE(seed_matters);

  // An encoder without a CTC head has nothing to decode with.
  sc.ctc_classes = 0;
  sc.phonemes.clear();
  ClaspModelConfig plain = mc;
  plain.use_frames = false;
  plain.use_speech = true;
  ClaspAudioModel no_head(plain, SpeechEncoder(sc));
  try {
    PhoneViews::build(clips, which, cache, *no_head, 2, 7, work, "enc-2", 2);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("phone_views"), std::string::npos) << e.what();
  }
}
