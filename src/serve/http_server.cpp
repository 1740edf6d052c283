#include "serve/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>

#include "audio/audio_file.h"
#include "index/search_json.h"
#include "index/searcher.h"
#include "serve/rate_limiter.h"
#include "serve/request_checks.h"
#include "serve/web_page.h"
#include "speech/audio_embedder.h"
#include "util/error.h"
#include "util/text_clean.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace clasp {

namespace {

std::atomic<httplib::Server*> g_server{nullptr};

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& msg) {
  send_json(res, status, {{"error", msg}});
}

// The request body, read through a limit that holds whatever the framing
// (Content-Length, chunked, or none): reading stops at `max` bytes with a 413,
// so a hostile client cannot fill memory or disk. nullopt when refused.
std::optional<std::string> read_body(const httplib::Request& req, const httplib::ContentReader& reader, size_t max,
                                     httplib::Response& res) {
  std::string body;
  bool too_big = false;
  const bool ok = reader([&](const char* data, size_t n) {
    if (body.size() + n > max) {
      too_big = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  // An announced Content-Length over the server's limit is refused by the
  // library before any byte reaches the receiver.
  const std::string announced = req.get_header_value("Content-Length");
  if (!ok && !announced.empty() && announced.find_first_not_of("0123456789") == std::string::npos &&
      (announced.size() > 18 || std::stoull(announced) > max))
    too_big = true;
  if (too_big) {
    res.set_header("Connection", "close");
    send_error(res, 413, "request body too large: at most " + std::to_string(max) + " bytes");
    return std::nullopt;
  }
  if (!ok) {
    send_error(res, 400, "the request body could not be read");
    return std::nullopt;
  }
  return body;
}

std::string random_token() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 32; ++i) t += hex[rd() % 16];
  return t;
}

// Constant-time comparison, so response timing does not leak the token.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

std::string mime_of(const std::string& path) {
  const std::string e = lower_ascii(fs::path(path).extension().string());
  if (e == ".wav") return "audio/wav";
  if (e == ".flac") return "audio/flac";
  if (e == ".ogg" || e == ".oga" || e == ".opus") return "audio/ogg";
  if (e == ".mp3") return "audio/mpeg";
  return "application/octet-stream";
}

constexpr size_t kMaxJsonBody = 64 << 10;  // {"path": ...} bodies
constexpr int kListenBacklog = 512;   // pending connections the kernel holds for us
constexpr size_t kMaxResultDepth = 1000;  // offset + k: how far down a ranking the pages reach

void refuse_ranges(const httplib::Request& req, httplib::Response& res, size_t size, const std::string& why) {
  // cpp-httplib 0.11 would cut the 416 body itself into the asked ranges (and
  // answer a 206); the request is the server's own object, passed as const.
  const_cast<httplib::Request&>(req).ranges.clear();
  if (size > 0) res.set_header("Content-Range", "bytes */" + std::to_string(size));
  send_error(res, 416, "cannot serve the Range asked: " + why);
}

// Decodes an uploaded audio file through a private temporary file, since
// libsndfile reads from paths.
std::vector<float> decode_upload(const std::string& body) {
  if (body.empty()) throw Error("upload: the request body is empty; send an audio file");
  std::string tmpl = (fs::temp_directory_path() / "clasp-query-XXXXXX").string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0) throw Error("upload: cannot create a temporary file");
  ::close(fd);
  struct Cleanup {
    std::string p;
    ~Cleanup() { std::error_code ec; fs::remove(p, ec); }
  } cleanup{tmpl};
  {
    std::ofstream out(tmpl, std::ios::binary);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!out) throw Error("upload: cannot write a temporary file");
  }
  ReadOptions ro;
  ro.max_seconds = 60;
  try {
    return read_audio(tmpl, ro).samples;
  } catch (const Error& e) {
    std::string m = e.what();
    auto p = m.find(tmpl);
    if (p != std::string::npos) m.replace(p, tmpl.size(), "uploaded audio");
    throw Error(m);
  }
}

}  // namespace

