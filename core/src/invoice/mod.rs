//! The invoice run (SPEC §8): billing windows, grouping, numbering, the ledger
//! of what was billed before, credits for changed records, and totals that
//! always reconcile.

mod windows;

pub use windows::{Period, clipped_window, window_of, windows};
