// The ESME client against the SMSC simulator, both in this process, over real TCP on
// 127.0.0.1. Each side runs its own io_context thread, as in production where the SMSC is
// another machine. Every wait has a deadline.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "smpp/client.h"
#include "smpp/pdu.h"
#include "smsgw-smsc-sim/server.h"

namespace smsgw {
namespace {

using namespace std::chrono_literals;
using smpp::Client;
using smpp::ClientConfig;
using smpp::Receipt;
using smpp::SubmitRequest;
using smpp::SubmitResult;
using smsc_sim::Server;
using smsc_sim::ServerOptions;

constexpr auto kDeadline = 10s;

// An io_context run by its own thread until destroyed.
class Loop {
 public:
  Loop() : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~Loop() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// What the client reported, plus a bounded wait on any condition over it (or over atomics
// such as Client::bound(): the wait re-checks every 10 ms as well as on every report).
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SubmitResult> results;
  std::vector<Receipt> receipts;

  Client::DoneHandler Done() {
    return [this](SubmitResult r) {
      std::lock_guard lock(mu);
      results.push_back(std::move(r));
      cv.notify_all();
    };
  }
  void OnReceipt(const Receipt& r) {
    std::lock_guard lock(mu);
    receipts.push_back(r);
    cv.notify_all();
  }
  bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = kDeadline) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu);
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      cv.wait_for(lock, 10ms);
    }
    return true;
  }
  size_t result_count() {
    std::lock_guard lock(mu);
    return results.size();
  }
};

SubmitRequest Message(std::string dest, int parts = 1) {
  SubmitRequest r;
  r.source_addr = "ACME";
  r.dest_addr = std::move(dest);
  for (int i = 0; i < parts; ++i) r.parts.push_back("part " + std::to_string(i + 1));
  return r;
}

