"""The crash and fault suite (tests/chaos/run): a whole smsgw under load while its processes
are killed and its network misbehaves, then checked from the client's side."""
