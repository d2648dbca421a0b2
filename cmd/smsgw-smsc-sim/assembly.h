#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "smpp/pdu_types.h"

namespace smsgw::smsc_sim {

// Where one part sits in a concatenated message: from the UDH (IEI 0x00, 8-bit reference, or
// 0x08, 16-bit) or the SAR TLVs. nullopt for a message of one part.
struct PartInfo {
  std::string key;  // source, destination and reference: names the whole message
  int total = 0;
  int index = 0;    // 1-based
};
std::optional<PartInfo> PartOf(const smpp::SubmitSm& submit);

// Reassembles concatenated messages from the parts accepted, to check that an ESME sends each
// part once and under one reference: counts messages completed, parts seen twice and parts
// whose total disagrees with the others. Not thread-safe (the server's strand).
class Assembly {
 public:
  void Add(const PartInfo& part);

  uint64_t complete() const { return complete_; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t errors() const { return errors_; }

 private:
  struct Message {
    int total = 0;
    std::set<int> seen;
  };
  // Incomplete messages kept at most; beyond, the oldest references are forgotten (errors).
  static constexpr size_t kMaxOpen = 100000;
  std::map<std::string, Message> open_;
  uint64_t complete_ = 0, duplicates_ = 0, errors_ = 0;
};

}  // namespace smsgw::smsc_sim
