#include "ledger/run_ledger.h"

int main(int argc, char** argv) { return smsgw::ledger::RunLedger(argc, argv); }
