#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <limits>

#include "audio/audio_file.h"
#include "audio/resample.h"
#include "audio/wav_writer.h"
#include "test_helpers.h"
#include "util/fs.h"
#include "util/error.h"

using namespace clasp;

namespace {
std::vector<float> stereo(const std::vector<float>& l, const std::vector<float>& r) {
  std::vector<float> x(l.size() * 2);
  for (size_t i = 0; i < l.size(); ++i) {
    x[2 * i] = l[i];
    x[2 * i + 1] = r[i];
  }
  return x;
}

// Expects read_audio(path) to throw an Error naming the path and containing `what`.
void expect_error(const std::string& path, const std::string& what) {
  try {
    read_audio(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  }
}
}  // namespace

TEST(Resample, PreservesDurationAndPitch) {
  for (int rate : {8000, 22050, 44100, 48000}) {
    auto x = test::sine(440, 2.0, rate);
    auto y = resample(x, rate, 16000);
    EXPECT_EQ(y.size(), 32000u) << rate;
    EXPECT_NEAR(test::zero_crossing_hz(y, 16000), 440.0, 1.0) << rate;
  }
}

TEST(Resample, RejectsBadRates) { EXPECT_THROW(resample({0.1f}, 0, 16000), Error); }

struct FormatCase {
  const char* ext;
  int format;
  int rate;
};

class ReadFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(ReadFormats, DecodesDownmixesAndResamples) {
  auto c = GetParam();
  test::TempDir dir;
  std::string path = dir / (std::string("tone.") + c.ext);
  auto tone = test::sine(440, 1.5, c.rate, 0.4f);
  if (!test::write_audio(path, stereo(tone, tone), c.rate, 2, c.format))
    GTEST_SKIP() << "libsndfile cannot write " << c.ext << " here";
  AudioInfo info = probe_audio(path);
  EXPECT_EQ(info.sample_rate, c.rate);
  EXPECT_EQ(info.channels, 2);
  Audio a = read_audio(path);
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_NEAR(a.duration(), 1.5, 0.08);  // lossy codecs pad a little
  EXPECT_NEAR(test::zero_crossing_hz(a.samples, 16000), 440.0, 6.0);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, ReadFormats,
    ::testing::Values(FormatCase{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100},
                      FormatCase{"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 48000},
                      FormatCase{"ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050},
                      FormatCase{"mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100},
                      FormatCase{"f32.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000}),
    [](const auto& info) {
      std::string s = info.param.ext;
      for (auto& ch : s)
        if (ch == '.') ch = '_';
      return s;
    });

TEST(ReadAudio, DownmixAveragesChannels) {
  test::TempDir dir;
  std::string path = dir / "lr.wav";
  std::vector<float> l(16000, 0.5f), r(16000, -0.1f);
  ASSERT_TRUE(test::write_audio(path, stereo(l, r), 16000, 2, SF_FORMAT_WAV | SF_FORMAT_FLOAT));
  Audio a = read_audio(path);
  ASSERT_EQ(a.samples.size(), 16000u);
  EXPECT_NEAR(a.samples[8000], 0.2f, 1e-6);
}

TEST(ReadAudio, WavWriterRoundTrip) {
  test::TempDir dir;
  std::string path = dir / "sub/out.wav";
  auto x = test::sine(300, 0.5, 16000, 0.3f);
  write_wav_atomic(path, x, 16000);
  Audio a = read_audio(path);
  ASSERT_EQ(a.samples.size(), x.size());
  EXPECT_NEAR(a.samples[1234], x[1234], 1e-4);
  for (const auto& e : std::filesystem::directory_iterator(dir.path / "sub"))
    EXPECT_EQ(e.path().filename(), "out.wav") << "temporary file left behind";
}

TEST(ReadAudioErrors, MissingFile) { expect_error("/tmp/clasp-no-such-file.wav", "no such file"); }

TEST(ReadAudioErrors, EmptyFile) {
  test::TempDir dir;
  std::string path = dir / "empty.wav";
  std::ofstream(path).close();
  expect_error(path, "empty file");
}

TEST(ReadAudioErrors, NotAudio) {
  test::TempDir dir;
  std::string path = dir / "notes.wav";
  std::ofstream(path) << "this is a text file, not audio\n";
  expect_error(path, "not a readable audio file");
}

TEST(ReadAudioErrors, Directory) {
  test::TempDir dir;
  expect_error(dir.path.string(), "directory");
}

TEST(ReadAudioErrors, ZeroLength) {
  test::TempDir dir;
  std::string path = dir / "zero.wav";
  ASSERT_TRUE(test::write_audio(path, {}, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  expect_error(path, "no audio samples");
}

TEST(ReadAudioErrors, TruncatedWav) {
  test::TempDir dir;
  std::string full = dir / "full.wav", cut = dir / "cut.wav";
  ASSERT_TRUE(test::write_audio(full, test::sine(440, 1.0, 16000), 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  std::string bytes;
  {
    std::ifstream in(full, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  expect_error(cut, "truncated");
}

TEST(ReadAudioErrors, NaNSamples) {
  test::TempDir dir;
  std::string path = dir / "nan.wav";
  std::vector<float> x(1000, 0.1f);
  x[500] = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(test::write_audio(path, x, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT));
  expect_error(path, "NaN");
}

TEST(ReadAudioErrors, HugeFiniteSamples) {
  test::TempDir dir;
  std::string path = dir / "huge.wav";
  std::vector<float> x(1000, 0.1f);
  x[700] = 1e30f;
  ASSERT_TRUE(test::write_audio(path, x, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT));
  expect_error(path, "far outside full scale");
  // A little past full scale is what float recordings hold, and is read.
  x[700] = 1.7f;
  ASSERT_TRUE(test::write_audio(path, x, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT));
  EXPECT_EQ(read_audio(path).samples.size(), 1000u);
}

TEST(ReadAudioErrors, ImplausibleSampleRate) {
  test::TempDir dir;
  std::string path = dir / "onehertz.wav";
  // 8,000 samples declared at 1 Hz would be 8,000 s of audio.
  ASSERT_TRUE(test::write_audio(path, std::vector<float>(8000, 0.1f), 1, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  expect_error(path, "implausible header");
}

TEST(ReadAudioErrors, FifoIsRefusedNotWaitedOn) {
  test::TempDir dir;
  std::string path = dir / "pipe.wav";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  expect_error(path, "not a regular file");
  EXPECT_THROW(probe_audio(path), Error);
}

TEST(ReadAudio, TruncatedOggReportsWhatDecodes) {
  test::TempDir dir;
  std::string path = dir / "t.ogg";
  if (!test::write_audio(path, test::sine(440, 3.0, 16000, 0.3f), 16000, 1, SF_FORMAT_OGG | SF_FORMAT_VORBIS))
    GTEST_SKIP() << "libsndfile cannot write Vorbis here";
  std::string bytes = clasp::read_file(path);
  std::ofstream(dir / "cut.ogg", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  try {
    auto info = probe_audio(dir / "cut.ogg");
    EXPECT_GE(info.duration(), 0.0);
    EXPECT_LT(info.duration(), 3.5) << "a truncated stream must not report an absurd length";
  } catch (const Error& e) {
    SUCCEED() << e.what();  // refusing it by name is fine too
  }
}

TEST(ReadAudioErrors, TooLong) {
  test::TempDir dir;
  std::string path = dir / "long.wav";
  ASSERT_TRUE(test::write_audio(path, std::vector<float>(16000 * 3, 0.1f), 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  ReadOptions opt;
  opt.max_seconds = 2;
  try {
    read_audio(path, opt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos);
  }
}
