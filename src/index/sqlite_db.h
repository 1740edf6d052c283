#pragma once
// A thin RAII layer over the SQLite C API: errors become clasp::Error naming
// the database file and the statement.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

class SqliteStmt {
 public:
  SqliteStmt(sqlite3* db, const std::string& sql, const std::string& db_path);
  ~SqliteStmt();
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;
  SqliteStmt& bind(int i, int64_t v);
  SqliteStmt& bind(int i, double v);
  SqliteStmt& bind(int i, const std::string& v);
  SqliteStmt& bind_blob(int i, const void* data, size_t bytes);
  SqliteStmt& bind_null(int i);
  bool step();  // true while a row is available
  void run();   // step to completion, then reset for reuse
  void reset();
  int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::vector<float> floats(int col) const;
  std::string blob(int col) const;  // the bytes of a BLOB column
  bool is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  std::string sql_, path_;
};

class SqliteDb {
 public:
  explicit SqliteDb(const std::string& path);  // creates the file if missing
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  void exec(const std::string& sql);
  SqliteStmt prepare(const std::string& sql) { return SqliteStmt(db_, sql, path_); }
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back if destroyed without commit().
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~SqliteTransaction();
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace clasp
