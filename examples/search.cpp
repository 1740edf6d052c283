// Index a folder of recordings and search it, through the installed library:
//   cmake -S examples -B build-example -DCMAKE_PREFIX_PATH=<prefix> && cmake --build build-example
//   build-example/clasp_search_example <folder> <index dir> "<query>" [query language]
#include <clasp/clasp.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <folder> <index dir> <query> [query language]\n", argv[0]);
    return 2;
  }
  // The library's warnings (a damaged file it rebuilds, ...), as this program wants them.
  clasp::set_log_callback([](clasp::LogLevel level, const std::string& line) {
    std::fprintf(stderr, "clasp %s: %s\n", level >= clasp::LogLevel::Warning ? "warning" : "note", line.c_str());
  });
  try {
    clasp::Model model;  // the shipped default
    clasp::Index index(argv[2], model);
    const clasp::AddSummary added = index.add({argv[1]});
    std::printf("%zu files added, %zu segments\n", added.added, added.segments);
    clasp::SearchParams p;
    p.k = 3;
    if (argc > 4) p.query_lang = argv[4];
    for (const clasp::Hit& h : index.search(argv[3], p))
      std::printf("%.3f  %s  %.2f-%.2f  /%s/\n", h.score, h.path.c_str(), h.start, h.end, h.heard.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
