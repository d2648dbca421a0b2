#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

// Sends status callbacks over HTTP(S) with libcurl's multi interface: many transfers at once on
// one thread, at most `max_total` connections in all and `max_per_host` to any one host (libcurl
// holds the rest back until a connection is free), so one slow customer server cannot take
// every connection. The address each connection goes to is checked against the target policy
// (url_policy.h) after DNS resolution, before connecting. No redirects are followed, no proxy
// from the environment is used, and answers are read and dropped.
//
// Not thread-safe: one thread calls Add and Poll.
namespace smsgw::webhook {

struct Request {
  int64_t id = 0;  // the caller's, handed back in the Outcome
  bool post = true;  // POST `body` (Content-Type application/json), else GET
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
};

struct Outcome {
  int64_t id = 0;
  int http_code = 0;    // 0: no HTTP answer
  std::string error;    // empty on a 2xx answer
  bool refused = false;  // the target policy refused the address: trying again will not help
  double seconds = 0;    // how long the attempt took (libcurl's total time)
};

class HttpSender {
 public:
  struct Options {
    int max_total = 64;
    int max_per_host = 8;
    int timeout_ms = 10'000;
    bool allow_private = false;  // [report] webhook_allow_private
  };

  explicit HttpSender(Options options);
  ~HttpSender();
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  // Starts (or queues, past the connection limits) one transfer.
  void Add(Request request);
  // Transfers added and not yet finished.
  size_t in_flight() const;
  // Runs the transfers, waiting up to `wait_ms` for something to happen, and returns those
  // that finished.
  std::vector<Outcome> Poll(int wait_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace smsgw::webhook