class SmppClientSimTest : public ::testing::Test {
 protected:
  // Listens on a free port unless `port` is given (a restart on the same port).
  void StartSim(ServerOptions options, uint16_t port = 0) {
    options.listen_host = "127.0.0.1";
    options.port = port;
    sim_ = std::make_unique<Server>(sim_loop_.io(), std::move(options));
    Status s = sim_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  ClientConfig Config() const {
    ClientConfig c;
    c.operator_name = "test";
    c.host = "127.0.0.1";
    c.port = sim_->port();
    c.system_id = "smsgw";
    c.password = "secret";
    c.window = 10;
    c.enquire_link_s = 1;
    c.response_timeout_ms = 2000;
    c.reconnect_initial_ms = 50;
    c.reconnect_max_ms = 200;
    return c;
  }

  void StartClient(ClientConfig config) {
    client_ = std::make_unique<Client>(client_loop_.io(), std::move(config));
    client_->set_on_receipt([this](const Receipt& r, Client::Ack ack) {
      rec_.OnReceipt(r);
      if (ack_receipts_) ack(true);
    });
    client_->Start();
  }

  void WaitBound() {
    ASSERT_TRUE(rec_.WaitFor([&] { return client_->bound(); })) << "client never bound";
  }

  void TearDown() override {
    if (client_) {
      std::promise<void> stopped;
      client_->Stop([&] { stopped.set_value(); });
      EXPECT_EQ(stopped.get_future().wait_for(kDeadline), std::future_status::ready);
      client_.reset();
    }
    sim_.reset();
  }

  Loop sim_loop_;
  Loop client_loop_;
  Recorder rec_;
  std::atomic<bool> ack_receipts_{true};
  std::unique_ptr<Server> sim_;
  std::unique_ptr<Client> client_;
};

TEST_F(SmppClientSimTest, SubmitsWithinTheWindowAndGetsEveryReceipt) {
  ServerOptions o;
  o.receipt_delay_ms = 20;
  o.response_delay_ms = 2;  // keeps responses outstanding so the window fills
  StartSim(o);
  StartClient(Config());
  WaitBound();

  constexpr int kMessages = 200;
  size_t expected_parts = 0;
  for (int i = 0; i < kMessages; ++i) {
    const int parts = i % 5 == 0 ? 3 : 1;
    expected_parts += parts;
    client_->Submit(Message("+49151" + std::to_string(1000000 + i), parts), rec_.Done());
  }
  ASSERT_TRUE(rec_.WaitFor([&] {
    return rec_.results.size() == kMessages && rec_.receipts.size() == expected_parts;
  })) << rec_.result_count() << " results, " << rec_.receipts.size() << " receipts";

  std::set<std::string> ids;
  for (const SubmitResult& r : rec_.results) {
    ASSERT_TRUE(r.ok()) << r.detail;
    for (const std::string& id : r.message_ids) {
      ASSERT_FALSE(id.empty());
      ids.insert(id);
    }
  }
  EXPECT_EQ(ids.size(), expected_parts);
  for (const Receipt& r : rec_.receipts) {
    EXPECT_EQ(ids.count(r.message_id), 1u) << r.message_id;
    EXPECT_EQ(r.state, smpp::ReceiptState::kDelivered);
    EXPECT_EQ(r.error_code, "000");
  }

  const smpp::ClientCounters c = client_->counters();
  EXPECT_EQ(c.submitted, expected_parts);
  EXPECT_EQ(c.responses, expected_parts);
  EXPECT_EQ(c.receipts, expected_parts);
  EXPECT_LE(c.max_in_flight, 10u);
  const smsc_sim::ServerCounters s = sim_->counters();
  EXPECT_EQ(s.submits, expected_parts);
  EXPECT_EQ(s.receipts_sent, expected_parts);
  EXPECT_LE(s.max_in_flight, 10u);  // as seen on the wire: the window held
  EXPECT_GE(s.max_in_flight, 2u);   // and was used
  EXPECT_TRUE(rec_.WaitFor([&] { return sim_->counters().receipts_acked == expected_parts; }));
}

TEST_F(SmppClientSimTest, WrongPasswordLeavesItUnboundAndSubmitFailsFast) {
  ServerOptions o;
  o.system_id = "smsgw";
  o.password = "right";
  StartSim(o);
  StartClient(Config());  // password "secret"
  // Refused, then retried with backoff.
  ASSERT_TRUE(rec_.WaitFor([&] { return sim_->counters().bind_failures >= 2; }));
  EXPECT_FALSE(client_->bound());
  EXPECT_EQ(sim_->counters().binds, 0u);

  const auto start = std::chrono::steady_clock::now();
  client_->Submit(Message("+491511234567"), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(rec_.results[0].transient());
  EXPECT_EQ(rec_.results[0].detail, "not bound");
  EXPECT_EQ(sim_->counters().submits, 0u);
}

TEST_F(SmppClientSimTest, LinkLossFailsInFlightAndReconnects) {
  ServerOptions o;
  o.response_delay_ms = 5000;  // answers never come before the SMSC goes away
  StartSim(o);
  const uint16_t port = sim_->port();
  StartClient(Config());
  WaitBound();

  for (int i = 0; i < 15; ++i) client_->Submit(Message("+4915100000" + std::to_string(i)), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return sim_->counters().submits == 10; }));  // the window
  EXPECT_EQ(client_->counters().queued, 5u);

  sim_->Stop();
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 15; }));
  for (const SubmitResult& r : rec_.results) {
    EXPECT_TRUE(r.transient());
    EXPECT_EQ(r.detail, "connection lost");
  }
  EXPECT_TRUE(rec_.WaitFor([&] { return !client_->bound(); }));

  // The SMSC comes back on the same port; the client finds it again by itself.
  sim_.reset();
  StartSim(ServerOptions{}, port);
  WaitBound();
  EXPECT_GE(client_->counters().reconnects, 1u);

  client_->Submit(Message("+491519999999", 2), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 16; }));
  EXPECT_TRUE(rec_.results.back().ok()) << rec_.results.back().detail;
  EXPECT_EQ(rec_.results.back().message_ids.size(), 2u);
}

TEST_F(SmppClientSimTest, ThrottlingIsTransient) {
  ServerOptions o;
  o.throttle_every = 3;
  StartSim(o);
  StartClient(Config());
  WaitBound();
  for (int i = 0; i < 9; ++i) client_->Submit(Message("+4915100000" + std::to_string(i)), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 9; }));
  int throttled = 0;
  for (const SubmitResult& r : rec_.results) {
    if (r.ok()) continue;
    ++throttled;
    EXPECT_TRUE(r.transient());
    EXPECT_EQ(r.command_status, smpp::ESME_RTHROTTLED);
    EXPECT_EQ(r.ToStatus().code(), ErrorCode::kUnavailable);
  }
  EXPECT_EQ(throttled, 3);
  EXPECT_TRUE(client_->bound());  // throttling is no reason to drop the link
}

