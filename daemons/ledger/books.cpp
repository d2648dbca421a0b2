#include "ledger/books.h"

#include <algorithm>
#include <charconv>

#include "keys/keys.h"
#include "ledger/paging.h"

namespace smsgw::ledger {
namespace {

constexpr int kDefaultHistory = 50;
constexpr int kMaxPage = 1000;

// A history cursor is "<at µs>.<rank>.<tiebreak>" of the last entry of the previous page.
std::string Cursor(const MoneyStore::Entry& e) {
  return std::to_string(e.at_us) + "." + std::to_string(e.rank) + "." + std::to_string(e.tiebreak);
}

// The next dot-separated integer of `text`, which it consumes.
std::optional<int64_t> Field(std::string_view& text) {
  const size_t dot = std::min(text.find('.'), text.size());
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + dot, v);
  if (dot == 0 || ec != std::errc() || end != text.data() + dot) return std::nullopt;
  text.remove_prefix(dot == text.size() ? dot : dot + 1);
  return v;
}

std::optional<MoneyStore::Position> ParseCursor(std::string_view text) {
  const std::optional<int64_t> at = Field(text);
  const std::optional<int64_t> rank = at ? Field(text) : std::nullopt;
  const std::optional<int64_t> tiebreak = rank ? Field(text) : std::nullopt;
  if (!tiebreak || !text.empty() || *rank < 0 || *rank > 9) return std::nullopt;
  return MoneyStore::Position{*at, static_cast<int>(*rank), *tiebreak};
}

constexpr int kRereads = 3;

// What Reconcile reads of an account in Redis; Hot(reply, i) is field i (0 when absent).
redis::Command ReadHot(int64_t account_id) {
  return {"HMGET", keys::Account(account_id), "balance", "held", "charged", "refunded", "topup_seq"};
}
int64_t Hot(const redis::Reply& r, size_t i) {
  if (i >= r.elements.size()) return 0;
  Result<int64_t> v = r.elements[i].AsInt();
  return v.ok() ? *v : 0;
}
bool Missing(const redis::Reply& r) { return r.elements.size() != 5 || r.elements[0].is_nil(); }

v1::ReconcileRow Row(int64_t account, const char* source, int64_t topups, int64_t balance, int64_t held,
                     int64_t charged, int64_t refunded) {
  v1::ReconcileRow row;
  row.set_account_id(account);
  row.set_source(source);
  row.set_topups(topups);
  row.set_balance(balance);
  row.set_held(held);
  row.set_charged(charged);
  row.set_refunded(refunded);
  row.set_difference(topups - (balance + held + charged - refunded));
  return row;
}

bool Differs(const MoneyStore::Books& b, const redis::Reply& h) {
  return Missing(h) ||
         Row(b.account_id, "redis", b.topups, Hot(h, 0), Hot(h, 1), Hot(h, 2), Hot(h, 3)).difference() != 0;
}

}  // namespace

Result<v1::HistoryReply> Books::History(const v1::HistoryRequest& req) {
  if (req.account_id() <= 0) return Status::InvalidArgument("account_id must be positive");
  Result<int> limit = PageSize(req.limit(), kDefaultHistory, kMaxPage);
  if (!limit.ok()) return limit.status();
  std::optional<MoneyStore::Position> before;
  if (!req.before().empty()) {
    before = ParseCursor(req.before());
    if (!before) return Status::InvalidArgument("before: not a history cursor");
  }
  Result<std::vector<MoneyStore::Entry>> entries = store_.History(req.account_id(), before, *limit);
  if (!entries.ok()) return entries.status();
  v1::HistoryReply reply;
  for (const MoneyStore::Entry& e : *entries) {
    v1::HistoryEntry* out = reply.add_entries();
    out->set_at_ms(e.at_us / 1000);
    out->set_kind(e.kind);
    out->set_amount(e.amount);
    out->set_reference(e.reference);
  }
  if (static_cast<int>(entries->size()) == *limit) reply.set_next_before(Cursor(entries->back()));
  return reply;
}

Result<redis::Reply> Books::ReadRedis(int64_t account_id) { return redis_.Acquire()->Run(ReadHot(account_id)); }

Result<v1::ReconcileReply> Books::Reconcile(const v1::ReconcileRequest& req) {
  if (req.after_id() < 0) return Status::InvalidArgument("after_id must not be negative");
  Result<int> limit = PageSize(req.limit(), kMaxPage, kMaxPage);
  if (!limit.ok()) return limit.status();
  Result<std::vector<MoneyStore::Books>> books = store_.LoadBooks(req.after_id(), *limit);
  if (!books.ok()) return books.status();
  std::vector<redis::Command> reads;
  for (const MoneyStore::Books& b : *books) {
    reads.push_back(ReadHot(b.account_id));
  }
  std::vector<redis::Reply> hot;
  if (!reads.empty()) {
    Result<std::vector<redis::Reply>> r = redis_.Acquire()->Pipeline(reads);
    if (!r.ok()) return r.status();
    if (Status s = redis::PipelineStatus(reads, *r); !s.ok()) return s;
    hot = std::move(r).value();
  }
  v1::ReconcileReply reply;
  for (size_t i = 0; i < books->size(); ++i) {
    MoneyStore::Books b = (*books)[i];
    redis::Reply h = hot[i];
    // A difference may be a top-up between its two steps, or one PostgreSQL committed after
    // it was read here and Redis applied before: finish what Redis lacks and read both again.
    for (int attempt = 0; attempt < kRereads && Differs(b, h); ++attempt) {
      if (Hot(h, 4) < b.topup_seq) {
        Result<int> applied = topups_.ApplyAfter(b.account_id, Hot(h, 4));
        if (!applied.ok()) return applied.status();
      }
      Result<std::vector<MoneyStore::Books>> again = store_.LoadBooks(b.account_id - 1, 1);
      if (!again.ok()) return again.status();
      if (again->empty() || again->front().account_id != b.account_id) break;
      b = again->front();
      Result<redis::Reply> hot_again = ReadRedis(b.account_id);
      if (!hot_again.ok()) return hot_again.status();
      h = std::move(hot_again).value();
    }
    v1::ReconcileRow redis_row = Row(b.account_id, "redis", b.topups, Hot(h, 0), Hot(h, 1), Hot(h, 2), Hot(h, 3));
    redis_row.set_missing(Missing(h));
    *reply.add_rows() = std::move(redis_row);
    *reply.add_rows() = Row(b.account_id, "postgres", b.topups, b.balance, b.held, b.charged, b.refunded);
  }
  if (static_cast<int>(books->size()) == *limit) reply.set_next_after_id(books->back().account_id);
  return reply;
}

}  // namespace smsgw::ledger
