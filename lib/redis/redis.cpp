#include "redis/redis.h"

#include <poll.h>

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include <charconv>
#include <chrono>
#include <cstdio>

#include "metrics/registry.h"

namespace smsgw::redis {
namespace {

// Every daemon's Redis traffic, whatever it sends: round trips are the budget (DESIGN.md 10).
struct RedisMetrics {
  metrics::Counter& round_trips;
  metrics::Counter& commands;
  metrics::Counter& error_replies;
  metrics::Counter& connection_errors;
  metrics::Counter& connects;
  metrics::Histogram& latency;
};

RedisMetrics& Metrics() {
  metrics::Registry& r = metrics::Default();
  static RedisMetrics m{
      r.AddCounter("smsgw_redis_round_trips_total", "Round trips to Redis (a pipeline is one).").Get(),
      r.AddCounter("smsgw_redis_commands_total", "Commands sent to Redis.").Get(),
      r.AddCounter("smsgw_redis_error_replies_total", "Commands Redis answered with an error.").Get(),
      r.AddCounter("smsgw_redis_connection_errors_total",
                   "Failed connects and round trips lost to a connection error or timeout.")
          .Get(),
      r.AddCounter("smsgw_redis_connects_total", "Connections opened to Redis, reconnects included.").Get(),
      r.AddHistogram("smsgw_redis_round_trip_seconds", "Time from sending a pipeline to its last reply.", {},
                     metrics::LatencyBuckets())
          .Get()};
  return m;
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

std::string Sha1Hex(const std::string& s) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return std::string(hex, 2 * SHA_DIGEST_LENGTH);
}

}  // namespace

Status ErrorReply(const std::string& what, const std::string& error) {
  // A Redis that is starting (LOADING), a replica being promoted (READONLY, MASTERDOWN) or a
  // busy script (BUSY) will answer later: the caller may retry. Anything else is a bug.
  for (const char* transient : {"LOADING", "READONLY", "MASTERDOWN", "BUSY", "TRYAGAIN"}) {
    if (error.rfind(transient, 0) == 0) return Status::Unavailable("redis " + what + ": " + error);
  }
  return Status::Internal("redis " + what + ": " + error);
}

Status PipelineStatus(const std::vector<Command>& commands, const std::vector<Reply>& replies,
                      const std::string& what) {
  if (replies.size() != commands.size()) {
    return Status::Internal("redis: " + std::to_string(replies.size()) + " replies to " +
                            std::to_string(commands.size()) + " commands");
  }
  for (size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].is_error()) return ErrorReply(what.empty() ? commands[i][0] : what, replies[i].str);
  }
  return Status::Ok();
}

Result<int64_t> Reply::AsInt() const {
  if (type == Type::kInteger) return integer;
  if (type == Type::kString) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(str.data(), str.data() + str.size(), v);
    if (ec == std::errc() && p == str.data() + str.size()) return v;
  }
  return Status::Internal("redis: expected an integer reply");
}

Script::Script(std::string source) : source_(std::move(source)), sha_(Sha1Hex(source_)) {}

