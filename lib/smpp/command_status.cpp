#include "smpp/command_status.h"

#include <cstdio>

namespace smsgw::smpp {

bool IsTransient(uint32_t command_status) {
  switch (command_status) {
    case ESME_RTHROTTLED:
    case ESME_RMSGQFUL:
    case ESME_RSYSERR:
    case ESME_RX_T_APPN:
      return true;
    default:
      return false;
  }
}

namespace {

const char* KnownName(uint32_t s) {
  switch (s) {
    case ESME_ROK: return "ESME_ROK";
    case ESME_RINVMSGLEN: return "ESME_RINVMSGLEN";
    case ESME_RINVCMDLEN: return "ESME_RINVCMDLEN";
    case ESME_RINVCMDID: return "ESME_RINVCMDID";
    case ESME_RINVBNDSTS: return "ESME_RINVBNDSTS";
    case ESME_RALYBND: return "ESME_RALYBND";
    case ESME_RINVREGDLVFLG: return "ESME_RINVREGDLVFLG";
    case ESME_RSYSERR: return "ESME_RSYSERR";
    case ESME_RINVSRCADR: return "ESME_RINVSRCADR";
    case ESME_RINVDSTADR: return "ESME_RINVDSTADR";
    case ESME_RINVMSGID: return "ESME_RINVMSGID";
    case ESME_RBINDFAIL: return "ESME_RBINDFAIL";
    case ESME_RINVPASWD: return "ESME_RINVPASWD";
    case ESME_RINVSYSID: return "ESME_RINVSYSID";
    case ESME_RMSGQFUL: return "ESME_RMSGQFUL";
    case ESME_RINVSERTYP: return "ESME_RINVSERTYP";
    case ESME_RINVESMCLASS: return "ESME_RINVESMCLASS";
    case ESME_RSUBMITFAIL: return "ESME_RSUBMITFAIL";
    case ESME_RINVSRCTON: return "ESME_RINVSRCTON";
    case ESME_RINVSRCNPI: return "ESME_RINVSRCNPI";
    case ESME_RINVDSTTON: return "ESME_RINVDSTTON";
    case ESME_RINVDSTNPI: return "ESME_RINVDSTNPI";
    case ESME_RINVSYSTYP: return "ESME_RINVSYSTYP";
    case ESME_RTHROTTLED: return "ESME_RTHROTTLED";
    case ESME_RINVSCHED: return "ESME_RINVSCHED";
    case ESME_RINVEXPIRY: return "ESME_RINVEXPIRY";
    case ESME_RX_T_APPN: return "ESME_RX_T_APPN";
    case ESME_RX_P_APPN: return "ESME_RX_P_APPN";
    case ESME_RX_R_APPN: return "ESME_RX_R_APPN";
    case ESME_RINVOPTPARSTREAM: return "ESME_RINVOPTPARSTREAM";
    case ESME_ROPTPARNOTALLWD: return "ESME_ROPTPARNOTALLWD";
    case ESME_RINVPARLEN: return "ESME_RINVPARLEN";
    case ESME_RMISSINGOPTPARAM: return "ESME_RMISSINGOPTPARAM";
    case ESME_RINVOPTPARAMVAL: return "ESME_RINVOPTPARAMVAL";
    case ESME_RDELIVERYFAILURE: return "ESME_RDELIVERYFAILURE";
    case ESME_RUNKNOWNERR: return "ESME_RUNKNOWNERR";
    default: return nullptr;
  }
}

}  // namespace

std::string CommandStatusName(uint32_t command_status) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", command_status);
  const char* name = KnownName(command_status);
  if (name == nullptr) return hex;
  return std::string(name) + " (" + hex + ")";
}

}  // namespace smsgw::smpp