TEST_F(SmppClientSimTest, RejectedDestinationIsPermanent) {
  ServerOptions o;
  o.reject_prefix = "999";
  StartSim(o);
  ClientConfig c = Config();
  c.window = 1;  // one part at a time, so the failure of the first stops the others
  StartClient(c);
  WaitBound();
  client_->Submit(Message("+999123456", 3), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 1; }));
  const SubmitResult& r = rec_.results[0];
  EXPECT_TRUE(r.permanent());
  EXPECT_EQ(r.command_status, smpp::ESME_RSUBMITFAIL);
  // The first part failed, so the rest of the message was never sent.
  EXPECT_EQ(sim_->counters().submits, 1u);

  client_->Submit(Message("+491511234567"), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 2; }));
  EXPECT_TRUE(rec_.results[1].ok());
}

TEST_F(SmppClientSimTest, MissingResponseTimesOut) {
  ServerOptions o;
  o.response_delay_ms = 3000;
  StartSim(o);
  ClientConfig c = Config();
  c.response_timeout_ms = 200;
  StartClient(c);
  WaitBound();
  client_->Submit(Message("+491511234567"), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 1; }));
  EXPECT_TRUE(rec_.results[0].transient());
  EXPECT_EQ(rec_.results[0].detail, "timeout");
  EXPECT_EQ(client_->counters().timeouts, 1u);
  EXPECT_EQ(client_->counters().in_flight, 0u);
}

TEST_F(SmppClientSimTest, UndeliveredReceiptAndCleanUnbind) {
  ServerOptions o;
  o.receipt_stat = "UNDELIV";
  o.receipt_delay_ms = 10;
  StartSim(o);
  StartClient(Config());
  WaitBound();
  client_->Submit(Message("+491511234567"), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.receipts.size() == 1; }));
  EXPECT_EQ(rec_.receipts[0].state, smpp::ReceiptState::kUndelivered);
  EXPECT_EQ(rec_.receipts[0].stat, "UNDELIV");
  EXPECT_EQ(rec_.receipts[0].message_id, rec_.results.at(0).message_ids.at(0));

  std::promise<void> stopped;
  client_->Stop([&] { stopped.set_value(); });
  ASSERT_EQ(stopped.get_future().wait_for(kDeadline), std::future_status::ready);
  EXPECT_FALSE(client_->bound());
  client_->Submit(Message("+491511234567"), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 2; }));
  EXPECT_TRUE(rec_.results[1].transient());
  client_.reset();
}


// Review m7: a bind that cannot be encoded (system_type over 12 octets) used to leave the link
// connected and unbound for ever. Now the link is dropped and tried again with backoff.
TEST_F(SmppClientSimTest, ABindThatCannotBeEncodedBacksOffInsteadOfHanging) {
  StartSim(ServerOptions{});
  ClientConfig c = Config();
  c.system_type = "far-too-long-type";
  StartClient(c);
  ASSERT_TRUE(rec_.WaitFor([&] { return client_->counters().reconnects >= 2; })) << "stuck connected and unbound";
  EXPECT_FALSE(client_->bound());
  EXPECT_EQ(sim_->counters().binds, 0u);
}

// Review m18: the answer comes after the timeout; the caller learns the id all the same.
TEST_F(SmppClientSimTest, ALateResponseIsReportedWithItsTag) {
  ServerOptions o;
  o.slow_every = 1;
  o.slow_ms = 600;
  StartSim(o);
  ClientConfig c = Config();
  c.response_timeout_ms = 200;
  client_ = std::make_unique<Client>(client_loop_.io(), c);
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> late;
  client_->set_on_late_response([&](const std::string& tag, size_t part, const std::string& id) {
    std::lock_guard lock(mu);
    late.emplace_back(tag + "/" + std::to_string(part), id);
  });
  client_->Start();
  WaitBound();
  SubmitRequest r = Message("+491511234567");
  r.tag = "7:msg-1:1";
  client_->Submit(r, rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 1; }));
  EXPECT_EQ(rec_.results[0].detail, "timeout");
  ASSERT_TRUE(rec_.WaitFor([&] {
    std::lock_guard lock(mu);
    return !late.empty();
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(late[0].first, "7:msg-1:1/0");
  EXPECT_FALSE(late[0].second.empty());
  EXPECT_EQ(client_->counters().late_responses, 1u);
}

// Review M2 and m20: receipts the ESME has not acknowledged are sent again on its next bind
// (the simulator used to lose them with the session); one refused with ESME_RX_T_APPN comes
// again too.
TEST_F(SmppClientSimTest, UnacknowledgedReceiptsComeAgainOnTheNextBind) {
  ServerOptions o;
  o.receipt_delay_ms = 10;
  StartSim(o);
  ack_receipts_ = false;  // got, never acknowledged: as if the ESME died before recording them
  StartClient(Config());
  WaitBound();
  for (int i = 0; i < 3; ++i) client_->Submit(Message("+4915100000" + std::to_string(i)), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.receipts.size() == 3; }));
  EXPECT_EQ(sim_->counters().receipts_acked, 0u);
  // The ESME goes away and comes back; this time it records and acknowledges.
  std::promise<void> stopped;
  client_->Stop([&] { stopped.set_value(); });
  ASSERT_EQ(stopped.get_future().wait_for(kDeadline), std::future_status::ready);
  client_.reset();
  ack_receipts_ = true;
  StartClient(Config());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.receipts.size() == 6; }));
  EXPECT_TRUE(rec_.WaitFor([&] { return sim_->counters().receipts_acked == 3; }));
  EXPECT_EQ(sim_->counters().receipts_resent, 3u);
}

