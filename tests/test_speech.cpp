// The speech side: phoneme vocabulary, mel cache (resume, corrupt audio),
// speech encoder (shapes, finite gradients, save/load), fusion variants and
// the retrieval metrics.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "audio/audio_file.h"
#include "audio/mel.h"
#include "eval/retrieval_metrics.h"
#include "models/frame_branch.h"
#include "models/fusion.h"
#include "models/safetensors.h"
#include "speech/clasp_audio_model.h"
#include "train/ctc_pretrain.h"
#include "speech/mel_cache.h"
#include "speech/phoneme_vocab.h"
#include "audio/mel_augment.h"
#include "speech/speech_encoder.h"
#include "train/clasp_train.h"
#include "train/epoch_order.h"
#include "train/frame_augment.h"
#include "train/phone_noise.h"
#include "eval/phonetic_baseline.h"
#include "util/fs.h"
#include <nlohmann/json.hpp>
#include "test_helpers.h"
#include "tiny_models.h"
#include "util/error.h"

using namespace clasp;
using test::tiny_encoder;
using test::tiny_frame_model;

using test::expect_error_naming;

TEST(PhonemeVocab, SymbolsStressAndBoundaries) {
  auto syms = ipa_symbols("h\xc9\x99l\xcb\x88o\xca\x8a  w\xcb\x8c\xc9\x9c\xcb\x90ld");  // həlˈoʊ  wˌɜːld
  std::vector<std::string> want = {"h", "\xc9\x99", "l", "o", "\xca\x8a", "|", "w", "\xc9\x9c", "\xcb\x90", "l", "d"};
  EXPECT_EQ(syms, want);
  auto v = PhonemeVocab::build({"ab c", "cd"});
  EXPECT_EQ(v.size(), 6);  // blank + a b c d |
  size_t unknown = 0;
  auto ids = v.encode("ab x", &unknown);
  EXPECT_EQ(unknown, 1u);
  EXPECT_EQ(v.decode(v.encode("ab c")), "ab c");
  EXPECT_EQ(edit_distance({1, 2, 3}, {1, 3}), 1u);
  EXPECT_EQ(edit_distance({}, {4, 5}), 2u);
  EXPECT_THROW(ipa_symbols("\xff"), Error);
}