Command Script::Invocation(const std::vector<std::string>& keys, const std::vector<std::string>& args) const {
  Command cmd{"EVALSHA", sha_, std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  return cmd;
}

Result<std::unique_ptr<Connection>> Connection::Open(const config::RedisConfig& config) {
  std::unique_ptr<Connection> c(new Connection(config));
  if (Status s = c->Connect(); !s.ok()) return s;
  return c;
}

Connection::~Connection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

Status Connection::Connect() {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  timeval tv{config_.timeout_ms / 1000, (config_.timeout_ms % 1000) * 1000};
  redisContext* ctx = redisConnectWithTimeout(config_.host.c_str(), config_.port, tv);
  std::string where = "redis " + config_.host + ":" + std::to_string(config_.port);
  Metrics().connects.Inc();
  if (ctx == nullptr) return Status::Unavailable(where + ": out of memory");
  if (ctx->err != 0) {
    Metrics().connection_errors.Inc();
    std::string err = ctx->errstr;
    redisFree(ctx);
    return Status::Unavailable(where + ": " + err);
  }
  redisSetTimeout(ctx, tv);
  ctx_ = ctx;
  if (!config_.password.empty()) {
    Result<Reply> r = Run({"AUTH", config_.password});
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Status Connection::Append(const Command& command) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(command.size());
  lens.reserve(command.size());
  for (const auto& a : command) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
    return Status::Unavailable(std::string("redis: ") + ctx_->errstr);
  }
  return Status::Ok();
}

Result<std::optional<Reply>> Connection::WaitPushed(std::chrono::milliseconds timeout) {
  if (ctx_ == nullptr) return Status::Unavailable("redis: not connected");
  auto failed = [this](const char* what) {
    Status s = Status::Unavailable(std::string("redis: ") + (ctx_->errstr[0] ? ctx_->errstr : what));
    redisFree(ctx_);
    ctx_ = nullptr;
    return s;
  };
  void* raw = nullptr;
  // A reply may already be read and buffered; else wait for bytes without hiredis' socket
  // timeout, which would break the connection on a quiet channel.
  if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return failed("protocol error");
  if (raw == nullptr) {
    pollfd p{ctx_->fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0) return failed("poll failed");
    if (ready == 0) return std::optional<Reply>();
    if (redisBufferRead(ctx_) != REDIS_OK) return failed("connection lost");
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return failed("protocol error");
    if (raw == nullptr) return std::optional<Reply>();  // a partial reply: the rest comes later
  }
  Reply reply = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return std::optional<Reply>(std::move(reply));
}

Result<Reply> Connection::ReadOne() {
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
    Status s = Status::Unavailable(std::string("redis: ") + (ctx_->errstr[0] ? ctx_->errstr : "no reply"));
    // The stream is out of step now; drop it so the next call starts clean.
    redisFree(ctx_);
    ctx_ = nullptr;
    return s;
  }
  Reply reply = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

Result<std::vector<Reply>> Connection::Pipeline(const std::vector<Command>& commands) {
  if (ctx_ == nullptr) {
    if (Status s = Connect(); !s.ok()) return s;
  }
  RedisMetrics& m = Metrics();
  const auto start = std::chrono::steady_clock::now();
  m.round_trips.Inc();
  m.commands.Inc(commands.size());
  for (const auto& c : commands) {
    if (Status s = Append(c); !s.ok()) {
      m.connection_errors.Inc();
      return s;
    }
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    Result<Reply> r = ReadOne();
    if (!r.ok()) {
      m.connection_errors.Inc();
      return r.status();
    }
    if (r->is_error()) m.error_replies.Inc();
    replies.push_back(std::move(r).value());
  }
  m.latency.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return replies;
}

Result<Reply> Connection::Run(const Command& command) {
  Result<std::vector<Reply>> r = Pipeline({command});
  if (!r.ok()) return r.status();
  Reply& reply = r.value()[0];
  if (reply.is_error()) return ErrorReply(command[0], reply.str);
  return std::move(reply);
}

Result<Reply> Connection::Eval(const Script& script, const std::vector<std::string>& keys,
                               const std::vector<std::string>& args) {
  const Command cmd = script.Invocation(keys, args);
  Result<std::vector<Reply>> r = Pipeline({cmd});
  if (!r.ok()) return r.status();
  Reply& reply = r.value()[0];
  if (reply.is_error() && reply.str.rfind("NOSCRIPT", 0) == 0) {
    Result<Reply> loaded = Run({"SCRIPT", "LOAD", script.source()});
    if (!loaded.ok()) return loaded.status();
    return Run(cmd);
  }
  if (reply.is_error()) return ErrorReply("script", reply.str);
  return std::move(reply);
}

Result<std::vector<Reply>> Connection::PipelineScripts(const std::vector<Command>& commands,
                                                       std::initializer_list<const Script*> scripts) {
  Result<std::vector<Reply>> replies = Pipeline(commands);
  if (!replies.ok()) return replies;
  std::vector<size_t> missed;
  for (size_t i = 0; i < replies->size(); ++i) {
    if ((*replies)[i].is_error() && (*replies)[i].str.rfind("NOSCRIPT", 0) == 0) missed.push_back(i);
  }
  if (missed.empty()) return replies;
  for (const Script* s : scripts) {
    if (Result<Reply> r = Run({"SCRIPT", "LOAD", s->source()}); !r.ok()) return r.status();
  }
  std::vector<Command> again;
  for (size_t i : missed) again.push_back(commands[i]);
  Result<std::vector<Reply>> retried = Pipeline(again);
  if (!retried.ok()) return retried.status();
  for (size_t k = 0; k < missed.size(); ++k) (*replies)[missed[k]] = std::move((*retried)[k]);
  return replies;
}

Result<std::unique_ptr<Pool>> Pool::Open(const config::RedisConfig& config) {
  auto pool = std::make_unique<Pool>();
  for (int i = 0; i < config.pool_size; ++i) {
    Result<std::unique_ptr<Connection>> c = Connection::Open(config);
    if (!c.ok()) return c.status();
    pool->idle_.push_back(std::move(c).value());
  }
  return pool;
}

Pool::Lease Pool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty(); });
  std::unique_ptr<Connection> c = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(c));
}

void Pool::Return(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

}  // namespace smsgw::redis