TEST_F(SmppClientSimTest, AReceiptRefusedAsNotRecordedComesAgain) {
  ServerOptions o;
  o.receipt_delay_ms = 10;
  StartSim(o);
  std::atomic<int> seen{0};
  client_ = std::make_unique<Client>(client_loop_.io(), Config());
  client_->set_on_receipt([&](const Receipt& r, Client::Ack ack) {
    rec_.OnReceipt(r);
    ack(++seen > 1);  // the first could not be recorded
  });
  client_->Start();
  WaitBound();
  client_->Submit(Message("+491511234567"), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return sim_->counters().receipts_acked == 1; }));
  EXPECT_EQ(sim_->counters().receipts_refused, 1u);
  EXPECT_EQ(client_->counters().refused_inbound, 1u);
  EXPECT_EQ(rec_.receipts.size(), 2u);
}

// bind_transmitter for submits beside bind_receiver for receipts; and SAR TLVs, which the
// simulator reassembles.
TEST_F(SmppClientSimTest, TransmitterAndReceiverBindsWithSarParts) {
  ServerOptions o;
  o.receipt_delay_ms = 10;
  StartSim(o);
  ClientConfig c = Config();
  c.bind_mode = smpp::BindMode::kTransmitterReceiver;
  c.long_messages = smpp::LongMessages::kSar;
  StartClient(c);
  WaitBound();
  ASSERT_TRUE(rec_.WaitFor([&] { return sim_->counters().binds == 2; }));
  client_->Submit(Message("+491511234567", 3), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 1 && rec_.receipts.size() == 3; }));
  EXPECT_TRUE(rec_.results[0].ok()) << rec_.results[0].detail;
  EXPECT_EQ(sim_->counters().reassembled, 1u);
  EXPECT_EQ(sim_->counters().duplicate_parts, 0u);
}

// Review m19 at the client: parts the SMSC took are not sent again, under the same reference.
TEST_F(SmppClientSimTest, OnlyThePartsNotTakenAreSentAgain) {
  ServerOptions o;
  o.fail_part = 2;
  StartSim(o);
  ClientConfig c = Config();
  c.window = 1;
  StartClient(c);
  WaitBound();
  client_->Submit(Message("+491511234567", 3), rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 1; }));
  const SubmitResult first = rec_.results[0];
  ASSERT_TRUE(first.transient());
  ASSERT_EQ(first.message_ids.size(), 3u);
  EXPECT_FALSE(first.message_ids[0].empty());
  EXPECT_TRUE(first.message_ids[1].empty());
  SubmitRequest again = Message("+491511234567", 3);
  again.done_ids = first.message_ids;
  again.concat_ref = first.concat_ref;
  client_->Submit(again, rec_.Done());
  ASSERT_TRUE(rec_.WaitFor([&] { return rec_.results.size() == 2; }));
  ASSERT_TRUE(rec_.results[1].ok()) << rec_.results[1].detail;
  EXPECT_EQ(rec_.results[1].message_ids[0], first.message_ids[0]);
  EXPECT_EQ(sim_->counters().reassembled, 1u);
  EXPECT_EQ(sim_->counters().duplicate_parts, 0u);
  EXPECT_EQ(sim_->counters().submits, 4u);  // 1 + refused 2 (3 never sent), then 2 + 3
}