TEST(MelCache, BuildsResumesAndSkipsBadAudio) {
  test::TempDir d;
  auto utts = test::write_clips(d.path, 3, [](int i) { return test::sine(200 + 100 * i, 0.5 + 0.25 * i, 16000); });
  ASSERT_EQ(utts.size(), 3u);
  Utterance bad;
  bad.id = "bad";
  bad.audio = "bad.wav";
  { std::ofstream(d / "bad.wav") << "not audio"; }
  utts.push_back(bad);
  auto first = build_mel_cache({utts[0], utts[3]}, d.path.string(), d / "cache", 1);
  EXPECT_EQ(first.added, 1u);
  EXPECT_EQ(first.failed, 1u);
  // A half-written clip after the last index line (a kill) is dropped on resume.
  { std::ofstream(d / "cache/mel.f16", std::ios::app | std::ios::binary) << "garbage"; }
  auto second = build_mel_cache(utts, d.path.string(), d / "cache", 2);
  EXPECT_EQ(second.already, 1u);
  EXPECT_EQ(second.added, 2u);
  MelCache cache(d / "cache");
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.has("bad"));
  MelExtractor ex;
  auto want = ex.compute(read_audio(d / "c1.wav").samples);
  auto got = cache.get("c1");
  ASSERT_EQ(cache.frames("c1"), want.frames);
  for (size_t i = 0; i < got.size(); i += 97) EXPECT_NEAR(got[i], want.data[i], 0.02) << i;  // float16
  EXPECT_THROW(cache.get("nope"), Error);

  // Keyed by content, not by id alone: a manifest whose clip c1 has no
  // audio, or whose c2 is now another recording, never reads the old mels.
  std::vector<Utterance> other = {utts[0], utts[1], utts[2]};
  other[1].audio = "";
  ASSERT_TRUE(test::write_audio(d / "c2b.wav", test::sine(900, 1.5, 16000), 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  other[2].audio = "c2b.wav";
  {
    MelCache view(d / "cache", &other, d.path.string());
    EXPECT_TRUE(view.has("c0"));
    EXPECT_FALSE(view.has("c1")) << "a clip with no audio in this manifest";
    EXPECT_FALSE(view.has("c2")) << "another file under the same id";
  }
  auto third = build_mel_cache(other, d.path.string(), d / "cache", 1);
  EXPECT_EQ(third.already, 1u);
  EXPECT_EQ(third.added, 1u);  // c2, from its new file
  MelCache view(d / "cache", &other, d.path.string());
  EXPECT_EQ(view.frames("c2"), ex.compute(read_audio(d / "c2b.wav").samples).frames);
  MelCache original(d / "cache", &utts, d.path.string());
  EXPECT_FALSE(original.has("c2")) << "the last entry for c2 is the new file's";
}

TEST(SpeechEncoder, ShapesGradientsAndRoundTrip) {
  torch::manual_seed(3);
  SpeechEncoderConfig c;
  c.hidden = 64;
  c.layers = 2;
  c.heads = 4;
  c.ff = 128;
  c.phonemes = {"a", "b", "c"};
  c.ctc_classes = 4;
  SpeechEncoder m(c);
  auto [x, len] = pad_mels({std::vector<float>(300 * 80, 0.f), std::vector<float>(170 * 80, 0.f)}, 80);
  x.normal_(-5, 3);
  auto o = m->forward(x, len, true);
  EXPECT_EQ(o.hidden.size(1), 75);
  EXPECT_EQ(o.lengths[1].item<int64_t>(), 43);  // ceil(170 / 4)
  auto lp = m->ctc_log_probs(o);
  auto loss = torch::ctc_loss(lp, torch::tensor({1, 2, 3, 1, 2}), o.lengths, torch::tensor({3, 2}), 0,
                              at::Reduction::Mean, true);
  loss.backward();
  // Guards against the libtorch 1.13 front-end gradient blow-up (speech_encoder.cpp).
  for (const auto& p : m->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    double g = p.value().grad().abs().max().item<double>();
    EXPECT_TRUE(std::isfinite(g) && g < 100) << p.key() << " gradient " << g;
  }
  // Padding must not change a clip's pooled vector.
  m->eval();
  torch::NoGradGuard ng;
  auto alone = SpeechEncoderImpl::mean_pool(m->forward(x.narrow(0, 1, 1).narrow(1, 0, 170), len.narrow(0, 1, 1)));
  auto padded = SpeechEncoderImpl::mean_pool(m->forward(x, len)).narrow(0, 1, 1);
  EXPECT_LT((alone - padded).abs().max().item<float>(), 1e-4);
  test::TempDir d;
  save_speech_encoder(m, d / "enc");
  auto m2 = load_speech_encoder(d / "enc");
  EXPECT_EQ(m2->cfg.phonemes, c.phonemes);
  auto a = SpeechEncoderImpl::mean_pool(m->forward(x, len)), b = SpeechEncoderImpl::mean_pool(m2->forward(x, len));
  EXPECT_LT((a - b).abs().max().item<float>(), 1e-2);  // float16 weights
  // Absurd sizes in config.json are refused by name, before libtorch tries
  // them (a 1e9 hidden size was a raw allocator backtrace, -3 layers a
  // silently layerless encoder, 0 heads a division by zero).
  const auto good = nlohmann::json::parse(read_file(d / "enc/config.json"));
  for (const auto& [field, value] : std::vector<std::pair<std::string, int64_t>>{
           {"hidden_size", 1000000000}, {"num_hidden_layers", -3}, {"num_attention_heads", 0},
           {"intermediate_size", 0}, {"n_mels", 64}}) {
    auto j = good;
    j[field] = value;
    write_file_atomic(d / "enc/config.json", j.dump());
    expect_error_naming([&] { load_speech_encoder(d / "enc"); }, "config.json: " + field + " must be");
  }
}

TEST(Fusion, ConcatAndGatingShapesAndAblations) {
  torch::manual_seed(1);
  for (std::string kind : {"concat", "gating"})
    for (auto [sd, cd, fd] : {std::tuple<int64_t, int64_t, int64_t>{32, 48, 0}, {32, 0, 0}, {0, 48, 0}, {32, 48, 40}, {0, 0, 40}}) {
      FusionConfig c{kind, sd, cd, 24, fd};
      Fusion f(c);
      f->eval();
      auto y = f->forward(torch::randn({5, sd}), torch::randn({5, cd}), torch::randn({5, fd}));
      EXPECT_EQ(y.sizes(), (std::vector<int64_t>{5, 24})) << kind << " " << sd << " " << cd << " " << fd;
    }
  EXPECT_THROW(Fusion(FusionConfig{"concat", 0, 0, 24}), std::exception);
  SpectrogramCnn cnn(8);
  auto [x, len] = pad_mels({std::vector<float>(200 * 80, 1.f), std::vector<float>(90 * 80, 1.f)}, 80);
  x.normal_();
  auto y = cnn->forward(x, len);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, cnn->out_dim()}));
}

TEST(CtcPretrain, AugmentedRunThenInitFromItsWeights) {
  test::TempDir d;
  {
    std::ofstream m(d / "manifest.jsonl");
    for (int i = 0; i < 6; ++i) {
      const std::string id = "u" + std::to_string(i);
      ASSERT_TRUE(test::write_audio(d / (id + ".wav"), test::sine(150 + 60 * i, 1.0, 16000), 16000, 1,
                                    SF_FORMAT_WAV | SF_FORMAT_PCM_16));
      m << R"({"id":")" << id << R"(","lang":"en","text":"x","audio":")" << id << R"(.wav","phonemes":")"
        << (i % 2 ? "ab c" : "ba d") << R"(","split":")" << (i < 4 ? "train" : "validation") << "\"}\n";
    }
  }
  CtcPretrainOptions o;
  o.manifest = d / "manifest.jsonl";
  o.cache_dir = d / "cache";
  o.out_dir = d / "a";
  o.work_dir = d / "work-a";
  o.hidden = 16, o.layers = 1, o.heads = 2, o.ff = 32;
  o.steps = 3, o.batch = 2, o.warmup = 1, o.eval_every = 3, o.threads = 1;
  o.augment = true;
  pretrain_speech_encoder(o);
  // With a learning rate of 0, a run started from "a" must save a's weights.
  CtcPretrainOptions b = o;
  b.out_dir = d / "b";
  b.work_dir = d / "work-b";
  b.init = d / "a";
  b.lr = 0;
  b.steps = 1, b.eval_every = 1;
  b.augment = false;
  pretrain_speech_encoder(b);
  auto ma = load_speech_encoder(d / "a"), mb = load_speech_encoder(d / "b");
  auto pb = mb->named_parameters();
  for (const auto& p : ma->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  // An encoder with other phoneme symbols is refused by name.
  CtcPretrainOptions c = b;
  c.work_dir = d / "work-c";
  c.out_dir = d / "c";
  SpeechEncoderConfig other;
  other.hidden = 16, other.layers = 1, other.heads = 2, other.ff = 32;
  other.phonemes = {"z"};
  other.ctc_classes = 2;
  SpeechEncoder oe(other);
  save_speech_encoder(oe, d / "other");
  c.init = d / "other";
  try {
    pretrain_speech_encoder(c);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("phoneme symbols differ"), std::string::npos) << e.what();
  }
}

