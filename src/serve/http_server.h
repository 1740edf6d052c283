#pragma once
// `clasp serve`: the search page and a JSON API over one index.
//   GET  /                      search page
//   GET  /api/status            index status
//   GET  /api/search?q=&k=&lang=    text query
//   POST /api/search/audio?k=&lang= query by example (body: an audio file)
//   GET  /api/context?id=<segment id>  the segments before and after a hit in its file
//   POST /api/add     {"path": ...}   index a file/folder/manifest   (token)
//   POST /api/remove  {"path": ...}   remove a file or folder        (token)
//   GET  /audio/<file id>        an indexed file (Range requests work), by id
//                                only, so no path from a request reaches the disk
#include <cstddef>
#include <functional>
#include <string>

namespace clasp {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string index_dir = "clasp-index", model_dir;
  std::string token;                 // "" = generate one and print it
  size_t max_body_bytes = 25 << 20;  // uploads and JSON bodies
  double rate = 50, burst = 100;     // requests per second per client address
  // Connections served at once. Queries share the model (one forward pass at
  // a time), so workers mostly wait on sockets: many are cheap, and a few
  // slow clients cannot hold them all.
  int threads = 64;
  int read_timeout_s = 5;             // per read from a client
  // Text queries with qlang are machine-translated (SearchOptions::translate)
  // unless a request says translate=0; off: a request's translate=1 is refused
  // (each translation runs apertium processes).
  bool translate = false;
};

// What a started server tells its caller (the server itself prints nothing).
struct ServerReady {
  int port = 0;               // bound (useful with port 0)
  std::string token;          // the write endpoints' token
  bool token_generated = false;  // made up here: the caller should show it
  std::string model_id, model_version;
};

// Blocks until stop() is called from another thread or the process is
// signalled; `on_ready` is called once it listens.
void run_server(const ServeOptions& opt, const std::function<void(const ServerReady&)>& on_ready = {});
void stop_server();

}  // namespace clasp
