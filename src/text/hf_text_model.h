#pragma once
// Loads Hugging Face text encoders with the reference implementation's
// numerics:
//  - a model directory: config.json (BertModel or XLMRobertaModel),
//    model.safetensors or pytorch_model.bin, and vocab.txt (WordPiece,
//    options from tokenizer_config.json) or sentencepiece.bpe.model
//    (XLM-R's fairseq ids). Pooled by mean and L2-normalised;
//  - a sentence-transformers directory (modules.json): Transformer, Pooling
//    (cls / mean / max), Dense (with its activation) and Normalize modules,
//    loaded as one encoder, e.g. LaBSE or paraphrase-xlm-r-multilingual-v1.
#include <memory>
#include <string>

namespace clasp {

class TextEncoderModel;

bool is_sentence_transformers_dir(const std::string& dir);
bool is_hf_model_dir(const std::string& dir);
std::unique_ptr<TextEncoderModel> load_hf_text_model(const std::string& dir);

}  // namespace clasp