// Review F8: an ESME that floods enquire_link and never reads makes the simulator stop reading
// it (then drop it), instead of queueing every answer in memory.
TEST_F(SmppClientSimTest, APeerThatDoesNotReadCannotGrowTheQueue) {
  ServerOptions o;
  o.max_write_queue = 1000;
  StartSim(o);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), sim_->port()});
  std::string flood;
  for (uint32_t seq = 1; seq <= 300000; ++seq) flood += *smpp::Encode(smpp::Pdu{0, seq, smpp::EnquireLink{}});
  boost::asio::async_write(socket, boost::asio::buffer(flood), [](boost::system::error_code, size_t) {});
  io.run_for(std::chrono::seconds(3));  // whatever got written by then; we never read
  EXPECT_GT(sim_->counters().max_write_queue, 0u);
  EXPECT_LE(sim_->counters().max_write_queue, 1000u);
}

// Not SMPP at all: the simulator answers generic_nack and hangs up instead of crashing.
TEST_F(SmppClientSimTest, SimulatorNacksGarbage) {
  StartSim(ServerOptions{});
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), sim_->port()});
  boost::asio::write(socket, boost::asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  // Read the reply and then until EOF, on a private io_context run for a bounded time.
  std::string received;
  std::array<char, 256> buf{};
  boost::system::error_code end;
  std::function<void()> read_more = [&] {
    socket.async_read_some(boost::asio::buffer(buf), [&](boost::system::error_code ec, size_t n) {
      received.append(buf.data(), n);
      if (ec) {
        end = ec;
        return;
      }
      read_more();
    });
  };
  read_more();
  io.run_for(kDeadline);
  EXPECT_EQ(end, boost::asio::error::eof) << end.message();
  ASSERT_EQ(received.size(), 16u);
  const smpp::PduHeader h = smpp::ReadHeader(received);
  EXPECT_EQ(h.command_length, 16u);
  EXPECT_EQ(h.command_id, smpp::kGenericNack);
  EXPECT_EQ(h.command_status, smpp::ESME_RINVCMDLEN);
}

// A hand-driven SMSC on a plain socket, to check what the client answers to requests the
// simulator never sends. Every read runs a private io_context for a bounded time.
class RawSmsc {
 public:
  RawSmsc() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}), socket_(io_) {}

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  bool Accept() {
    bool ok = false;
    acceptor_.async_accept(socket_, [&](boost::system::error_code ec) { ok = !ec; });
    Run();
    return ok;
  }

  // The next PDU the client sends with `command_id`; enquire_link on the way is answered.
  Result<smpp::Pdu> Expect(uint32_t command_id) {
    while (true) {
      Result<smpp::Pdu> pdu = Next();
      if (!pdu.ok()) return pdu;
      if (pdu->command_id() == command_id) return pdu;
      if (pdu->command_id() != smpp::kEnquireLink) {
        return Status::Internal("unexpected " + smpp::CommandName(pdu->command_id()));
      }
      Write(smpp::Pdu{0, pdu->sequence_number, smpp::EnquireLinkResp{}});
    }
  }

  void Write(const smpp::Pdu& pdu) {
    boost::asio::write(socket_, boost::asio::buffer(*smpp::Encode(pdu)));
  }

 private:
  Result<smpp::Pdu> Next() {
    while (true) {
      auto frame = decoder_.Next();
      if (!frame.ok()) return frame.status();
      if (frame->has_value()) return smpp::Decode(**frame);
      bool got = false;
      socket_.async_read_some(boost::asio::buffer(buf_),
                              [&](boost::system::error_code ec, size_t n) {
                                if (ec) return;
                                decoder_.Feed(std::string_view(buf_.data(), n));
                                got = true;
                              });
      Run();
      if (!got) return Status::Unavailable("nothing from the client in time");
    }
  }
  void Run() {
    io_.restart();
    io_.run_for(kDeadline);
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::socket socket_;
  smpp::FrameDecoder decoder_;
  std::array<char, 4096> buf_{};
};

