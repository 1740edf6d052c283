#include <nlohmann/json.hpp>
#include <array>
#include <gtest/gtest.h>

#include <fstream>

#include <spdlog/spdlog.h>

#include "test_helpers.h"
#include "util/logging.h"

using clasp::test::run_capture;

namespace {
std::string clasp_cmd(const std::string& args) { return std::string(CLASP_BIN) + " " + args; }
}  // namespace

TEST(Cli, AudioInfoAndMel) {
  clasp::test::TempDir dir;
  std::string wav = dir / "tone.wav";
  ASSERT_TRUE(clasp::test::write_audio(wav, clasp::test::sine(440, 1.0, 22050), 22050, 1,
                                       SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  int rc;
  std::string out = run_capture(clasp_cmd("audio info --json " + wav), &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"sample_rate\":22050"), std::string::npos) << out;
  out = run_capture(clasp_cmd("audio mel " + wav + " -o " + (dir / "m.npy")), &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("101 frames x 80 mels"), std::string::npos) << out;
  std::ifstream npy(dir / "m.npy", std::ios::binary);
  std::string head(10, '\0');
  npy.read(head.data(), 10);
  EXPECT_EQ(head.substr(1, 5), "NUMPY");
}

TEST(Cli, BadInputsGiveClearErrorsAndNonZeroExit) {
  clasp::test::TempDir dir;
  int rc;
  std::string out = run_capture(clasp_cmd("audio info /tmp/clasp-missing.flac"), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("/tmp/clasp-missing.flac: no such file"), std::string::npos) << out;

  out = run_capture(clasp_cmd("data brown --corpus /tmp/clasp-no-corpus -o " + (dir / "b.jsonl")), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("/tmp/clasp-no-corpus"), std::string::npos) << out;

  std::ofstream(dir / "m.jsonl") << R"({"id":"a","text":"hi","lang":"en"})" << "\n";
  out = run_capture(clasp_cmd("data translate -i " + (dir / "m.jsonl") + " --to xx -o " + (dir / "t.jsonl")), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("\"xx\""), std::string::npos) << out;

  out = run_capture(clasp_cmd("data synth -i " + (dir / "nope.jsonl") + " -o " + (dir / "o")), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("nope.jsonl: no such file"), std::string::npos) << out;
}

TEST(Cli, UsageErrorsExitTwoAndSuggestTheNearestName) {
  struct Case {
    std::string args, says;
  };
  const Case cases[] = {
      {"serach hello", "'serach' is not a command of 'clasp'; did you mean 'search'?"},
      {"index ad x", "'ad' is not a command of 'clasp index'; did you mean 'add'?"},
      {"search --indx IX hello", "'--indx' is not an option of 'clasp search'; did you mean '--index'?"},
      {"search hello world", "in quotes"},
      {"search -", "the query is \"-\""},
      {"index", "A subcommand is required"},
      {"search hello -k 0", "-k"},
  };
  for (const auto& c : cases) {
    int rc = 0;
    std::string out = run_capture(clasp_cmd(c.args), &rc);
    EXPECT_EQ(rc, 2) << c.args << "\n" << out;
    EXPECT_NE(out.find(c.says), std::string::npos) << c.args << "\n" << out;
  }
  int rc = 1;
  std::string out = run_capture(clasp_cmd("--help"), &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("2 usage error"), std::string::npos) << out;
  run_capture(clasp_cmd("--version"), &rc);
  EXPECT_EQ(rc, 0);
}

TEST(Cli, BrownTranslateSynthPipeline) {
  clasp::test::TempDir dir;
  int rc;
  std::string out = run_capture(clasp_cmd("data brown -o " + (dir / "brown.jsonl")), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("(15 categories)"), std::string::npos) << out;
  out = run_capture(clasp_cmd("data translate -i " + (dir / "brown.jsonl") + " --to es,it --limit 6 -o " +
                              (dir / "ml.jsonl")),
                    &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("wrote " + (dir / "ml.jsonl") + " (18 utterances)"), std::string::npos) << out;
  out = run_capture(clasp_cmd("data synth -i " + (dir / "ml.jsonl") + " -o " + (dir / "c")), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("18 made now, 0 failed"), std::string::npos) << out;
  EXPECT_NE(out.find("per language: en 6 es 6 it 6"), std::string::npos) << out;
}

// Warnings never reach standard output, where --json answers and tables go.
TEST(Logging, WarningsGoToStderrNotStdout) {
  clasp::log_to_stderr();  // what main() does (also done by this suite's main)
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  spdlog::warn("a warning for the logging test");
  spdlog::default_logger()->flush();
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.find("a warning for the logging test"), std::string::npos) << out;
  EXPECT_NE(err.find("a warning for the logging test"), std::string::npos) << err;
}

TEST(Cli, TextEvalReportsEachTestSource) {
  // Two sources, each with its own languages: one table each, and the JSON
  // keyed by manifest path.
  clasp::test::TempDir dir;
  auto write = [&](const std::string& name, const std::vector<std::array<std::string, 3>>& rows) {
    std::ofstream f(dir / name);
    for (size_t i = 0; i < rows.size(); ++i) {
      const std::string id = name + std::to_string(i);
      f << nlohmann::json({{"id", id}, {"lang", "en"}, {"split", "test"}, {"text", rows[i][0]}}).dump() << "\n";
      f << nlohmann::json({{"id", id + ".x"}, {"lang", rows[i][1]}, {"split", "test"}, {"text", rows[i][2]},
                           {"source_id", id}})
               .dump()
        << "\n";
    }
  };
  write("a.jsonl", {{{"The dog sleeps in the house.", "es", "El perro duerme en la casa."}},
                    {{"My sister buys bread.", "es", "Mi hermana compra pan."}}});
  write("b.jsonl", {{{"The train leaves at noon.", "it", "Il treno parte a mezzogiorno."}},
                    {{"We read a book.", "it", "Leggiamo un libro."}}});
  int rc = -1;
  const std::string out = run_capture(clasp_cmd("text eval -i " + (dir / "a.jsonl") + " -i " + (dir / "b.jsonl") +
                                                " --json " + (dir / "r.json")),
                                      &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find(dir / "a.jsonl"), std::string::npos) << out;
  EXPECT_NE(out.find(dir / "b.jsonl"), std::string::npos) << out;
  auto j = nlohmann::json::parse(std::ifstream(dir / "r.json"));
  EXPECT_EQ(j[dir / "a.jsonl"]["bitext"].count("es"), 1u) << j.dump();
  EXPECT_EQ(j[dir / "a.jsonl"]["bitext"].count("it"), 0u) << j.dump();
  EXPECT_EQ(j[dir / "b.jsonl"]["bitext"]["it"]["candidates"], 2) << j.dump();
}
