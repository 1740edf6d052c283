#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "audio/audio_file.h"
#include "data/manifest.h"
#include "test_helpers.h"
#include "util/fs.h"
#include "tts/phonemize_job.h"
#include "tts/phonemizer.h"
#include "tts/synth_job.h"
#include "tts/voice_catalog.h"
#include "util/error.h"

using namespace clasp;
namespace fs = std::filesystem;

namespace {
const char* kEn[] = {"The jury said it did find that many of the laws are outmoded.",
                     "It recommended that the county take steps to remedy this problem.",
                     "Only a relative handful of such reports was received.",
                     "The mayor said he would veto the bill.", "A new school will open in the fall.",
                     "Nobody expected the storm to last so long."};

std::vector<Utterance> make_utts(int n_en, bool with_spanish) {
  std::vector<Utterance> v;
  for (int i = 0; i < n_en; ++i) {
    Utterance u;
    u.id = "cx" + std::to_string(10 + i) + ".0001";
    u.text = kEn[i % 6];
    u.lang = "en";
    u.split = i % 3 == 0 ? "test" : "train";
    u.category = "news";
    u.doc = u.id.substr(0, 4);
    v.push_back(u);
  }
  if (with_spanish) {
    Utterance u = v[0];
    u.id += ".es";
    u.lang = "es";
    u.text = "El jurado dijo que muchas leyes son anticuadas.";
    v.push_back(u);
  }
  return v;
}

// Synthesis of make_utts(n_en, with Spanish) written to dir/in.jsonl, into dir/out.
SynthOptions synth_options(const test::TempDir& dir, int n_en) {
  write_manifest(dir / "in.jsonl", make_utts(n_en, true));
  SynthOptions opt;
  opt.manifest = dir / "in.jsonl";
  opt.out_dir = dir / "out";
  opt.show_progress = false;
  return opt;
}

size_t count_files(const fs::path& dir, const std::string& needle) {
  size_t n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().string().find(needle) != std::string::npos) ++n;
  return n;
}
}  // namespace

TEST(Voices, EveryEngineAndLanguageSpeaks) {
  // One voice per espeak base language plus every flite and festival voice.
  std::set<std::string> seen_base;
  for (const auto& v : voice_catalog()) {
    std::string base = v.engine == "espeak" ? v.name.substr(0, v.name.find('+')) : v.id;
    if (v.engine == "espeak" && v.name.find("+m3") == std::string::npos && base != "en-us") continue;
    if (!seen_base.insert(base + (base == "en-us" ? v.name : "")).second) continue;
    const char* text = v.lang == "en" ? "Hello there." : v.lang == "it" ? "Buongiorno a tutti." : "Uno dos tres.";
    auto r = synthesize_clip(text, v.lang, {v, 1.0, 50});
    EXPECT_GT(r.samples.size(), 4000u) << v.id;
    EXPECT_FALSE(r.phonemes.empty()) << v.id;
  }
}

TEST(Voices, PhonemesAreIpa) {
  std::string p = phonemize_ipa("the cat", "en");
  EXPECT_NE(p.find("ð"), std::string::npos) << p;
  EXPECT_NE(p.find("æ"), std::string::npos) << p;
  EXPECT_THROW(phonemize_ipa("x", "zz"), Error);
}

