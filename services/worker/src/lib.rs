//! The background worker: sends the outbox (`sender`) and runs the daily deadline sweep
//! (`frt_cases::sweep`), in one loop (`run`) that any number of workers may run side by side.

pub mod run;
pub mod sender;

pub use run::Worker;