TEST(FrameBranch, VectorDoesNotDependOnBatchMatesAndTrains) {
  torch::manual_seed(3);
  FrameBranch fb(20, 16);
  fb->eval();
  auto a = torch::randn({1, 7, 20}), b = torch::randn({1, 30, 20});
  auto alone = fb->forward(a, torch::tensor({7L}));
  auto batch = torch::zeros({2, 30, 20});
  batch[0].narrow(0, 0, 7).copy_(a[0]);
  batch[0].narrow(0, 7, 23).fill_(5.f);  // garbage in the padding must not matter
  batch[1].copy_(b[0]);
  auto both = fb->forward(batch, torch::tensor({7L, 30L}));
  EXPECT_EQ(both.sizes(), (std::vector<int64_t>{2, fb->out_dim()}));
  EXPECT_LT((both[0] - alone[0]).abs().max().item<float>(), 1e-5);
  // One gradient step lowers a simple loss, with finite gradients.
  fb->train();
  torch::optim::SGD opt(fb->parameters(), 0.05);
  auto target = torch::randn({2, fb->out_dim()});
  auto loss0 = (fb->forward(batch, torch::tensor({7L, 30L})) - target).pow(2).mean();
  loss0.backward();
  for (const auto& p : fb->parameters()) EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
  opt.step();
  auto loss1 = (fb->forward(batch, torch::tensor({7L, 30L})) - target).pow(2).mean();
  EXPECT_LT(loss1.item<float>(), loss0.item<float>());
}

TEST(MelAugment, ChangesTempoAndFormantsDeterministically) {
  // A clip with one bright band that moves: frame t lights band t % 80.
  const int F = 80, T = 200;
  std::vector<float> mel(T * F, -5.f);
  for (int t = 0; t < T; ++t) mel[static_cast<size_t>(t * F + t % F)] = 3.f;
  std::mt19937_64 a(7), b(7), c(8);
  auto x = augment_mel(mel, F, a), y = augment_mel(mel, F, b), z = augment_mel(mel, F, c);
  EXPECT_EQ(x, y);  // same seed, same view
  EXPECT_NE(x, z);
  MelAugmentOptions fast;
  fast.tempo_min = fast.tempo_max = 1.25;
  fast.warp_min = fast.warp_max = 1.0;
  fast.noise_prob = 0;
  auto f = augment_mel(mel, F, a, fast);
  ASSERT_EQ(f.size(), static_cast<size_t>(160 * F));  // 200 frames at 1.25x speed
  EXPECT_FLOAT_EQ(f[static_cast<size_t>(4 * F + 5)], 3.f);  // frame 4 is source frame 5
  MelAugmentOptions noisy = fast;
  noisy.tempo_min = noisy.tempo_max = 1.0;
  noisy.noise_prob = 1;
  for (float v : augment_mel(mel, F, a, noisy)) {
    EXPECT_TRUE(std::isfinite(v));
    EXPECT_GT(v, -5.f);  // noise only adds power
  }
  EXPECT_THROW(augment_mel(std::vector<float>(81, 0.f), F, a), std::invalid_argument);
}

TEST(MelAugment, ChannelViewsAddARoomTailAndEmptyTheBandsAboveATelephoneCut) {
  // One loud frame (10) in silence (-5): the tail keeps the frames after it
  // above the silence and decaying; the band limit empties every band centred
  // above 4 kHz (HTK mel: bins 61-79 of 80) and keeps those below.
  const int F = 80, T = 60;
  std::vector<float> mel(T * F, -5.f);
  for (int f = 0; f < F; ++f) mel[static_cast<size_t>(10 * F + f)] = 10.f;
  MelAugmentOptions still;  // no tempo, warp or noise: only the channel
  still.tempo_min = still.tempo_max = still.warp_min = still.warp_max = 1.0;
  still.noise_prob = 0;
  MelAugmentOptions room = still;
  room.reverb_prob = 1;
  room.rt60_min = room.rt60_max = 0.3;
  std::mt19937_64 a(3);
  auto r = augment_mel(mel, F, a, room);
  ASSERT_EQ(r.size(), mel.size());
  EXPECT_GT(r[11 * F], r[20 * F]);  // the tail decays
  EXPECT_GT(r[20 * F], r[9 * F] + 1);  // and is heard well above the silence before the sound
  EXPECT_NEAR(r[59 * F], r[9 * F], 0.1);  // until it has died away
  MelAugmentOptions phone = still;
  phone.band_prob = 1;
  phone.band_hz_min = phone.band_hz_max = 4000;
  auto p = augment_mel(mel, F, a, phone);
  const float empty = 10.f - static_cast<float>(9 * std::log(10.0));
  EXPECT_FLOAT_EQ(p[10 * F + 60], 10.f);
  EXPECT_FLOAT_EQ(p[10 * F + 61], empty);
  EXPECT_FLOAT_EQ(p[0 * F + 79], empty);
  // Off by default: the same seed gives the views it gave before.
  std::mt19937_64 b(9), c(9);
  EXPECT_EQ(augment_mel(mel, F, b), augment_mel(mel, F, c, MelAugmentOptions{}));
}

