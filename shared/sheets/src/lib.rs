//! Spreadsheets in and out.
//!
//! - [`read`]: a workbook from untrusted bytes, guarded before any large allocation: the file
//!   must be an xlsx (zip) or xls (OLE) workbook, not encrypted; the archive's declared and
//!   actual uncompressed sizes, its entry count, the shared-strings table and the sheet's
//!   declared and actual rows, columns and cells are held to [`Limits`] (for an xls, every
//!   sheet's, walked before calamine opens it). Formulas give their cached values; nothing is
//!   evaluated.
//! - [`columns`]: what an import's sheet holds, column by column, matched by their Chinese
//!   headers; [`template`] turns it into a workbook to fill in (instructions, drop-down lists)
//!   and [`write::error_workbook`] returns an upload with an error column beside bad rows.
//! - [`write`]: xlsx writers with the platform's conventions: Chinese headers frozen with a
//!   filter, real date cells, and text that could run as a formula written as text.

pub mod columns;
pub mod export;
pub mod read;
pub mod template;
pub mod value;
pub mod write;
mod xls;

pub use columns::{Column, ColumnKind, Spec};
pub use read::{read, read_into, Limits, Row, Rows, SheetError, Table};
pub use value::Value;
