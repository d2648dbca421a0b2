#pragma once

// Internal to the simulator: the acceptor, receipts waiting for a bind, reassembly, and one
// Session per TCP connection. Everything runs on ServerImpl::strand_.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "smpp/pdu.h"
#include "smsgw-smsc-sim/assembly.h"
#include "smsgw-smsc-sim/server.h"

namespace smsgw::smsc_sim {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class Session;

// A deliver_sm (receipt or MO) for the binds of one system_id.
struct Outgoing {
  std::string system_id;
  smpp::DeliverSm pdu;
  bool resend = false;  // sent before and not acknowledged
};

class ServerImpl : public std::enable_shared_from_this<ServerImpl> {
 public:
  ServerImpl(boost::asio::io_context& io, ServerOptions options);

  Status Listen();
  void Accept();
  void DoStop();
  void Forget(const std::shared_ptr<Session>& session);

  // A message id never handed out before, by this server or (in practice) an earlier one.
  std::string NextMessageId();
  // The verdict on submit number `n` (1-based): ESME_ROK or the fault the options ask for.
  uint32_t Verdict(uint64_t n, const smpp::SubmitSm& submit);
  // The stat for the next receipt, from the outcome mix.
  std::string NextStat();
  // One line of options_.submit_log, when it is set.
  void LogSubmit(const smpp::SubmitSm& submit, uint32_t status, const std::string& message_id);

  // Sends `out` on a bind of its system_id that can receive, in turn; keeps it until one is
  // bound when none is.
  void Dispatch(Outgoing out);
  // A session just bound: it takes the deliver_sm waiting for its system_id.
  void OnReceiverBound(const std::shared_ptr<Session>& session);

  Strand strand_;
  const ServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer rate_timer_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> listening_{false};  // Listen() succeeded: handlers may be pending
  bool stopped_ = false;
  std::set<std::shared_ptr<Session>> sessions_;
  std::FILE* submit_log_ = nullptr;  // options_.submit_log, open in append mode
  std::map<std::string, std::deque<Outgoing>> waiting_;  // by system_id: no receiver bound
  uint64_t next_message_id_;
  uint64_t rotation_ = 0;  // which receiver gets the next deliver_sm
  std::mt19937_64 rng_;
  Assembly assembly_;
  std::set<std::string> failed_parts_;  // fail_part: messages whose part already failed once
  std::set<std::shared_ptr<boost::asio::steady_timer>> timers_;  // receipts on their way: cancelled at stop
  int64_t tps_second_ = 0;  // the second max_tps counts in, and the count
  int tps_count_ = 0;

  std::atomic<uint64_t> binds_{0}, bind_failures_{0}, submits_{0}, throttled_{0}, rejected_{0},
      receipts_sent_{0}, receipts_acked_{0}, max_in_flight_{0}, receipts_resent_{0}, receipts_refused_{0},
      mo_sent_{0}, failed_transient_{0}, failed_permanent_{0}, max_write_queue_{0}, reassembled_{0},
      duplicate_parts_{0}, reassembly_errors_{0};  // the last three mirror assembly_

 private:
  void PrintRate(uint64_t last_submits, uint64_t last_receipts, uint64_t last_throttled);
};

// One ESME connection.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerImpl> server, boost::asio::ip::tcp::socket socket);

  void Start();
  // Closes the socket, cancels pending responses, and hands the deliver_sm not yet
  // acknowledged back to the server, to be sent again. Idempotent.
  void Close();
  // Sends a deliver_sm and keeps it until the ESME acknowledges it.
  void Deliver(Outgoing out);

  bool can_receive() const { return bound_ && receives_; }
  const std::string& system_id() const { return system_id_; }

 private:
  void Read();
  void OnFrame(const std::string& frame);
  void OnPdu(const smpp::Pdu& pdu);
  void OnBind(const smpp::Pdu& pdu, const smpp::BindTransceiver& bind);
  void OnSubmit(const smpp::Pdu& pdu, const smpp::SubmitSm& submit);
  void OnDeliverSmResp(const smpp::Pdu& pdu);
  void Respond(uint32_t sequence_number, const smpp::SubmitSm& submit, uint32_t status,
               const std::string& message_id);
  void ScheduleReceipt(const smpp::SubmitSm& submit, const std::string& message_id);
  void SendMo(const smpp::SubmitSm& submit);
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
  bool read_paused_ = false;
  bool close_when_drained_ = false;
  bool closed_ = false;
  bool bound_ = false;
  bool receives_ = true;   // transceiver or receiver
  bool transmits_ = true;  // transceiver or transmitter
  std::string system_id_;
  uint64_t in_flight_ = 0;  // submit_sm received, response not yet sent
  uint32_t next_sequence_ = 1;
  std::map<uint32_t, Outgoing> unacked_;  // deliver_sm sent, by sequence number
  std::set<std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace smsgw::smsc_sim
