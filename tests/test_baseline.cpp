// The ASR baseline's parts: word error rate and the PocketSphinx wrapper.
#include <gtest/gtest.h>

#include "asr/pocketsphinx_asr.h"
#include "eval/phonetic_baseline.h"
#include "eval/retrieval_metrics.h"
#include "eval/word_error_rate.h"
#include "tts/synth_job.h"
#include "tts/voice_catalog.h"
#include "util/error.h"

using namespace clasp;

TEST(WordErrorRate, CountsEditsAfterNormalising) {
  EXPECT_EQ(normalised_words("Hello, World! Don't 'quote' me."),
            (std::vector<std::string>{"hello", "world", "don't", "quote", "me"}));
  auto w = word_errors("the cat sat on the mat", "the cat sat on mat");
  EXPECT_EQ(w.errors, 1u);  // one deletion
  EXPECT_EQ(w.reference_words, 6u);
  EXPECT_EQ(word_errors("a b c", "x b c d").errors, 2u);  // substitution + insertion
  EXPECT_EQ(word_errors("Same words.", "same words").errors, 0u);
  EXPECT_EQ(word_errors("", "").rate(), 0.0);
  EXPECT_EQ(word_errors("one two", "").errors, 2u);
}

TEST(Pocketsphinx, TranscribesSpeechAndNotSilence) {
  PocketsphinxAsr asr;
  EXPECT_EQ(asr.transcribe(std::vector<float>(16000, 0.0f)), "");
  VoicePolicy p;
  p.engines = {"flite"};
  p.holdout_regex = "";
  VoiceAssigner as(p, 3);
  auto clip = synthesize_clip("the weather is nice today", "en", as.choose("asr-test", "en", "train"));
  std::string hyp = asr.transcribe(clip.samples);
  ASSERT_FALSE(hyp.empty());
  // A clear sentence from a natural-sounding voice: most words right.
  EXPECT_LT(word_errors("the weather is nice today", hyp).rate(), 0.5) << hyp;
  EXPECT_THROW(PocketsphinxAsr("/nonexistent"), Error);
}

TEST(PhoneticMatching, SimilarityAndRankingByScore) {
  EXPECT_FLOAT_EQ(phoneme_similarity({1, 2, 3, 4}, {1, 2, 3, 4}), 1.0f);
  EXPECT_FLOAT_EQ(phoneme_similarity({1, 2, 3, 4}, {1, 2, 9, 4}), 0.75f);  // one substitution in four
  EXPECT_FLOAT_EQ(phoneme_similarity({1, 2}, {1, 2, 3, 4}), 0.5f);        // two insertions, longer is four
  EXPECT_FLOAT_EQ(phoneme_similarity({}, {}), 1.0f);
  // Query i's gold is candidate i; candidate 2 beats query 0's gold, ties count against the gold.
  std::vector<std::vector<float>> s = {{0.5f, 0.1f, 0.9f}, {0.2f, 0.8f, 0.8f}, {0.0f, 0.0f, 1.0f}};
  auto score = [&](size_t i, size_t j) { return s[i][j]; };
  EXPECT_EQ(ranks_hard_by(score, 3, {0, 1, 2}), (std::vector<size_t>{2, 2, 1}));
  auto soft = ranks_soft_by(score, 3, {0, 1, 2}, 1, 7);  // gold + one seeded distractor
  for (size_t r : soft) EXPECT_TRUE(r == 1 || r == 2);
  EXPECT_EQ(soft, ranks_soft_by(score, 3, {0, 1, 2}, 1, 7));  // same seed, same draw
  EXPECT_THROW(ranks_hard_by(score, 3, {0, 1, 5}), std::invalid_argument);
}
