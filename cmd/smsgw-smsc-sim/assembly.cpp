#include "smsgw-smsc-sim/assembly.h"

namespace smsgw::smsc_sim {

std::optional<PartInfo> PartOf(const smpp::SubmitSm& submit) {
  const std::string base = submit.source_addr + "|" + submit.destination_addr + "|";
  if (submit.sar_msg_ref_num && submit.sar_total_segments && submit.sar_segment_seqnum) {
    return PartInfo{base + "sar" + std::to_string(*submit.sar_msg_ref_num), *submit.sar_total_segments,
                    *submit.sar_segment_seqnum};
  }
  if ((submit.esm_class & smpp::kEsmClassUdhi) == 0) return std::nullopt;
  const std::string& data = submit.Payload();
  if (data.empty()) return std::nullopt;
  const size_t udhl = static_cast<uint8_t>(data[0]);
  size_t p = 1;
  while (p + 2 <= 1 + udhl && p + 2 <= data.size()) {
    const auto iei = static_cast<uint8_t>(data[p]);
    const size_t len = static_cast<uint8_t>(data[p + 1]);
    const size_t v = p + 2;
    if (v + len > data.size()) break;
    auto at = [&](size_t i) { return static_cast<int>(static_cast<uint8_t>(data[v + i])); };
    if (iei == 0x00 && len == 3) return PartInfo{base + "u8-" + std::to_string(at(0)), at(1), at(2)};
    if (iei == 0x08 && len == 4) return PartInfo{base + "u16-" + std::to_string(at(0) * 256 + at(1)), at(2), at(3)};
    p = v + len;
  }
  return std::nullopt;
}

void Assembly::Add(const PartInfo& part) {
  if (open_.size() >= kMaxOpen && open_.count(part.key) == 0) {
    errors_ += open_.size();
    open_.clear();
  }
  Message& m = open_[part.key];
  if (m.total == 0) m.total = part.total;
  if (part.total != m.total || part.index < 1 || part.index > m.total) {
    ++errors_;
    return;
  }
  if (!m.seen.insert(part.index).second) {
    ++duplicates_;
    return;
  }
  if (static_cast<int>(m.seen.size()) == m.total) {
    ++complete_;
    open_.erase(part.key);
  }
}

}  // namespace smsgw::smsc_sim
