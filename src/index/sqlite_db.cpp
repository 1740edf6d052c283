#include "index/sqlite_db.h"

#include <cstring>

#include "util/error.h"

namespace clasp {

SqliteStmt::SqliteStmt(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), sql_(sql), path_(path) {
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK)
    throw Error(path_ + ": SQL error in \"" + sql_ + "\": " + sqlite3_errmsg(db_));
}

SqliteStmt::~SqliteStmt() { sqlite3_finalize(st_); }

SqliteStmt& SqliteStmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
SqliteStmt& SqliteStmt::bind(int i, double v) {
  sqlite3_bind_double(st_, i, v);
  return *this;
}
SqliteStmt& SqliteStmt::bind(int i, const std::string& v) {
  sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStmt& SqliteStmt::bind_blob(int i, const void* data, size_t bytes) {
  sqlite3_bind_blob(st_, i, data, static_cast<int>(bytes), SQLITE_TRANSIENT);
  return *this;
}
SqliteStmt& SqliteStmt::bind_null(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

bool SqliteStmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(st_);
  throw Error(path_ + ": SQL error in \"" + sql_ + "\": " + msg);
}

void SqliteStmt::run() {
  while (step()) {
  }
  reset();
}

void SqliteStmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

int64_t SqliteStmt::int64(int col) const { return sqlite3_column_int64(st_, col); }
double SqliteStmt::real(int col) const { return sqlite3_column_double(st_, col); }
bool SqliteStmt::is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
std::string SqliteStmt::text(int col) const {
  auto* p = sqlite3_column_text(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col))) : "";
}
std::string SqliteStmt::blob(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col))) : "";
}
std::vector<float> SqliteStmt::floats(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  size_t n = static_cast<size_t>(sqlite3_column_bytes(st_, col)) / sizeof(float);
  std::vector<float> v(n);
  if (n) std::memcpy(v.data(), p, n * sizeof(float));
  return v;
}

SqliteDb::SqliteDb(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(path + ": cannot open the index database: " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  // WAL: readers (the server) never block the writer (index add), and a
  // killed writer leaves the last committed transaction intact.
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

void SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(path_ + ": SQL error in \"" + sql + "\": " + msg);
  }
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace clasp