void run_server(const ServeOptions& opt, const std::function<void(const ServerReady&)>& on_ready) {
  Searcher searcher(opt.index_dir, opt.model_dir);
  // Adds use the queries' model (one copy in memory): AudioEmbedder::embed
  // takes one batch at a time, so queries run between an add's batches.
  std::mutex add_mu;
  const std::string token = opt.token.empty() ? random_token() : opt.token;
  RateLimiter limiter(opt.rate, opt.burst);

  httplib::Server svr;
  svr.new_task_queue = [n = opt.threads] { return new httplib::ThreadPool(static_cast<size_t>(std::max(1, n))); };
  svr.set_payload_max_length(opt.max_body_bytes);
  svr.set_read_timeout(opt.read_timeout_s, 0);
  svr.set_write_timeout(30, 0);
  svr.set_keep_alive_timeout(opt.read_timeout_s);

  svr.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (!limiter.allow(req.remote_addr)) {
      send_error(res, 429, "too many requests; slow down");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Too many or overlapping ranges are refused whatever the route (the
    // page and JSON answers are ranged by the library too).
    if (auto why = range_problem(req.ranges, SIZE_MAX); !why.empty()) {
      refuse_ranges(req, res, 0, why);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("{} {} {} -> {}", req.remote_addr, req.method, req.path, res.status);
  });
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    try {
      std::rethrow_exception(ep);
    } catch (const Error& e) {
      send_error(res, 400, e.what());
    } catch (const std::exception& e) {
      send_error(res, 500, std::string("internal error: ") + e.what());
    } catch (...) {
      send_error(res, 500, "internal error");
    }
  });
  // Errors httplib raises itself (oversized body, unknown route) get a JSON reason too.
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string why = res.status == 413   ? "request body too large (form-encoded bodies: at most 8 KB; send audio "
                                            "with its own Content-Type)"
                      : res.status == 404 ? "no such endpoint: " + req.path
                                          : "HTTP error " + std::to_string(res.status);
    send_error(res, res.status, why);
  });
  auto authorised = [&](const httplib::Request& req, httplib::Response& res) {
    std::string h = req.get_header_value("Authorization");
    if (h.rfind("Bearer ", 0) == 0 && same_secret(h.substr(7), token)) return true;
    send_error(res, 401, "this endpoint needs the server's token: Authorization: Bearer <token>");
    return false;
  };
  auto path_from_body = [](const std::string& body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("path") || !j["path"].is_string())
      throw Error("request body: expected JSON {\"path\": \"<file, folder or manifest on the server>\"}");
    return j["path"].get<std::string>();
  };

  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    auto page = search_page_html();
    res.set_content(page.data(), page.size(), "text/html; charset=utf-8");
  });
  svr.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) {
    auto icon = favicon_svg();
    res.set_content(icon.data(), icon.size(), "image/svg+xml");
  });
  svr.Get("/api/status", [&](const httplib::Request&, httplib::Response& res) {
    auto st = status_to_json(searcher.index().status());
    st["query_languages"] = searcher.embedder().heard_languages();
    send_json(res, 200, st);
  });
  svr.Get("/api/search", [&](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("q")) return send_error(res, 400, "parameter q (the query text) is missing");
    auto o = options_from(req);
    if (req.has_param("translate")) {
      const auto t = req.get_param_value("translate");
      if (t != "0" && t != "1") return send_error(res, 400, "parameter translate: expected 0 or 1");
      if (t == "1" && !opt.translate)
        return send_error(res, 400, "this server does not translate queries (start it with clasp serve --translate)");
      o.translate = t == "1";
    } else {
      o.translate = opt.translate;
    }
    // phonetic=1: same-language phoneme matching; lang names the query's language.
    bool phonetic = req.has_param("phonetic") && req.get_param_value("phonetic") == "1";
    if (phonetic && o.lang.empty()) return send_error(res, 400, "phonetic search needs lang (the query's language)");
    const std::string q = req.get_param_value("q");
    const std::string qlang = req.has_param("qlang") ? req.get_param_value("qlang") : "";
    // Pages past the first: offset=N skips the best N (the search runs for
    // N + k, so a page is the same ranking read further down).
    const size_t offset = req.has_param("offset") ? count_param(req, "offset", 0, kMaxResultDepth - 100) : 0;
    o.k += static_cast<int>(offset);
    std::vector<QueryTranslation> translations;
    auto hits = phonetic ? searcher.search_phonetic(q, o.lang, o) : searcher.search_text(q, o, qlang, &translations);
    const bool more = hits.size() == static_cast<size_t>(o.k) && static_cast<size_t>(o.k) < kMaxResultDepth;
    hits.erase(hits.begin(), hits.begin() + static_cast<long>(std::min(offset, hits.size())));
    SearchAnswer ans = phonetic ? SearchAnswer{q, "sounds", o.lang, ""}
                                : text_search_answer(q, qlang, o.rerank > 0, searcher.meaning_only_reason(qlang));
    ans.translations = std::move(translations);
    searcher.attach_heard(hits, q, phonetic ? o.lang : qlang);
    auto j = search_answer_json(ans, hits, HitFiles::NameOnly, static_cast<int>(offset) + 1);
    j["offset"] = offset;
    j["more"] = more;  // a next page may hold results (offset + k)
    send_json(res, 200, j);
  });
  // A hit's context on demand: the segments just before and after it in its
  // file (one each, so the answer stays small), in the hits' shape without
  // rank and score (nobody searched for them).
  svr.Get("/api/context", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("id");
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
      return send_error(res, 400, "parameter id: expected a segment id (a hit's segment_id)");
    const auto c = searcher.index().context_of(std::stoll(id));
    if (!c) return send_error(res, 404, "no such segment: " + id);
    std::vector<SearchHit> hits{SearchHit{c->segment}};
    if (c->previous) hits.push_back(SearchHit{*c->previous});
    if (c->next) hits.push_back(SearchHit{*c->next});
    searcher.attach_heard(hits);
    auto shown = hits_to_json(hits, HitFiles::NameOnly);
    for (auto& h : shown) {
      h.erase("rank");
      h.erase("score");
    }
    json j = {{"segment", shown[0]}, {"previous", nullptr}, {"next", nullptr}};
    size_t i = 1;
    if (c->previous) j["previous"] = shown[i++];
    if (c->next) j["next"] = shown[i++];
    send_json(res, 200, j);
  });
  svr.Post("/api/search/audio", [&](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
    auto body = read_body(req, reader, opt.max_body_bytes, res);
    if (!body) return;
    auto hits = searcher.search_audio(decode_upload(*body), options_from(req));
    searcher.attach_heard(hits);
    send_json(res, 200, search_answer_json({"", "audio", "", ""}, hits, HitFiles::NameOnly));
  });
  svr.Post("/api/add", [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    if (!authorised(req, res)) return;
    auto body = read_body(req, reader, kMaxJsonBody, res);
    if (!body) return;
    auto path = path_from_body(*body);
    std::lock_guard lock(add_mu);
    auto rep = searcher.index().add(collect_index_inputs(path), *searcher.model().audio);
    send_json(res, 200, add_report_to_json(rep));
  });
  svr.Post("/api/remove", [&](const httplib::Request& req, httplib::Response& res,
                              const httplib::ContentReader& reader) {
    if (!authorised(req, res)) return;
    auto body = read_body(req, reader, kMaxJsonBody, res);
    if (!body) return;
    auto path = path_from_body(*body);
    std::lock_guard lock(add_mu);
    send_json(res, 200, {{"removed_files", searcher.index().remove(path)}});
  });
  svr.Get(R"(/audio/(\d{1,18}))", [&](const httplib::Request& req, httplib::Response& res) {
    const auto rec = searcher.index().file_record(std::stoll(req.matches[1].str()));
    if (!rec) return send_error(res, 404, "no such indexed audio file");
    // Served from the descriptor checked here, and only while it is the file
    // that was indexed (a regular file of the recorded size and time): a file
    // swapped for a symlink to something else, or changed, is not served.
    const int fd = ::open(rec->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return send_error(res, 404, "no such indexed audio file");
    auto file = std::shared_ptr<int>(new int(fd), [](int* f) {
      ::close(*f);
      delete f;
    });
    struct stat sb {};
    if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size != rec->bytes ||
        file_mtime_ns("/proc/self/fd/" + std::to_string(fd)) != rec->mtime)
      return send_error(res, 404, "the audio file changed since it was indexed (index add it again)");
    const size_t size = static_cast<size_t>(sb.st_size);
    if (auto why = range_problem(req.ranges, size); !why.empty()) return refuse_ranges(req, res, size, why);
    res.set_content_provider(size, mime_of(rec->path),
                             [file](size_t offset, size_t length, httplib::DataSink& sink) {
                               std::vector<char> buf(std::min<size_t>(length, 1 << 16));
                               const ssize_t n = ::pread(*file, buf.data(), buf.size(), static_cast<off_t>(offset));
                               if (n <= 0) return false;
                               sink.write(buf.data(), static_cast<size_t>(n));
                               return true;
                             });
  });

  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, which lets
  // a second server bind the same port and take half its connections.
  socket_t listening = INVALID_SOCKET;
  svr.set_socket_options([&listening](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const char*>(&yes), sizeof yes);
    listening = sock;
  });
  int port = opt.port;
  if (port == 0) {
    port = svr.bind_to_any_port(opt.host);
  } else if (!svr.bind_to_port(opt.host, port)) {
    throw Error("serve: cannot listen on " + opt.host + ":" + std::to_string(port) +
                ": the port is in use (another clasp serve?) or the address is not this machine's; choose another "
                "--port, or --port 0 for any free one");
  }
  if (port < 0) throw Error("serve: cannot listen on " + opt.host);
  // Debian's cpp-httplib is built to listen with a backlog of 5: under 32
  // concurrent clients the kernel dropped connections and they stalled 1 s
  // in connect. listen() again on the bound socket only raises the backlog.
  if (listening != INVALID_SOCKET) ::listen(listening, kListenBacklog);
  g_server = &svr;
  if (on_ready)
    on_ready({port, token, opt.token.empty(), searcher.embedder().identity().id,
              searcher.embedder().identity().version});
  svr.listen_after_bind();
  g_server = nullptr;
}

void stop_server() {
  if (auto* s = g_server.load()) s->stop();
}

}  // namespace clasp
