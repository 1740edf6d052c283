#pragma once
// One manifest from several synthesised ones (e.g. a corpus plus extra
// renderings of its training sentences made by another `clasp data synth`
// run), so training reads them as one corpus. Audio paths are rewritten to
// stay valid relative to the output manifest's directory.
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

// Throws, naming both files, when two inputs share a clip id.
std::vector<Utterance> merge_manifests(const std::vector<std::string>& inputs, const std::string& out_path);

}  // namespace clasp
