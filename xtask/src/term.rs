//! Terminal output: colours (stripped by anstream when piped or when `NO_COLOR` is set), a
//! one-line status that rewrites itself on a terminal, and symbols.

use anstyle::{AnsiColor, Style};
use std::io::{IsTerminal, Write};

pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BAD: Style = AnsiColor::Red.on_default().bold();
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();

/// `text` in `style`; plain when colours are off (anstream strips the codes).
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

pub fn mark(ok: bool) -> String {
    if ok { paint(GOOD, "✔") } else { paint(BAD, "✘") }
}

/// Whether colours are wanted on standard output (cargo's rules: NO_COLOR, CLICOLOR_FORCE, tty).
pub fn color_enabled() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// A status line on standard error that redraws in place on a terminal and stays silent
/// otherwise (CI logs get the final result, not a thousand redraws).
pub struct StatusLine {
    live: bool,
    shown: bool,
}

impl StatusLine {
    pub fn new() -> Self {
        StatusLine { live: std::io::stderr().is_terminal(), shown: false }
    }

    /// A new phase of the work: redrawn on a terminal, printed as its own line elsewhere, so a
    /// CI log shows what a long run is doing without a line per measurement.
    pub fn phase(&mut self, text: &str) {
        if self.live {
            self.set(text);
        } else {
            anstream::eprintln!("{}", paint(DIM, text));
        }
    }

    /// A detail of the current phase: shown on a terminal only.
    pub fn set(&mut self, text: &str) {
        if self.live {
            let width = terminal_width().saturating_sub(1);
            let text: String = text.chars().take(width).collect();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{text:<width$}");
            let _ = err.flush();
            self.shown = true;
        }
    }

    pub fn clear(&mut self) {
        if self.shown {
            let width = terminal_width().saturating_sub(1);
            let _ = write!(std::io::stderr().lock(), "\r{:width$}\r", "");
            self.shown = false;
        }
    }
}

impl Drop for StatusLine {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The width of the terminal on standard error (where status lines go), else `COLUMNS`, else 80:
/// a status line wider than the pane wraps and is no longer erased.
fn terminal_width() -> usize {
    // SAFETY: TIOCGWINSZ only fills the winsize it is given.
    let asked = unsafe {
        let mut size = std::mem::zeroed::<libc::winsize>();
        (libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) == 0 && size.ws_col > 0)
            .then_some(size.ws_col as usize)
    };
    asked.or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())).unwrap_or(80)
}
