//! The emulator, driven in process through its router (and, for dropped replies and the
//! listeners, over real sockets).

mod acs3;
mod cams;
mod dropped_replies;
mod faults;
mod fuzz;
mod gateway;
mod harness;
mod limits;
mod qr;
mod sts;
mod testing;