TEST(VoiceAssigner, DeterministicAndHoldsOutTestVoices) {
  VoicePolicy p;  // default hold-out: festival voices and espeak f4/m7 variants
  VoiceAssigner a(p, 5), b(p, 5), c(p, 6);
  std::set<std::string> train_voices, test_voices, engines;
  bool seed_matters = false;
  for (int i = 0; i < 400; ++i) {
    std::string id = "u" + std::to_string(i);
    auto va = a.choose(id, "en", "train");
    EXPECT_EQ(va.voice.id, b.choose(id, "en", "train").voice.id);
    EXPECT_DOUBLE_EQ(va.rate, b.choose(id, "en", "train").rate);
    seed_matters |= va.voice.id != c.choose(id, "en", "train").voice.id;
    EXPECT_FALSE(a.is_held_out(va.voice.id)) << va.voice.id;
    EXPECT_GE(va.rate, p.rate_min);
    EXPECT_LE(va.rate, p.rate_max);
    auto vt = a.choose(id, "en", "test");
    EXPECT_TRUE(a.is_held_out(vt.voice.id)) << vt.voice.id;
    train_voices.insert(va.voice.id);
    test_voices.insert(vt.voice.id);
    engines.insert(va.voice.engine);
  }
  EXPECT_TRUE(seed_matters);
  EXPECT_GE(train_voices.size(), 20u);
  EXPECT_EQ(engines, (std::set<std::string>{"espeak", "flite"}));
  for (const auto& v : test_voices) EXPECT_EQ(train_voices.count(v), 0u) << v;
}

TEST(VoiceAssigner, ClearErrors) {
  VoicePolicy p;
  p.engines = {"flite"};
  VoiceAssigner a(p, 1);
  EXPECT_THROW(a.choose("x", "es", "train"), Error);  // flite speaks only English
  p.engines = {"nosuch"};
  EXPECT_THROW(VoiceAssigner(p, 1), Error);
  p.engines = {};
  p.holdout_regex = "([";
  EXPECT_THROW(VoiceAssigner(p, 1), Error);
}

TEST(SynthJob, WritesClipsAndResumes) {
  test::TempDir dir;
  SynthOptions opt = synth_options(dir, 5);
  auto s = run_synth(opt);
  EXPECT_EQ(s.clips, 6u);
  EXPECT_EQ(s.synthesized, 6u);
  EXPECT_EQ(s.failed, 0u);
  auto out = read_manifest(s.manifest_out);
  ASSERT_EQ(out.size(), 6u);
  for (const auto& u : out) {
    Audio a = read_audio(opt.out_dir + "/" + u.audio, {0});
    EXPECT_EQ(a.sample_rate, 16000) << u.id;
    EXPECT_NEAR(a.duration(), u.duration, 1e-3) << u.id;
    EXPECT_GT(u.duration, 1.0) << u.id;
    EXPECT_FALSE(u.phonemes.empty());
    EXPECT_FALSE(u.voice.empty());
  }
  // Nothing left to do on a second run.
  auto s2 = run_synth(opt);
  EXPECT_EQ(s2.already_done, 6u);
  EXPECT_EQ(s2.synthesized, 0u);
  // A lost clip and a stray half-written file: only the lost clip is redone.
  fs::remove(opt.out_dir + "/" + out[2].audio);
  std::ofstream(opt.out_dir + "/" + out[3].audio + ".part.999") << "junk";
  auto s3 = run_synth(opt);
  EXPECT_EQ(s3.synthesized, 1u);
  EXPECT_EQ(s3.already_done, 5u);
  EXPECT_EQ(count_files(opt.out_dir, ".part."), 0u);
}

// Extra renderings of the training sentences only (docs/corpus.md, flite-extra).
TEST(SynthJob, SplitAndLanguageFiltersWithSeveralVoicesPerSentence) {
  test::TempDir dir;
  SynthOptions opt = synth_options(dir, 4);  // en: test, train, train, test; es: test
  opt.policy.engines = {"flite"};
  opt.langs = {"en"};
  opt.splits = {"train"};
  opt.voices_per_utt = 2;
  auto s = run_synth(opt);
  EXPECT_EQ(s.clips, 4u);
  EXPECT_EQ(s.failed, 0u);
  auto out = read_manifest(s.manifest_out);
  std::vector<std::string> ids;
  for (const auto& u : out) {
    ids.push_back(u.id);
    EXPECT_EQ(u.split, "train") << u.id;
    EXPECT_EQ(u.engine, "flite") << u.id;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"cx11.0001.v0", "cx11.0001.v1", "cx12.0001.v0", "cx12.0001.v1"}));
  opt.splits = {"tain"};
  try {
    run_synth(opt);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"tain\""), std::string::npos) << e.what();
  }
}

