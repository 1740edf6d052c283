// clasp serve: web UI and JSON API over an index.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/commands.h"
#include "serve/http_server.h"
#include "speech/audio_embedder.h"

namespace clasp::cli {

void add_serve_command(CLI::App& app) {
  static ServeOptions o;
  static int threads = 0;
  auto* s = app.add_subcommand("serve", "Serve the search page and JSON API for an index");
  s->add_option("--index", o.index_dir, "Index directory")->capture_default_str();
  s->add_option("-m,--model", o.model_dir, "CLASP model (default: the one the index was built with)");
  s->add_option("--host", o.host, "Address to listen on")->capture_default_str();
  s->add_option("--port", o.port, "Port (0 = any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  s->add_option("--token", o.token, "Token for add/remove (default: $CLASP_TOKEN, else a random one, printed)");
  s->add_option("--max-body", o.max_body_bytes, "Largest request body in bytes")->capture_default_str();
  s->add_flag("--translate", o.translate,
              "Machine-translate text queries that give qlang (apertium) between English and the audio's language, "
              "so a query also finds speech in the other language; a request may say translate=0");
  s->add_option("--rate", o.rate, "Requests per second per client (0 = no limit)")->capture_default_str();
  s->add_option("--burst", o.burst, "Burst size of the rate limit")->capture_default_str();
  s->add_option("--http-threads", o.threads,
                "Connections served at once (workers mostly wait on sockets; queries share the model)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  s->add_option("--read-timeout", o.read_timeout_s, "Seconds a client may take for each read before it is dropped")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  s->add_option("--threads", threads,
                "Torch threads per query (default: all cores, quickest for one user; 1 serves more queries at once "
                "on a busy server, docs/hardening.md)");
  s->callback([] {
    if (o.token.empty())
      if (const char* t = std::getenv("CLASP_TOKEN")) o.token = t;
    set_compute_threads(threads);
    // SIGINT/SIGTERM are taken by a waiting thread, which stops the server
    // cleanly (a signal handler may not call into it).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
      int sig = 0;
      sigwait(&set, &sig);
      stop_server();
    }).detach();
    run_server(o, [&o](const ServerReady& r) {
      if (r.token_generated) std::printf("write token (Authorization: Bearer ...): %s\n", r.token.c_str());
      std::printf("serving %s (model %s, weights %s) on http://%s:%d/\n", o.index_dir.c_str(), r.model_id.c_str(),
                  r.model_version.c_str(), o.host.c_str(), r.port);
      std::fflush(stdout);
    });
  });
}

}  // namespace clasp::cli