TEST(RetrievalMetrics, RanksAndProtocols) {
  // 3 candidates in 2-D; queries pick gold 0, 1, 2 with known ranks.
  std::vector<float> c = {1, 0, 0, 1, 0.7f, 0.7f};
  std::vector<float> q = {1, 0.1f, 0, 1, 1, 0};
  auto r = ranks_hard(q, c, 2, {0, 1, 2});
  EXPECT_EQ(r, (std::vector<size_t>{1, 1, 2}));
  auto m = RetrievalMetrics::from_ranks(r);
  EXPECT_NEAR(m.hits1, 2.0 / 3, 1e-9);
  EXPECT_NEAR(m.mrr, (1 + 1 + 0.5) / 3, 1e-9);
  EXPECT_NEAR(m.mean_rank, 4.0 / 3, 1e-9);
  // Soft with every other candidate drawn equals hard; with none, rank 1.
  EXPECT_EQ(ranks_soft(q, c, 2, {0, 1, 2}, 2, 7), r);
  EXPECT_EQ(ranks_soft(q, c, 2, {0, 1, 2}, 0, 7), (std::vector<size_t>{1, 1, 1}));
  EXPECT_THROW(ranks_hard(q, c, 2, {0, 5, 1}), std::invalid_argument);
}

TEST(FrameAugment, ResamplesRateMasksAndKeepsPaddingZero) {
  // Frame t of clip b holds the value t + 1 in every dimension, so each
  // output frame shows which source frame it read.
  const int64_t T = 40;
  auto frames = (torch::arange(T, torch::kFloat) + 1).view({1, T, 1}).expand({2, T, 3}).clone();
  auto lengths = torch::tensor(std::vector<int64_t>{40, 25});
  frames[1].narrow(0, 25, 15).zero_();
  auto [a, la] = augment_frames(frames, lengths, 7);
  auto [b, lb] = augment_frames(frames, lengths, 7);
  EXPECT_TRUE(torch::equal(a, b));  // deterministic for a seed
  EXPECT_TRUE(torch::equal(la, lb));
  FrameAugmentOptions o;
  for (int64_t k = 0; k < 2; ++k) {
    const int64_t L = lengths[k].item<int64_t>(), out = la[k].item<int64_t>();
    EXPECT_GE(out, static_cast<int64_t>(L / o.rate_max) - 1);
    EXPECT_LE(out, static_cast<int64_t>(L / o.rate_min) + 1);
    auto v = a[k].select(1, 0);
    int64_t masked = 0, last = 0;
    for (int64_t t = 0; t < out; ++t) {
      const auto x = static_cast<int64_t>(v[t].item<float>());
      if (x == 0) { ++masked; continue; }
      EXPECT_GE(x, last) << "frames stay in order";
      EXPECT_LE(x, L) << "never reads padding";
      last = x;
    }
    EXPECT_LE(masked, static_cast<int64_t>(o.masks * o.mask_fraction * static_cast<double>(out)) + 1);
    EXPECT_EQ(a[k].narrow(0, out, a.size(1) - out).abs().sum().item<float>(), 0.0f);
  }
  auto [c, lc] = augment_frames(frames, lengths, 8);
  EXPECT_FALSE(torch::equal(la, lc) && torch::equal(a, c)) << "another seed gives another view";
}

TEST(FrameAugment, DropoutZeroesAboutPOfFeaturesScalesTheRestAndIsSeeded) {
  auto frames = torch::ones({4, 50, 32});
  frames[3].narrow(0, 20, 30).zero_();  // padding of a shorter clip
  auto a = drop_frame_features(frames, 0.25, 11), b = drop_frame_features(frames, 0.25, 11);
  EXPECT_TRUE(torch::equal(a, b));  // deterministic for a seed
  EXPECT_FALSE(torch::equal(a, drop_frame_features(frames, 0.25, 12)));
  auto valid = a.narrow(0, 0, 3);
  const double zero_share = valid.eq(0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(zero_share, 0.25, 0.03);
  // Kept features are scaled so the expected value is unchanged.
  EXPECT_TRUE(torch::allclose(valid.masked_select(valid.ne(0)), torch::full({1}, 1.0 / 0.75)));
  EXPECT_EQ(a[3].narrow(0, 20, 30).abs().sum().item<float>(), 0.0f) << "padding stays zero";
  EXPECT_TRUE(torch::equal(drop_frame_features(frames, 0.0, 11), frames));
  EXPECT_THROW(drop_frame_features(frames, 1.0, 11), std::invalid_argument);
}

TEST(EpochOrder, ShufflesAllOrBalancesLanguagesWithAFreshDrawEachEpoch) {
  std::vector<size_t> items(14);
  for (size_t i = 0; i < items.size(); ++i) items[i] = i + 100;
  auto name = [](size_t i) { return "clip" + std::to_string(i); };
  auto lang = [](size_t i) { return std::string(i < 110 ? "en" : "es"); };
  EpochOrder all(items, name);
  ASSERT_EQ(all.size(), 14u);
  auto e0 = all.order(1, 0);
  EXPECT_EQ(e0, all.order(1, 0)) << "deterministic";
  EXPECT_NE(e0, all.order(1, 1)) << "a new shuffle each epoch";
  auto sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, items);

  EpochOrder bal(items, name, lang);
  ASSERT_EQ(bal.size(), 8u);  // 4 Spanish items, so 4 of each language
  std::set<size_t> english_seen;
  for (int64_t epoch = 0; epoch < 6; ++epoch) {
    auto o = bal.order(1, epoch);
    ASSERT_EQ(o.size(), 8u);
    EXPECT_EQ(o, bal.order(1, epoch));
    size_t en = 0;
    for (size_t i : o) {
      if (lang(i) == "en") english_seen.insert(i), ++en;
    }
    EXPECT_EQ(en, 4u) << "epoch " << epoch;
    EXPECT_EQ(std::set<size_t>(o.begin(), o.end()).size(), 8u) << "no item twice in an epoch";
  }
  EXPECT_GT(english_seen.size(), 6u) << "each epoch draws other English items";
}