// More espeak-ng voices for training (docs/corpus.md, espeak-extra): other
// variants, and an id suffix so the clips can join a corpus with these sentences.
TEST(SynthJob, OtherEspeakVariantsAndAnIdSuffix) {
  test::TempDir dir;
  SynthOptions opt = synth_options(dir, 4);
  opt.policy.engines = {"espeak"};
  opt.policy.espeak_variants = {"klatt3", "Alex"};
  opt.langs = {"en"};
  opt.splits = {"train"};
  opt.voices_per_utt = 2;
  opt.id_suffix = ".esp";
  auto s = run_synth(opt);
  EXPECT_EQ(s.failed, 0u);
  std::vector<std::string> ids;
  for (const auto& u : read_manifest(s.manifest_out)) {
    ids.push_back(u.id);
    const std::string var = u.voice.substr(u.voice.find('+') + 1);
    EXPECT_TRUE(var == "klatt3" || var == "Alex") << u.voice;
    EXPECT_TRUE(fs::exists(opt.out_dir + "/" + u.audio)) << u.audio;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"cx11.0001.esp.v0", "cx11.0001.esp.v1", "cx12.0001.esp.v0",
                                           "cx12.0001.esp.v1"}));
  auto refused = [&](SynthOptions o, const std::string& field) {
    try {
      run_synth(o);
      ADD_FAILURE() << "expected an error naming " << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  SynthOptions bad = opt;
  bad.policy.espeak_variants = {"klatt3", "nosuchvariant"};  // espeak-ng would quietly use its default voice
  refused(bad, "--espeak-variants");
  bad = opt;
  bad.id_suffix = "/x";
  refused(bad, "--id-suffix");
}

TEST(SynthJob, UnspeakableLanguageIsRecordedNotDropped) {
  test::TempDir dir;
  auto utts = make_utts(1, false);
  Utterance gl = utts[0];
  gl.id += ".gl";
  gl.lang = "gl";
  gl.text = "O xurado dixo.";
  utts.push_back(gl);
  write_manifest(dir / "in.jsonl", utts);
  SynthOptions opt;
  opt.manifest = dir / "in.jsonl";
  opt.out_dir = dir / "out";
  opt.show_progress = false;
  auto s = run_synth(opt);
  EXPECT_EQ(s.synthesized, 1u);
  EXPECT_EQ(s.failed, 1u);
  auto failed = read_manifest(s.failures_out);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, gl.id);
  EXPECT_NE(failed[0].error.find("\"gl\""), std::string::npos) << failed[0].error;
}

TEST(SynthJob, KilledRunResumesToACompleteCorpus) {
  test::TempDir dir;
  const int n = 60;
  write_manifest(dir / "in.jsonl", make_utts(n, false));
  std::string out_dir = dir / "out";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    freopen("/dev/null", "w", stderr);
    freopen("/dev/null", "w", stdout);
    execl(CLASP_BIN, CLASP_BIN, "data", "synth", "-i", (dir / "in.jsonl").c_str(), "-o", out_dir.c_str(),
          "--engines", "espeak,flite", "--holdout-voices", "", nullptr);
    _exit(127);
  }
  // Kill the whole process group (parent and workers) mid-run.
  for (int i = 0; i < 300 && count_files(fs::path(out_dir) / "audio", ".wav") < 8; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  size_t before = count_files(fs::path(out_dir) / "audio", ".wav");
  ASSERT_GT(before, 0u);
  ASSERT_FALSE(fs::exists(out_dir + "/manifest.jsonl")) << "the killed run finished too fast to test";

  int rc = 0;
  std::string log = test::run_capture(std::string(CLASP_BIN) + " data synth -i " + (dir / "in.jsonl") + " -o " +
                                          out_dir + " --engines espeak,flite --holdout-voices ''",
                                      &rc);
  ASSERT_EQ(rc, 0) << log;
  auto out = read_manifest(out_dir + "/manifest.jsonl");
  EXPECT_EQ(out.size(), static_cast<size_t>(n)) << log;
  for (const auto& u : out) EXPECT_NO_THROW(read_audio(out_dir + "/" + u.audio)) << u.id;
  EXPECT_EQ(count_files(out_dir, ".part."), 0u);
  EXPECT_NE(log.find("done earlier"), std::string::npos);
}

