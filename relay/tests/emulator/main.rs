//! The emulator, driven in process through its router.

mod cams;
mod gateway;
mod harness;
mod qr;
mod sts;
mod testing;
