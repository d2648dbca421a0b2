#include "proto/names.h"

namespace smsgw::v1 {

int StatusRank(MessageStatus status) {
  switch (status) {
    case STATUS_ACCEPTED:
      return 1;
    case STATUS_SUBMITTED:
      return 2;
    case STATUS_DELIVERED:
    case STATUS_UNDELIVERED:
    case STATUS_FAILED:
    case STATUS_EXPIRED:
    case STATUS_CANCELED:
      return 3;
    default:
      return 0;
  }
}

std::string_view StatusName(MessageStatus status) {
  switch (status) {
    case STATUS_ACCEPTED:
      return "accepted";
    case STATUS_SUBMITTED:
      return "submitted";
    case STATUS_DELIVERED:
      return "delivered";
    case STATUS_UNDELIVERED:
      return "undelivered";
    case STATUS_FAILED:
      return "failed";
    case STATUS_EXPIRED:
      return "expired";
    case STATUS_CANCELED:
      return "canceled";
    default:
      return {};
  }
}

MessageStatus StatusFromName(std::string_view name) {
  for (MessageStatus s :
       {STATUS_ACCEPTED, STATUS_SUBMITTED, STATUS_DELIVERED, STATUS_UNDELIVERED,
        STATUS_FAILED, STATUS_EXPIRED, STATUS_CANCELED}) {
    if (StatusName(s) == name) return s;
  }
  return STATUS_UNSPECIFIED;
}

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case ENCODING_GSM7:
      return "gsm7";
    case ENCODING_UCS2:
      return "ucs2";
    default:
      return {};
  }
}

Encoding EncodingFromName(std::string_view name) {
  return name == "ucs2" ? ENCODING_UCS2 : ENCODING_GSM7;
}

std::string_view PriorityName(Priority priority) {
  switch (priority) {
    case PRIORITY_NORMAL:
      return "normal";
    case PRIORITY_EXPRESS:
      return "express";
    default:
      return {};
  }
}

Priority PriorityFromName(std::string_view name) {
  return name == "express" ? PRIORITY_EXPRESS : PRIORITY_NORMAL;
}

}  // namespace smsgw::v1
