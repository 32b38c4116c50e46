//! Emulator tests over loopback.