TEST(SmppClientRawTest, SpeaksTheProtocol) {
  RawSmsc smsc;
  Loop loop;
  Recorder rec;
  ClientConfig c;
  c.port = smsc.port();
  c.system_id = "smsgw";
  c.password = "pw";
  c.system_type = "SMS";
  c.enquire_link_s = 1;
  Client client(loop.io(), c);
  std::atomic<int> mo{0};
  client.set_on_mo([&](const smpp::DeliverSm& d, Client::Ack ack) {
    if (d.short_message == "STOP") ++mo;
    ack(true);
  });
  client.Start();

  ASSERT_TRUE(smsc.Accept());
  Result<smpp::Pdu> bind = smsc.Expect(smpp::kBindTransceiver);
  ASSERT_TRUE(bind.ok()) << bind.status().ToString();
  const auto& b = *bind->As<smpp::BindTransceiver>();
  EXPECT_EQ(b.system_id, "smsgw");
  EXPECT_EQ(b.password, "pw");
  EXPECT_EQ(b.system_type, "SMS");
  EXPECT_EQ(b.interface_version, 0x34);
  smsc.Write(smpp::Pdu{0, bind->sequence_number, smpp::BindTransceiverResp{"raw", std::nullopt}});
  ASSERT_TRUE(rec.WaitFor([&] { return client.bound(); }));

  // Our enquire_link is answered with the same sequence number.
  smsc.Write(smpp::Pdu{0, 100, smpp::EnquireLink{}});
  Result<smpp::Pdu> pong = smsc.Expect(smpp::kEnquireLinkResp);
  ASSERT_TRUE(pong.ok()) << pong.status().ToString();
  EXPECT_EQ(pong->sequence_number, 100u);

  // A command the client does not do (query_sm) gets generic_nack ESME_RINVCMDID.
  smsc.Write(smpp::Pdu{0, 101, smpp::UnknownPdu{0x00000003, std::string("42\0\0\0\0", 6)}});
  Result<smpp::Pdu> nack = smsc.Expect(smpp::kGenericNack);
  ASSERT_TRUE(nack.ok()) << nack.status().ToString();
  EXPECT_EQ(nack->sequence_number, 101u);
  EXPECT_EQ(nack->command_status, smpp::ESME_RINVCMDID);

  // A mobile-originated deliver_sm is acknowledged and handed to on_mo.
  smpp::DeliverSm mo_sm;
  mo_sm.source_addr = "491511234567";
  mo_sm.destination_addr = "ACME";
  mo_sm.short_message = "STOP";
  smsc.Write(smpp::Pdu{0, 102, mo_sm});
  Result<smpp::Pdu> ack = smsc.Expect(smpp::kDeliverSmResp);
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(ack->sequence_number, 102u);
  EXPECT_EQ(mo.load(), 1);

  // The client's own keep-alive comes within enquire_link_s.
  Result<smpp::Pdu> ping = smsc.Expect(smpp::kEnquireLink);
  ASSERT_TRUE(ping.ok()) << ping.status().ToString();
  smsc.Write(smpp::Pdu{0, ping->sequence_number, smpp::EnquireLinkResp{}});

  // submit_sm fields, and a queue-full answer is transient.
  SubmitRequest req = Message("+4915112345678");
  req.source_addr = "+4930123456";
  req.data_coding = smpp::kDataCodingUcs2;
  client.Submit(req, rec.Done());
  Result<smpp::Pdu> submit = smsc.Expect(smpp::kSubmitSm);
  ASSERT_TRUE(submit.ok()) << submit.status().ToString();
  const auto& sm = *submit->As<smpp::SubmitSm>();
  EXPECT_EQ(sm.source_addr_ton, 1);
  EXPECT_EQ(sm.source_addr_npi, 1);
  EXPECT_EQ(sm.source_addr, "4930123456");
  EXPECT_EQ(sm.dest_addr_ton, 1);
  EXPECT_EQ(sm.dest_addr_npi, 1);
  EXPECT_EQ(sm.destination_addr, "4915112345678");
  EXPECT_EQ(sm.data_coding, smpp::kDataCodingUcs2);
  EXPECT_EQ(sm.registered_delivery, 1);
  EXPECT_EQ(sm.short_message, "part 1");
  smsc.Write(smpp::Pdu{smpp::ESME_RMSGQFUL, submit->sequence_number, smpp::SubmitSmResp{}});
  ASSERT_TRUE(rec.WaitFor([&] { return rec.results.size() == 1; }));
  EXPECT_TRUE(rec.results[0].transient());
  EXPECT_EQ(rec.results[0].command_status, smpp::ESME_RMSGQFUL);

  // Stop() says goodbye and waits for the answer.
  std::promise<void> stopped;
  client.Stop([&] { stopped.set_value(); });
  Result<smpp::Pdu> unbind = smsc.Expect(smpp::kUnbind);
  ASSERT_TRUE(unbind.ok()) << unbind.status().ToString();
  smsc.Write(smpp::Pdu{0, unbind->sequence_number, smpp::UnbindResp{}});
  EXPECT_EQ(stopped.get_future().wait_for(kDeadline), std::future_status::ready);
  EXPECT_FALSE(client.bound());
}

}  // namespace
}  // namespace smsgw
