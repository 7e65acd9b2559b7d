//! Any bytes given to the workbook reader: it answers a table or an error, never panics,
//! and stays within its limits (small ones here, so that the fuzzer reaches them).
#![no_main]

use frt_sheets::{read, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 1024 * 1024,
        max_rows: 1_000,
        max_columns: 50,
        max_cells: 20_000,
        max_uncompressed_bytes: 4 * 1024 * 1024,
        max_shared_strings_bytes: 1024 * 1024,
        max_zip_entries: 100,
    };
    if let Ok(table) = read(data, &limits, None) {
        assert!(table.rows.len() <= 1_000);
        assert!(table.header.len() <= 50);
    }
});