TEST(Phonemize, KeepsSplitsReusesMatchingPhonemesAndResumes) {
  test::TempDir d;
  auto utts = make_utts(6, true);  // train: 1, 2, 4, 5; test: 0, 3 and the Spanish one
  Utterance nolang = utts[1];
  nolang.id += ".zz";
  nolang.lang = "zz";  // no espeak-ng voice: left out and counted, not fatal
  utts.push_back(nolang);
  write_manifest(d / "in.jsonl", utts);
  auto reuse = utts;
  reuse[1].phonemes = "REUSED";              // same id and text: reused
  reuse[2].phonemes = "STALE";
  reuse[2].text = "Another sentence.";       // text changed since: phonemized anew
  write_manifest(d / "reuse.jsonl", reuse);
  // A killed run left one finished line and one cut in half.
  Utterance done = utts[4];
  done.phonemes = "FROM-THE-KILLED-RUN";
  {
    std::ofstream partial(d / "out.jsonl.partial");
    partial << utterance_to_json(done) << "\n" << utterance_to_json(utts[5]).substr(0, 20);
  }
  PhonemizeOptions o;
  o.in = d / "in.jsonl";
  o.out = d / "out.jsonl";
  o.splits = {"train"};
  o.reuse = {d / "reuse.jsonl"};
  EXPECT_EQ(run_phonemize(o), 4u);
  EXPECT_FALSE(fs::exists(d / "out.jsonl.partial"));
  std::map<std::string, std::string> got;
  for (const auto& u : read_manifest(d / "out.jsonl")) {
    EXPECT_EQ(u.split, "train") << u.id;
    got[u.id] = u.phonemes;
  }
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[utts[1].id], "REUSED");
  EXPECT_EQ(got[utts[2].id], phonemize_ipa(utts[2].text, "en"));
  EXPECT_EQ(got[utts[4].id], "FROM-THE-KILLED-RUN") << "finished lines are not redone";
  EXPECT_EQ(got[utts[5].id], phonemize_ipa(utts[5].text, "en")) << "the cut line is redone";
  o.splits = {"dev"};
  EXPECT_THROW(run_phonemize(o), Error);
}

// An id or language that would leave --out-dir is refused before anything is written.
TEST(SynthJob, RefusesIdsThatAreNotFileNames) {
  for (const std::string bad_id : {"../../../escaped", "a/b", ".hidden", ""}) {
    test::TempDir dir;
    auto utts = make_utts(1, false);
    utts[0].id = bad_id;
    write_manifest(dir / "in.jsonl", utts);
    SynthOptions opt;
    opt.manifest = dir / "in.jsonl";
    opt.out_dir = dir / "deep/er/out";
    opt.show_progress = false;
    try {
      run_synth(opt);
      ADD_FAILURE() << "expected an error for id \"" << bad_id << "\"";
    } catch (const Error& e) {
      if (!bad_id.empty())  // an empty id is refused by the manifest reader already
        EXPECT_NE(std::string(e.what()).find("cannot be a file name"), std::string::npos) << e.what();
    }
    EXPECT_EQ(count_files(dir.path, ".wav"), 0u) << bad_id;
  }
  EXPECT_THROW(require_path_component("..", "id"), Error);
  EXPECT_NO_THROW(require_path_component("ca01.0009.v1", "id"));
}
