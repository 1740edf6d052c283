#include "asr/speech_recognizer.h"

#include <torch/torch.h>

#include <filesystem>

#include "asr/hf_ctc_asr.h"
#include "asr/pocketsphinx_asr.h"
#include "models/hf_speech_model.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace clasp {

RecognizerChoice choose_recognizer(const std::string& asr_model, int threads) {
  threads = std::max(1, threads);
  RecognizerChoice c;
  if (asr_model.empty() || asr_model == "pocketsphinx") {
    c.name = c.identity = "pocketsphinx en-us";
    c.workers = threads;
    c.make = [] { return std::make_shared<PocketsphinxAsr>(); };
    return c;
  }
  if (!fs::is_directory(asr_model))
    throw Error(asr_model + ": no such directory (--asr-model takes \"pocketsphinx\" or a Hugging Face "
                            "Wav2Vec2ForCTC / HubertForCTC directory)");
  if (!is_hf_speech_dir(asr_model))
    throw Error(asr_model + "/config.json: not a wav2vec2 or HuBERT model (model_type \"wav2vec2\" or \"hubert\")");
  // Load once here: a broken directory is refused before any clip is read, and every worker shares the weights.
  auto shared = std::make_shared<HfCtcAsr>(asr_model);
  const auto dir = fs::weakly_canonical(asr_model);
  c.name = shared->model().config().model_type + " CTC (" + dir.filename().string() + ")";
  // The folder, and the size and time of the files that decide a transcript: another checkpoint put in the
  // same folder gets transcripts of its own.
  c.identity = "hf-ctc:" + dir.string();
  for (const char* f : {"model.safetensors", "pytorch_model.bin", "vocab.json", "tokenizer_config.json"}) {
    std::error_code ec;
    const auto size = fs::file_size(dir / f, ec);
    if (ec) continue;
    const auto t = fs::last_write_time(dir / f, ec).time_since_epoch().count();
    c.identity += std::string(":") + f + "=" + std::to_string(size) + "@" + std::to_string(t);
  }
  c.workers = 1;
  c.make = [shared, threads] {
    torch::set_num_threads(threads);  // one recogniser, torch's threads inside it
    return shared;
  };
  return c;
}

}  // namespace clasp
