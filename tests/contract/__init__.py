"""Contract suites every backend implementation passes (vdirsyncer's StorageTests, for gmo-sync's ports)."""
