// smsgw-smsc-sim: an SMPP 3.4 SMSC for tests and local runs. See server.h.

#include "smsgw-smsc-sim/server.h"

int main(int argc, char** argv) { return smsgw::smsc_sim::RunSmscSim(argc, argv); }
