// The Python module: `import clasp` over the public API (include/clasp/clasp.h).
// Vectors are numpy float32 arrays; errors are RuntimeError with clasp's
// message; the GIL is released while a model or an index works.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <clasp/clasp.h>

namespace py = pybind11;

namespace {
py::array_t<float> to_numpy(std::vector<float> v) {
  auto* heap = new std::vector<float>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  return py::array_t<float>({static_cast<py::ssize_t>(heap->size())}, {sizeof(float)}, heap->data(), owner);
}

std::vector<float> from_numpy(const py::array_t<float, py::array::c_style | py::array::forcecast>& a) {
  if (a.ndim() != 1) throw std::runtime_error("audio: expected a 1-D array of 16 kHz mono samples, got " +
                                              std::to_string(a.ndim()) + " dimensions");
  return std::vector<float>(a.data(), a.data() + a.size());
}

clasp::SearchParams params(int k, const std::string& query_lang, const std::string& lang, size_t rerank, bool approx,
                          bool translate = false) {
  clasp::SearchParams p;
  p.translate = translate;
  p.k = k;
  p.query_lang = query_lang;
  p.lang = lang;
  p.rerank = rerank;
  p.approx = approx;
  return p;
}
}  // namespace

PYBIND11_MODULE(clasp, m) {
  m.doc() = "Find where something is said in recordings, from a text query in any language (CLASP).";

  py::class_<clasp::ModelInfo>(m, "ModelInfo")
      .def_readonly("id", &clasp::ModelInfo::id)
      .def_readonly("version", &clasp::ModelInfo::version)
      .def_readonly("dir", &clasp::ModelInfo::dir)
      .def_readonly("dim", &clasp::ModelInfo::dim)
      .def_readonly("heard_languages", &clasp::ModelInfo::heard_languages);

  py::class_<clasp::Model>(m, "Model")
      .def(py::init<const std::string&>(), py::arg("dir") = "", py::call_guard<py::gil_scoped_release>(),
           "Loads a CLASP model directory (\"\" = the shipped default).")
      .def_property_readonly("info", &clasp::Model::info)
      .def(
          "embed_text",
          [](const clasp::Model& self, const std::string& text, const std::string& lang) {
            std::vector<float> v;
            {
              py::gil_scoped_release nogil;
              v = self.embed_text(text, lang);
            }
            return to_numpy(std::move(v));
          },
          py::arg("text"), py::arg("lang") = "", "A text query's vector (numpy float32, unit length).")
      .def(
          "embed_audio",
          [](const clasp::Model& self, const py::array_t<float, py::array::c_style | py::array::forcecast>& samples) {
            auto s = from_numpy(samples);
            std::vector<float> v;
            {
              py::gil_scoped_release nogil;
              v = self.embed_audio(s);
            }
            return to_numpy(std::move(v));
          },
          py::arg("samples"), "The vector of 16 kHz mono speech (numpy float32 in [-1, 1]).");

  m.def(
      "read_audio",
      [](const std::string& path) {
        std::vector<float> s;
        {
          py::gil_scoped_release nogil;
          s = clasp::read_audio_16k(path);
        }
        return to_numpy(std::move(s));
      },
      py::arg("path"), "Any audio file as 16 kHz mono samples (numpy float32).");
  m.def("set_threads", &clasp::set_threads, py::arg("n"), "Threads the models compute on.");

  py::class_<clasp::AddSummary>(m, "AddSummary")
      .def_readonly("seen", &clasp::AddSummary::seen)
      .def_readonly("added", &clasp::AddSummary::added)
      .def_readonly("replaced", &clasp::AddSummary::replaced)
      .def_readonly("unchanged", &clasp::AddSummary::unchanged)
      .def_readonly("failed", &clasp::AddSummary::failed)
      .def_readonly("segments", &clasp::AddSummary::segments)
      .def_readonly("audio_s", &clasp::AddSummary::audio_s)
      .def_readonly("failures", &clasp::AddSummary::failures)
      .def_readonly("no_speech", &clasp::AddSummary::no_speech);

  py::class_<clasp::IndexInfo>(m, "IndexInfo")
      .def_readonly("dir", &clasp::IndexInfo::dir)
      .def_readonly("model", &clasp::IndexInfo::model)
      .def_readonly("files", &clasp::IndexInfo::files)
      .def_readonly("segments", &clasp::IndexInfo::segments)
      .def_readonly("audio_s", &clasp::IndexInfo::audio_s)
      .def_readonly("languages", &clasp::IndexInfo::languages);

  py::class_<clasp::Hit>(m, "Hit")
      .def_readonly("segment_id", &clasp::Hit::segment_id)
      .def_readonly("file_id", &clasp::Hit::file_id)
      .def_readonly("path", &clasp::Hit::path)
      .def_readonly("start", &clasp::Hit::start)
      .def_readonly("end", &clasp::Hit::end)
      .def_readonly("score", &clasp::Hit::score)
      .def_readonly("lang", &clasp::Hit::lang)
      .def_readonly("text", &clasp::Hit::text)
      .def_readonly("heard", &clasp::Hit::heard)
      .def_readonly("heard_match_begin", &clasp::Hit::heard_match_begin)
      .def_readonly("heard_match_end", &clasp::Hit::heard_match_end)
      .def("__repr__", [](const clasp::Hit& h) {
        return "<Hit " + h.path + " " + std::to_string(h.start) + "-" + std::to_string(h.end) + " score " +
               std::to_string(h.score) + ">";
      });

  py::class_<clasp::Index>(m, "Index")
      .def(py::init<const std::string&, const clasp::Model&>(), py::arg("dir"), py::arg("model"),
           py::call_guard<py::gil_scoped_release>(), "Opens the index in dir, or makes it for model.")
      .def(
          "add",
          [](clasp::Index& self, const std::vector<std::string>& sources, const std::string& lang) {
            clasp::AddParams p;
            p.lang = lang;
            py::gil_scoped_release nogil;
            return self.add(sources, p);
          },
          py::arg("sources"), py::arg("lang") = "", "Folders, audio files or .jsonl manifests (only new or changed files).")
      .def("remove", &clasp::Index::remove, py::arg("path"), py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("info", &clasp::Index::info)
      .def(
          "search",
          [](clasp::Index& self, const std::string& text, int k, const std::string& query_lang, const std::string& lang,
             size_t rerank, bool approx, bool translate) {
            py::gil_scoped_release nogil;
            return self.search(text, params(k, query_lang, lang, rerank, approx, translate));
          },
          py::arg("text"), py::arg("k") = 10, py::arg("query_lang") = "", py::arg("lang") = "", py::arg("rerank") = 50,
          py::arg("approx") = false, py::arg("translate") = false,
          "Segments where the text is said (query_lang: two-stage; translate: also its apertium translation).")
      .def(
          "search_audio",
          [](clasp::Index& self, const py::array_t<float, py::array::c_style | py::array::forcecast>& samples, int k,
             const std::string& lang) {
            auto s = from_numpy(samples);
            py::gil_scoped_release nogil;
            return self.search_audio(s, params(k, "", lang, 0, false));
          },
          py::arg("samples"), py::arg("k") = 10, py::arg("lang") = "", "Query by example: 16 kHz mono samples.")
      .def(
          "search_phonetic",
          [](clasp::Index& self, const std::string& text, const std::string& lang, int k) {
            py::gil_scoped_release nogil;
            return self.search_phonetic(text, lang, params(k, "", "", 0, false));
          },
          py::arg("text"), py::arg("lang"), py::arg("k") = 10, "The query's phonemes against what was heard.");
}