TEST(PhoneNoise, EditsAtTheDrawnRateWithValidIdsAndIsSeeded) {
  const int64_t B = 200, L = 120, classes = 10;
  auto tok = torch::randint(1, classes, {B, L}, torch::kLong);
  auto len = torch::full({B}, L, torch::kLong);
  len[0] = 7;
  tok[0].narrow(0, 7, L - 7).zero_();
  auto [a, alen] = corrupt_phones(tok, len, 0.6, classes, 9);
  auto [b, blen] = corrupt_phones(tok, len, 0.6, classes, 9);
  EXPECT_TRUE(torch::equal(a, b) && torch::equal(alen, blen)) << "same seed, same errors";
  EXPECT_FALSE(torch::equal(std::get<0>(corrupt_phones(tok, len, 0.6, classes, 10)).narrow(1, 0, 5), a.narrow(1, 0, 5)));
  // Rates drawn from U(0, 0.6): on average 0.3 of the tokens edited (a
  // substitute equal to the original, 1 in 27 edits, costs nothing).
  double errors = 0, words = 0;
  for (int64_t r = 0; r < B; ++r) {
    const int64_t n = len[r].item<int64_t>(), m = alen[r].item<int64_t>();
    ASSERT_GE(m, 1);
    auto got = a[r].narrow(0, 0, m);
    EXPECT_GE(got.min().item<int64_t>(), 1) << "no blanks inside a sequence";
    EXPECT_LT(got.max().item<int64_t>(), classes);
    EXPECT_EQ(a[r].narrow(0, m, a.size(1) - m).abs().sum().item<int64_t>(), 0) << "padding stays zero";
    std::vector<int64_t> ref(tok[r].data_ptr<int64_t>(), tok[r].data_ptr<int64_t>() + n),
        hyp(got.data_ptr<int64_t>(), got.data_ptr<int64_t>() + m);
    errors += (1.0 - phoneme_similarity(ref, hyp)) * static_cast<double>(std::max(n, m));
    words += static_cast<double>(n);
  }
  EXPECT_NEAR(errors / words, 0.29, 0.05);
  auto [c, clen] = corrupt_phones(tok, len, 0.0, classes, 9);
  EXPECT_TRUE(torch::equal(clen, len) && torch::equal(c, tok)) << "rate 0 changes nothing";
  EXPECT_THROW(corrupt_phones(tok, len, 1.0, classes, 9), Error);
}

TEST(PhoneBranch, ReadsGreedyCtcPhonemesOfTheValidFrames) {
  torch::manual_seed(6);
  SpeechEncoderConfig sc = tiny_encoder({"a", "b", "c"});
  ClaspModelConfig mc = tiny_frame_model();
  mc.use_speech = false;
  mc.frame_inputs = "phones";
  mc.phone_dim = 8;
  ClaspAudioModel m(mc, SpeechEncoder(sc));
  {  // the CTC head reads class k off hidden dimension k
    torch::NoGradGuard ng;
    m->speech->ctc_head->weight.zero_();
    m->speech->ctc_head->bias.zero_();
    for (int64_t k = 0; k < 4; ++k) m->speech->ctc_head->weight[k][k] = 1;
  }
  // Frame classes: blank a a blank b b c a | padding c ; all blank.
  const std::vector<int64_t> clip0{0, 1, 1, 0, 2, 2, 3, 1, 3}, clip1{0, 0, 0, 3, 3, 3, 3, 3, 3};
  auto h = torch::zeros({2, 9, 16});
  for (int64_t t = 0; t < 9; ++t) {
    h[0][t][clip0[static_cast<size_t>(t)]] = 1;
    h[1][t][clip1[static_cast<size_t>(t)]] = 1;
  }
  auto len = torch::tensor(std::vector<int64_t>{8, 3});
  auto [tok, tok_len] = m->phones_of(h, len);
  EXPECT_EQ(tok_len[0].item<int64_t>(), 4);
  EXPECT_TRUE(torch::equal(tok[0], torch::tensor(std::vector<int64_t>{1, 2, 3, 1})));
  EXPECT_EQ(tok_len[1].item<int64_t>(), 1) << "no phoneme: one blank token";
  EXPECT_EQ(tok[1][0].item<int64_t>(), 0);
  // embed() decodes the frames itself, or takes given phonemes.
  SpeechFeatures f;
  f.frames = h;
  f.frame_lengths = len;
  m->eval();
  auto e = m->embed(f, torch::zeros({2, 1, 80}), torch::ones({2}, torch::kLong));
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2, 8}));
  EXPECT_TRUE(torch::allclose(e.norm(2, 1), torch::ones({2}), 1e-4, 1e-4));
  f.phones = tok;
  f.phone_lengths = tok_len;
  EXPECT_TRUE(torch::allclose(m->embed(f, torch::zeros({2, 1, 80}), torch::ones({2}, torch::kLong)), e));
  // What a frame carries beyond its best class does not reach the branch.
  f = SpeechFeatures{};
  f.frames = h * 3 + 0.1 * torch::rand({2, 9, 16});
  f.frame_lengths = len;
  EXPECT_TRUE(torch::allclose(m->embed(f, torch::zeros({2, 1, 80}), torch::ones({2}, torch::kLong)), e, 1e-5, 1e-5));
  // The setting round-trips through clasp.json; an encoder without a CTC head is refused.
  test::TempDir d;
  write_file_atomic(d / "clasp.json", m->cfg.to_json());
  auto back = ClaspModelConfig::from_json_file(d / "clasp.json");
  EXPECT_EQ(back.frame_inputs, "phones");
  EXPECT_EQ(back.phone_dim, 8);
  sc.ctc_classes = 0;
  EXPECT_THROW(ClaspAudioModel(mc, SpeechEncoder(sc)), Error);
}

