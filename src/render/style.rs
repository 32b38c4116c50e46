//! The styles terminal text uses, in one place so that every output reads alike (cargo's
//! palette: red errors, yellow warnings and changes, green success).

use anstyle::{AnsiColor, Style};

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
/// Something was (or will be) created; a run that succeeded.
pub const GOOD: Style = AnsiColor::Green.on_default();
/// Something was (or will be) changed.
pub const CHANGE: Style = AnsiColor::Yellow.on_default();
/// Something failed or was cut short.
pub const BAD: Style = AnsiColor::Red.on_default();
pub const HEADER: Style = Style::new().bold();

/// `text` in `style`.
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}
