#pragma once

// Big-endian octet writer and bounds-checked reader for the PDU codec. Internal to
// lib/smpp: the public API speaks Pdu structs, not octets.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace smsgw::smpp::wire {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) {
    U8(static_cast<uint8_t>(v >> 8));
    U8(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v >> 16));
    U16(static_cast<uint16_t>(v));
  }
  void Bytes(std::string_view v) { out_.append(v); }

  // A C-octet string; `max` counts the NUL, as the spec's field tables do. The first error
  // met is kept and later writes still happen, so callers check status() once at the end.
  void CString(std::string_view field, std::string_view v, size_t max) {
    if (v.find('\0') != std::string_view::npos) {
      Fail(std::string(field) + ": contains a NUL octet");
    } else if (v.size() + 1 > max) {
      Fail(std::string(field) + ": " + std::to_string(v.size()) + " octets, limit " +
           std::to_string(max - 1));
    }
    Bytes(v);
    U8(0);
  }
  void Tlv(uint16_t tag, std::string_view value) {
    if (value.size() > 0xFFFF) Fail("TLV " + std::to_string(tag) + ": value too long");
    U16(tag);
    U16(static_cast<uint16_t>(value.size()));
    Bytes(value);
  }
  void Fail(std::string message) {
    if (status_.ok()) status_ = Status::InvalidArgument(std::move(message));
  }
  const Status& status() const { return status_; }

 private:
  std::string& out_;
  Status status_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  size_t remaining() const { return in_.size() - pos_; }
  bool failed() const { return !status_.ok(); }
  const Status& status() const { return status_; }

  // Reads return 0 / empty once failed, so a decoder reads every field and checks at the end.
  uint8_t U8(std::string_view field) {
    if (!Need(field, 1)) return 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint16_t U16(std::string_view field) {
    if (!Need(field, 2)) return 0;
    uint16_t v = static_cast<uint16_t>((static_cast<uint8_t>(in_[pos_]) << 8) |
                                       static_cast<uint8_t>(in_[pos_ + 1]));
    pos_ += 2;
    return v;
  }
  uint32_t U32(std::string_view field) {
    uint32_t hi = U16(field);
    uint32_t lo = U16(field);
    return (hi << 16) | lo;
  }
  std::string Bytes(std::string_view field, size_t n) {
    if (!Need(field, n)) return {};
    std::string v(in_.substr(pos_, n));
    pos_ += n;
    return v;
  }
  // A C-octet string whose NUL must appear within `max` octets (NUL included).
  std::string CString(std::string_view field, size_t max) {
    if (failed()) return {};
    std::string_view window = in_.substr(pos_, max);
    size_t nul = window.find('\0');
    if (nul == std::string_view::npos) {
      Fail(std::string(field) + ": no NUL terminator within " + std::to_string(max) + " octets");
      return {};
    }
    std::string v(window.substr(0, nul));
    pos_ += nul + 1;
    return v;
  }
  void Fail(std::string message) {
    if (status_.ok()) status_ = Status::InvalidArgument(std::move(message));
  }

 private:
  bool Need(std::string_view field, size_t n) {
    if (failed()) return false;
    if (remaining() < n) {
      Fail(std::string(field) + ": truncated");
      return false;
    }
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  Status status_;
};

}  // namespace smsgw::smpp::wire