TEST(ClaspEnsemble, MembersShareTheEncoderAndTheirVectorsAreSummed) {
  torch::manual_seed(8);
  test::TempDir d;
  SpeechEncoderConfig sc = tiny_encoder({"a", "b", "c"});
  SpeechEncoder enc(sc);
  save_speech_encoder(enc, d / "speech");
  ClaspModelConfig frames_cfg = tiny_frame_model();
  frames_cfg.speech_encoder = "../speech";
  frames_cfg.text_encoder = "../text";
  ClaspModelConfig phones_cfg = frames_cfg;
  phones_cfg.use_speech = false;
  phones_cfg.frame_inputs = "phones";
  phones_cfg.phone_dim = 8;
  phones_cfg.speech_encoder = "../../speech";
  phones_cfg.text_encoder = "../../text";
  ClaspAudioModel primary(frames_cfg, load_speech_encoder(d / "speech")), member(phones_cfg, load_speech_encoder(d / "speech"));
  save_clasp_model(primary, d / "primary");
  save_clasp_model(member, d / "primary/phones");
  auto j = nlohmann::json::parse(read_file(d / "primary/clasp.json"));
  EXPECT_FALSE(j.contains("ensemble")) << "no ensemble, no field";
  j["ensemble"] = {"phones"};
  write_file_atomic(d / "primary/clasp.json", j.dump());

  auto ens = load_clasp_model(d / "primary");
  ASSERT_EQ(ens->members.size(), 1u);
  EXPECT_EQ(ens->members[0]->speech.get(), ens->speech.get()) << "one encoder for all";
  auto alone = load_clasp_model(d / "primary/phones");
  auto [x, len] = pad_mels({std::vector<float>(120 * 80, 0.f), std::vector<float>(70 * 80, 0.f)}, 80);
  x.normal_(-5, 3);
  torch::NoGradGuard ng;
  auto f = ens->speech_features(x, len);
  ASSERT_TRUE(f.frames.defined());
  auto a = ens->embed(f, x, len);
  // The primary alone (members set aside) and the member alone.
  auto members = ens->members;
  ens->members.clear();
  auto p = ens->embed(f, x, len);
  ens->members = members;
  auto q = alone->embed(alone->speech_features(x, len), x, len);
  auto want = torch::nn::functional::normalize(p + q, torch::nn::functional::NormalizeFuncOptions().dim(1));
  EXPECT_TRUE(torch::allclose(a, want, 1e-5, 1e-5));
  EXPECT_FALSE(torch::allclose(a, p, 1e-3, 1e-3));

  // A member on another speech encoder, or a missing one, is refused by name.
  save_speech_encoder(enc, d / "speech2");
  auto mj = nlohmann::json::parse(read_file(d / "primary/phones/clasp.json"));
  mj["speech_encoder"] = "../../speech2";
  write_file_atomic(d / "primary/phones/clasp.json", mj.dump());
  expect_error_naming([&] { load_clasp_model(d / "primary"); }, "speech and text encoders");
  j["ensemble"] = {"nowhere"};
  write_file_atomic(d / "primary/clasp.json", j.dump());
  expect_error_naming([&] { load_clasp_model(d / "primary"); }, "nowhere");
  j["ensemble"] = {"."};  // itself: refused, not an endless recursion
  write_file_atomic(d / "primary/clasp.json", j.dump());
  expect_error_naming([&] { load_clasp_model(d / "primary"); }, "the model contains itself");
}

TEST(FrameNorm, UtteranceNormRemovesWhatIsConstantThroughAClip) {
  torch::manual_seed(5);
  SpeechEncoderConfig sc = tiny_encoder({"a", "b"});
  ClaspModelConfig mc = tiny_frame_model();
  mc.frame_norm = "utterance";
  ClaspAudioModel m(mc, SpeechEncoder(sc));
  auto h = torch::randn({2, 9, 16});
  auto len = torch::tensor(std::vector<int64_t>{9, 6});
  h[1].narrow(0, 6, 3).zero_();
  auto shift = torch::randn({2, 1, 16}) * 5;  // a per-clip offset, like a voice
  auto a = m->frame_inputs(h, len).narrow(2, 0, 16), b = m->frame_inputs(h + shift, len).narrow(2, 0, 16);
  EXPECT_TRUE(torch::allclose(a, b, 1e-3, 1e-3));
  EXPECT_EQ(a[1].narrow(0, 6, 3).abs().sum().item<float>(), 0.0f);  // padding stays zero
  // Each dimension has mean 0 and variance 1 over a clip's frames.
  EXPECT_TRUE(torch::allclose(a[0].mean(0), torch::zeros({16}), 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(a[0].var(0, false), torch::ones({16}), 1e-2, 1e-2));
  // Without it the offset passes through.
  mc.frame_norm = "none";
  ClaspAudioModel plain(mc, SpeechEncoder(sc));
  EXPECT_FALSE(torch::allclose(plain->frame_inputs(h, len).narrow(2, 0, 16),
                               plain->frame_inputs(h + shift, len).narrow(2, 0, 16), 1e-3, 1e-3));
  // The setting round-trips through clasp.json, and a bad value is refused by name.
  test::TempDir d;
  write_file_atomic(d / "clasp.json", nlohmann::json::parse(m->cfg.to_json()).dump());
  EXPECT_EQ(ClaspModelConfig::from_json_file(d / "clasp.json").frame_norm, "utterance");
  auto j = nlohmann::json::parse(m->cfg.to_json());
  j["frame_norm"] = "speaker";
  write_file_atomic(d / "bad.json", j.dump());
  try {
    ClaspModelConfig::from_json_file(d / "bad.json");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("frame_norm"), std::string::npos) << e.what();
  }
}

