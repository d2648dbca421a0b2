#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace smsgw::smsc_sim {

// What the simulated SMSC does. The fault options are real protocol behaviour, so the ESME's
// handling of them is tested against bytes on a socket, not mocks.
struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t port = 2775;           // 0: the kernel picks a free port; see Server::port()
  std::string system_id;          // empty: any system_id may bind
  std::string password;           // empty: any password; wrong one -> ESME_RINVPASWD
  int receipt_delay_ms = 200;     // from submit_sm_resp to the deliver_sm receipt
  int response_delay_ms = 0;      // hold each submit_sm_resp back, so an ESME's window fills
  std::string receipt_stat = "DELIVRD";  // stat: of every receipt (UNDELIV, EXPIRED, ...)
  // Outcome mix of receipts, stat -> weight ("DELIVRD" 90, "UNDELIV" 10); empty: receipt_stat.
  std::vector<std::pair<std::string, int>> receipt_mix;
  int throttle_every = 0;         // every Nth submit_sm gets ESME_RTHROTTLED; 0: never
  int max_tps = 0;                // submit_sm beyond this many in one second: ESME_RTHROTTLED; 0: no limit
  double transient_rate = 0;      // share of submit_sm answered ESME_RSYSERR (transient)
  double permanent_rate = 0;      // share answered ESME_RSUBMITFAIL (permanent)
  uint64_t seed = 1;              // for the rates and the receipt mix
  std::string reject_prefix;      // destination_addr starting with it: ESME_RSUBMITFAIL
  std::string id_format = "hex";  // message ids in submit_sm_resp: hex, HEX (upper case) or dec
  // How receipt texts write the id: same (as submit_sm_resp), hex, HEX, dec, or dec10 (decimal
  // zero-padded to 10 digits, as Appendix B shows it).
  std::string receipt_id_format = "same";
  bool receipt_tlvs = true;       // receipted_message_id and message_state TLVs in receipts
  int slow_every = 0;             // every Nth submit_sm is answered only after slow_ms
  int slow_ms = 0;
  int fail_part = 0;              // part N (1-based) of each concatenated message: ESME_RSYSERR the first time
  int mo_every = 0;               // after every Nth accepted submit_sm, an MO deliver_sm from its destination
  int max_write_queue = 4096;     // PDUs queued for an ESME that does not read: then it is dropped
  bool print_rate = false;        // a line per second with the counts on stdout
  // Appends a line per submit_sm received to this file (empty: none), flushed at once, so that
  // it survives a kill: the witness of what reached the SMSC (tests/chaos). Tab-separated:
  // verdict (command_status, hex), destination_addr, message id given, payload as printable
  // ASCII (other octets as '.').
  std::string submit_log;
};

// Totals since Start(), over all binds.
struct ServerCounters {
  uint64_t binds = 0;          // successful bind_transceiver
  uint64_t bind_failures = 0;  // refused ones
  uint64_t submits = 0;        // submit_sm received, whatever the answer
  uint64_t throttled = 0;
  uint64_t rejected = 0;
  uint64_t receipts_sent = 0;
  uint64_t receipts_acked = 0;  // deliver_sm_resp received
  uint64_t max_in_flight = 0;   // most submit_sm received and not yet answered on one bind
  uint64_t receipts_resent = 0;   // sent again: the bind died before the ack, or the ack refused it
  uint64_t receipts_refused = 0;  // deliver_sm_resp with an error status
  uint64_t mo_sent = 0;
  uint64_t failed_transient = 0;  // ESME_RSYSERR answers (transient_rate, fail_part)
  uint64_t failed_permanent = 0;  // ESME_RSUBMITFAIL answers from permanent_rate
  uint64_t reassembled = 0;       // concatenated messages whose every part arrived once
  uint64_t duplicate_parts = 0;   // a part of a concatenated message that arrived again
  uint64_t reassembly_errors = 0;  // parts whose total disagrees with the others'
  uint64_t max_write_queue = 0;   // most PDUs queued for one connection
};

class ServerImpl;

// A small SMSC speaking SMPP 3.4 over TCP: many binds at once (transceiver, transmitter,
// receiver); answers submit_sm with a fresh message id and, receipt_delay_ms later, sends a
// deliver_sm receipt (esm_class 0x04, Appendix B text, receipted_message_id and message_state
// TLVs) when registered_delivery asks for one, on any bind of the same system_id that can
// receive, in turn, as real SMSCs do. A receipt not acknowledged with ESME_ROK (the bind died,
// or the answer was an error) is sent again, on a later bind if need be. Checks that the parts
// of concatenated messages (UDH or SAR) arrive once each. Answers enquire_link and unbind;
// generic_nack for anything else, and garbage gets generic_nack and a closed connection.
//
// Threads: the io_context may be run by any number of threads (all work is on one strand).
class Server {
 public:
  // Does not listen yet. The io_context must outlive the Server.
  Server(boost::asio::io_context& io, ServerOptions options);

  // Stop().
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the listening socket (SO_REUSEADDR, so a restart may take the same port at once) and
  // starts accepting. Fails with kUnavailable when the address cannot be bound. Call once.
  Status Start();

  // Closes the listening socket and every connection (no unbind: like an SMSC going away).
  // From a thread that does not run the io_context it returns once all is closed (waiting at
  // most 5 s), so the port can be reused right away; from inside the io_context it only
  // starts closing. Idempotent.
  void Stop();

  // The port listened on, known once Start() succeeded (the chosen one when options.port is 0).
  uint16_t port() const;

  ServerCounters counters() const;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<ServerImpl> impl_;
};

// The smsgw-smsc-sim program: flags, logging, signals. Returns the exit code.
int RunSmscSim(int argc, char** argv);

}  // namespace smsgw::smsc_sim
