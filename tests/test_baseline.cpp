// The ASR baseline's parts: word error rate and the PocketSphinx wrapper.
#include <gtest/gtest.h>

#include "asr/pocketsphinx_asr.h"
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