// A tiny CLASP training run end to end: frozen features, translation
// targets, frame dropout, checkpoints, resume and determinism.
TEST(ClaspTrain, DeterministicResumableWithTranslationTargets) {
  test::TempDir d;
  {
    std::ofstream m(d / "manifest.jsonl");
    const char* en[] = {"the cat sat", "a dog ran home", "rain fell all day", "we sang a song", "the sun is hot",
                        "ships sail at dawn"};
    const char* es[] = {"el gato se sento", "un perro corrio a casa", "llovio todo el dia", "cantamos una cancion",
                        "el sol quema", "los barcos zarpan al alba"};
    for (int s = 0; s < 6; ++s)
      for (int l = 0; l < 2; ++l) {
        const std::string src = "s" + std::to_string(s), id = l ? src + ".es" : src;
        ASSERT_TRUE(test::write_audio(d / (id + ".wav"), test::sine(120 + 40 * s + 13 * l, 0.6 + 0.1 * s, 16000),
                                      16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
        m << R"({"id":")" << id << R"(","lang":")" << (l ? "es" : "en") << R"(","text":")" << (l ? es[s] : en[s])
          << R"(","audio":")" << id << R"(.wav","engine":"espeak")" << (l ? R"(,"source_id":")" + src + "\"" : "")
          << R"(,"split":")" << (s < 4 ? "train" : "validation") << "\"}\n";
      }
  }
  torch::manual_seed(11);
  SpeechEncoderConfig sc = tiny_encoder({"a", "b"});
  SpeechEncoder se(sc);
  save_speech_encoder(se, d / "speech");
  ClaspTrainOptions o;
  o.manifest = d / "manifest.jsonl";
  o.cache_dir = d / "cache";
  o.speech_encoder = d / "speech";
  o.text_encoder = std::string(CLASP_SOURCE_DIR) + "/models/text-default";
  o.use_spectrogram = false;
  o.use_frames = true;
  o.frame_width = 16;
  o.steps = 4, o.batch = 4, o.warmup = 1, o.eval_every = 2, o.threads = 1;
  o.translation_targets = 0.5;
  o.frame_dropout = 0.1;
  auto run = [&](const std::string& name, int steps) {
    ClaspTrainOptions r = o;
    r.out_dir = d / name;
    r.work_dir = d / ("work-" + name);
    r.steps = steps;
    train_clasp(r);
    return r;
  };
  auto params = [](const std::string& dir) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : load_clasp_model(dir, true)->named_parameters()) out[p.key()] = p.value().clone();
    return out;
  };
  run("a", 4);
  run("b", 4);
  auto pa = params(d / "a"), pb = params(d / "b");
  ASSERT_FALSE(pa.empty());
  for (const auto& [k, v] : pa) EXPECT_TRUE(torch::equal(v, pb.at(k))) << "same seed, same weights: " << k;
  // Killed after the step-2 checkpoint, then run again: it resumes at step 2
  // and logs one evaluation per checkpoint.
  run("c", 2);
  run("c", 4);
  std::ifstream metrics(d / "work-c/metrics.jsonl");
  std::vector<int> steps;
  for (std::string line; std::getline(metrics, line);) steps.push_back(nlohmann::json::parse(line).at("step").get<int>());
  EXPECT_EQ(steps, (std::vector<int>{2, 4}));
  EXPECT_TRUE(std::filesystem::exists(d / "c/clasp.json"));
  auto pc = params(d / "c");
  for (const auto& [k, v] : pa) EXPECT_TRUE(torch::equal(v, pc.at(k))) << "a resumed run ends where a straight one does: " << k;
  // --init: a run starts from another model's weights (with lr 0 it keeps
  // them; without --init it would keep its random start instead).
  {
    ClaspTrainOptions still = o;
    still.lr = 0;
    still.init = d / "a";
    still.out_dir = d / "from-a";
    still.work_dir = d / "work-from-a";
    still.steps = 2;
    train_clasp(still);
    auto pi = params(d / "from-a");
    for (const auto& [k, v] : pa)
      if (k != "logit_scale") EXPECT_TRUE(torch::allclose(v, pi.at(k), 0, 1e-3)) << "init weights kept: " << k;
    still.init = "";
    still.out_dir = d / "from-scratch";
    still.work_dir = d / "work-from-scratch";
    train_clasp(still);
    auto ps = params(d / "from-scratch");
    size_t differ = 0;
    for (const auto& [k, v] : pa) differ += k != "logit_scale" && !torch::allclose(v, ps.at(k), 0, 1e-3);
    EXPECT_GT(differ, 0u) << "without --init the run keeps its own random start";
    still.init = d / "nowhere";
    still.out_dir = d / "from-nowhere";
    still.work_dir = d / "work-from-nowhere";
    try {
      train_clasp(still);
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("init: " + (d / "nowhere") + " is not a CLASP model"), std::string::npos)
          << e.what();
    }
  }
  // A bad option is refused by name.
  auto expect_refused = [&](const std::string& name, const std::string& field) {
    try {
      run(name, 4);
      ADD_FAILURE() << "expected an error naming " << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  o.translation_targets = 1.5;
  expect_refused("bad", "translation_targets");
  o.translation_targets = 0.5;
  o.frame_dropout = 1.0;
  expect_refused("bad-dropout", "frame_dropout");
  // The phone branch trains on noisy phoneme sequences, deterministically.
  o.frame_dropout = 0.0;
  o.phone_views = 2;
  expect_refused("bad-views", "phone_views");  // frame_inputs is not "phones"
  o.phone_views = 0;
  o.phone_noise = 0.3;
  expect_refused("bad-noise", "phone_noise");  // frame_inputs is not "phones"
  o.frame_inputs = "phones";
  o.phone_dim = 8;
  run("p1", 2);
  run("p2", 2);
  auto p1 = params(d / "p1"), p2 = params(d / "p2");
  {
    ClaspTrainOptions other = o;  // frame_inputs "phones" now: a's branches differ
    other.init = d / "a";
    other.out_dir = d / "p-from-a";
    other.work_dir = d / "work-p-from-a";
    try {
      train_clasp(other);
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("describes another architecture"), std::string::npos) << e.what();
    }
  }
  ASSERT_TRUE(p1.count("phone_embedding.weight"));
  for (const auto& [k, v] : p1) EXPECT_TRUE(torch::equal(v, p2.at(k))) << k;
  EXPECT_EQ(ClaspModelConfig::from_json_file(d / "p1/clasp.json").frame_inputs, "phones");
  // ... and on the encoder's decodings of random views of the clips.
  o.phone_views = 2;
  run("v1", 2);
  run("v2", 2);
  EXPECT_EQ(load_safetensors(d / "work-v1/phone-views/part-0.safetensors").at("offsets").numel(), 2 * 8 + 1)
      << "two views of each of the 8 training clips";
  auto v1 = params(d / "v1"), v2 = params(d / "v2");
  for (const auto& [k, v] : v1) EXPECT_TRUE(torch::equal(v, v2.at(k))) << k;
  o.phone_view_prob = 1.5;
  expect_refused("bad-view-prob", "phone_view_prob");
  o.phone_view_prob = 0.5;
  o.phone_views = 0;
  // Against its own phoneme-text tower (a phonetic part): deterministic,
  // and it learns which of the training languages a clip is in.
  o.target = "phonemes";
  o.phonetic_dim = 8;
  expect_refused("bad-target", "target \"phonemes\"");  // translation targets are text targets
  o.translation_targets = 0;
  expect_refused("bad-target", "target \"phonemes\"");  // the speech branch is on
  o.use_speech = false;
  run("ph1", 2);
  run("ph2", 2);
  auto ph1 = params(d / "ph1"), ph2 = params(d / "ph2");
  for (const auto& [k, v] : ph1) EXPECT_TRUE(torch::equal(v, ph2.at(k))) << k;
  EXPECT_TRUE(ph1.count("lang_head.weight"));
  EXPECT_TRUE(ph1.count("text_head.weight"));
  auto means = load_safetensors(d / "ph1/model.safetensors").at("lang_means");
  EXPECT_EQ(means.sizes(), (std::vector<int64_t>{2, 8}));
  EXPECT_GT(means.abs().sum().item<float>(), 0.0f) << "each language's mean vector is stored when training ends";
  auto phc = ClaspModelConfig::from_json_file(d / "ph1/clasp.json");
  EXPECT_EQ(phc.target, "phonemes");
  EXPECT_EQ(phc.languages, (std::vector<std::string>{"en", "es"}));
  EXPECT_EQ(phc.out_dim, 8);
  {
    std::ifstream pm(d / "work-ph1/metrics.jsonl");
    std::string line;
    std::getline(pm, line);
    EXPECT_TRUE(nlohmann::json::parse(line).contains("val_language_accuracy")) << line;
  }
  o.target = "text";
  o.use_speech = true;
  o.translation_targets = 0.5;
  // Text-only examples: train-split sentences with phonemes join the clips;
  // validation and test transcripts never do, whatever their split says.
  {
    std::ofstream t(d / "sentences.jsonl");
    t << R"({"id":"x1","lang":"en","split":"train","text":"birds fly south","phonemes":"abba"})" << "\n"
      << R"({"id":"x2","lang":"es","split":"train","text":"los pajaros vuelan","phonemes":"aab"})" << "\n"
      << R"({"id":"x3","lang":"en","split":"train","text":"a cold wind","phonemes":"bab"})" << "\n"
      << R"({"id":"x4","lang":"en","split":"train","text":"the sun is hot","phonemes":"ba"})" << "\n"
      << R"({"id":"x5","lang":"en","split":"validation","text":"snow fell","phonemes":"bb"})" << "\n";
  }
  o.text_phones = d / "sentences.jsonl";
  o.use_speech = true;
  expect_refused("bad-text", "text_phones");  // text-only examples cannot feed the speech branch
  o.use_speech = false;
  o.text_phones.clear();
  run("t0", 2);
  o.text_phones = d / "sentences.jsonl";
  run("t1", 2);
  run("t2", 2);
  EXPECT_EQ(load_safetensors(d / "work-t1/text-phones.safetensors").at("text").size(0), 3);
  auto t0 = params(d / "t0"), t1 = params(d / "t1"), t2 = params(d / "t2");
  for (const auto& [k, v] : t1) EXPECT_TRUE(torch::equal(v, t2.at(k))) << k;
  bool differs = false;
  for (const auto& [k, v] : t1) differs = differs || !torch::equal(v, t0.at(k));
  EXPECT_TRUE(differs) << "the text-only examples changed what was learned";
  o.balance_languages = true;
  expect_refused("bad-balance", "balance_languages");  // text-only examples have no language
  o.text_phones.clear();
  run("bal", 2);
  EXPECT_TRUE(std::filesystem::exists(d / "bal/clasp.json"));
}
