#pragma once

// Internal to the simulator: the acceptor and one Session per TCP connection. Everything runs
// on ServerImpl::strand_.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "smpp/pdu.h"
#include "smsgw-smsc-sim/server.h"

namespace smsgw::smsc_sim {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class Session;

class ServerImpl : public std::enable_shared_from_this<ServerImpl> {
 public:
  ServerImpl(boost::asio::io_context& io, ServerOptions options);

  Status Listen();
  void Accept();
  void DoStop();
  void Forget(const std::shared_ptr<Session>& session);

  // A message id never handed out before, by this server or (in practice) an earlier one.
  std::string NextMessageId();

  Strand strand_;
  const ServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> listening_{false};  // Listen() succeeded: handlers may be pending
  bool stopped_ = false;
  std::set<std::shared_ptr<Session>> sessions_;
  uint64_t next_message_id_;

  std::atomic<uint64_t> binds_{0}, bind_failures_{0}, submits_{0}, throttled_{0}, rejected_{0},
      receipts_sent_{0}, receipts_acked_{0}, max_in_flight_{0};
};

// One ESME connection.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerImpl> server, boost::asio::ip::tcp::socket socket);

  void Start();
  // Closes the socket and cancels pending responses and receipts. Idempotent.
  void Close();

 private:
  void Read();
  void OnFrame(const std::string& frame);
  void OnPdu(const smpp::Pdu& pdu);
  void OnBind(const smpp::Pdu& pdu, const smpp::BindTransceiver& bind);
  void OnSubmit(const smpp::Pdu& pdu, const smpp::SubmitSm& submit);
  void Respond(uint32_t sequence_number, const smpp::SubmitSm& submit, uint32_t status,
               const std::string& message_id);
  void SendReceipt(const smpp::SubmitSm& submit, const std::string& message_id,
                   const std::string& submit_date);
  void Send(uint32_t sequence_number, smpp::PduBody body, uint32_t status = smpp::ESME_ROK);
  void StartWrite();
  // Runs `fn` after `delay_ms` unless the session closes first.
  void After(int delay_ms, std::function<void()> fn);

  std::shared_ptr<ServerImpl> server_;
  boost::asio::ip::tcp::socket socket_;
  std::string peer_;
  smpp::FrameDecoder decoder_;
  std::array<char, 4096> read_buf_{};
  std::deque<std::string> write_queue_;
  bool writing_ = false;
  bool close_when_drained_ = false;
  bool closed_ = false;
  bool bound_ = false;
  std::string system_id_;
  uint64_t in_flight_ = 0;  // submit_sm received, response not yet sent
  uint32_t next_sequence_ = 1;
  std::set<std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace smsgw::smsc_sim
