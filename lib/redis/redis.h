#pragma once

#include <chrono>
#include <condition_variable>
#include <optional>
#include <cstdint>
#include <memory>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"

struct redisContext;
struct redisReply;

namespace smsgw::redis {

// An owned copy of a hiredis reply. Error replies come back as Status, not as a Reply,
// except inside a pipeline, where each slot keeps its own error.
struct Reply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // Integer replies, or bulk strings holding an integer (HGET of a counter).
  Result<int64_t> AsInt() const;
};

using Command = std::vector<std::string>;

// The Status for an error reply: kUnavailable for errors that pass (LOADING, READONLY, ...),
// kInternal otherwise. `what` names the command.
Status ErrorReply(const std::string& what, const std::string& error);

// How a pipeline went, from its replies: Internal when their number is not the commands',
// else the ErrorReply of the first error slot (named `what`, or the command's name when
// `what` is empty), else OK.
Status PipelineStatus(const std::vector<Command>& commands, const std::vector<Reply>& replies,
                      const std::string& what = "");

// A Lua script run by EVALSHA, loaded with SCRIPT LOAD on first use or after NOSCRIPT
// (a restarted Redis forgets scripts).
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha() const { return sha_; }
  // The EVALSHA command, for pipelines; load the script first (Connection::Load) so that no
  // slot answers NOSCRIPT.
  Command Invocation(const std::vector<std::string>& keys, const std::vector<std::string>& args) const;

 private:
  std::string source_;
  std::string sha_;
};

// One blocking connection. Not thread-safe: take one from a Pool per thread or per task.
// After an I/O error the connection reconnects on the next call.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const config::RedisConfig& config);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result<Reply> Run(const Command& command);
  // Sends every command, then reads every reply: one round trip. Per-command errors stay in
  // their slot; a connection failure fails the whole call.
  Result<std::vector<Reply>> Pipeline(const std::vector<Command>& commands);
  Result<Reply> Eval(const Script& script, const std::vector<std::string>& keys,
                     const std::vector<std::string>& args);
  // Pipelines commands that include Invocation()s of `scripts`. Slots answered NOSCRIPT (a
  // Redis that restarted forgets scripts) did not run: the scripts are loaded and only those
  // slots are sent again, so no other command runs twice. Other error replies stay in their
  // slot, as with Pipeline().
  Result<std::vector<Reply>> PipelineScripts(const std::vector<Command>& commands,
                                             std::initializer_list<const Script*> scripts);
  // For a subscribed connection (after Run({"SUBSCRIBE", ...})): waits up to `timeout` for one
  // pushed message; nullopt when none came. Unavailable when the connection failed (the next
  // call reconnects, no longer subscribed).
  Result<std::optional<Reply>> WaitPushed(std::chrono::milliseconds timeout);

 private:
  explicit Connection(const config::RedisConfig& config) : config_(config) {}
  Status Connect();
  Status Append(const Command& command);
  Result<Reply> ReadOne();

  config::RedisConfig config_;
  redisContext* ctx_ = nullptr;
};

// A fixed set of connections shared by threads. Acquire blocks while all are lent out.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), conn_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Return(std::move(conn_));
    }
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  static Result<std::unique_ptr<Pool>> Open(const config::RedisConfig& config);
  Lease Acquire();

 private:
  void Return(std::unique_ptr<Connection> c);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace smsgw::redis
