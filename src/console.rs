//! stderr for humans: event lines, and on a terminal one live status line (current stage and
//! resource with elapsed time) that other lines never tear. In CI every line is plain and
//! timestamped, without cursor movement.
//!
//! Colour: text anywhere in aigw may carry `anstyle` styles; whether a stream shows them is
//! decided once ([`Colors`], from `--color`, `NO_COLOR`, `CLICOLOR_FORCE`, `TERM=dumb` and
//! whether the stream is a terminal) and applied where text is written ([`for_stream`]).

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::duration::human;
use crate::env::Env;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour on a terminal, unless the environment says otherwise.
    #[default]
    Auto,
    Always,
    Never,
}

/// Whether each stream shows colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Colors {
    pub stdout: bool,
    pub stderr: bool,
}

impl Colors {
    /// Decided once at start-up, for the real stdout and stderr.
    pub fn detect(choice: ColorChoice, env: &Env) -> Self {
        Colors {
            stdout: use_color(choice, env, std::io::stdout().is_terminal()),
            stderr: use_color(choice, env, std::io::stderr().is_terminal()),
        }
    }
}

/// The conventions anstream follows (<https://no-color.org>, <https://bixense.com/clicolors/>),
/// read from the environment aigw snapshotted at start-up.
pub fn use_color(choice: ColorChoice, env: &Env, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env.non_empty("NO_COLOR").is_some() {
                false
            } else if env.non_empty("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else {
                terminal && env.get("TERM") != Some("dumb") && env.get("CLICOLOR") != Some("0")
            }
        }
    }
}

/// `text` as a stream shows it: styles kept when it shows colour, removed otherwise.
pub fn for_stream(text: &str, color: bool) -> Cow<'_, str> {
    if color {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(anstream::adapter::strip_str(text).to_string())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Interactive terminal: a live status line that updates in place.
    Live,
    /// CI logs and pipes: one timestamped line per event.
    Plain,
}

#[derive(Clone)]
pub struct Console {
    inner: Arc<Mutex<State>>,
    style: Style,
    color: bool,
}

struct State {
    status: Option<(String, Instant)>,
    drawn: bool,
}

impl Console {
    /// `color`: whether stderr shows colour ([`Colors::stderr`]).
    pub fn new(style: Style, color: bool) -> Self {
        Console {
            inner: Arc::new(Mutex::new(State {
                status: None,
                drawn: false,
            })),
            style,
            color,
        }
    }

    pub fn style(&self) -> Style {
        self.style
    }

    /// Prints one event (with a timestamp in plain style), keeping the live status intact.
    ///
    /// Event text can carry messages from Azure, so it is untrusted in a CI log: every physical
    /// line gets the timestamp (nothing it holds can start a line as a GitHub `::command::`), and
    /// Azure DevOps markers (`##vso[`, `##[`), which the agent finds anywhere in a line, are
    /// defused. Commands aigw means to send go through [`Console::raw`].
    pub fn line(&self, text: &str) {
        let text = event_text(self.style, &timestamp(), &for_stream(text, self.color));
        self.redraw(Some(&text), None);
    }

    /// Prints a line exactly as given (CI workflow commands must start the line).
    pub fn raw(&self, text: &str) {
        self.redraw(Some(text), None);
    }

    /// Sets (or clears) the live status line; ignored in plain style.
    pub fn status(&self, text: Option<String>) {
        if self.style == Style::Live {
            self.redraw(None, Some(text));
        }
    }

    /// Redraws the status line with the elapsed time; call periodically.
    pub fn tick(&self) {
        if self.style == Style::Live {
            self.redraw(None, None);
        }
    }

    /// The one place that writes: clears the status line, prints `line`, applies a new status,
    /// and draws the status again (live style).
    fn redraw(&self, line: Option<&str>, status: Option<Option<String>>) {
        let Ok(mut state) = self.inner.lock() else {
            return;
        };
        let mut err = std::io::stderr().lock();
        if state.drawn {
            // Cursor control, not colour: a live status line is only drawn on a terminal.
            let _ = write!(err, "\r\x1b[2K");
            state.drawn = false;
        }
        if let Some(line) = line {
            let _ = writeln!(err, "{line}");
        }
        if let Some(status) = status {
            state.status = status.map(|t| (t, Instant::now()));
        }
        if self.style == Style::Live {
            draw(&mut state, &mut err);
        }
    }

    /// Spawns the task that keeps the elapsed time moving (live style only).
    pub fn start_ticker(&self) -> Option<tokio::task::JoinHandle<()>> {
        if self.style != Style::Live {
            return None;
        }
        let console = self.clone();
        Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                console.tick();
            }
        }))
    }
}

/// What [`Console::line`] prints for `text`.
fn event_text(style: Style, stamp: &str, text: &str) -> String {
    let text = crate::ci::azure_devops::neutralize(text);
    match style {
        Style::Plain => text
            .split('\n')
            .map(|line| format!("{stamp} {}", line.trim_end_matches('\r')))
            .collect::<Vec<_>>()
            .join("\n"),
        Style::Live => text,
    }
}

fn draw(state: &mut State, err: &mut impl Write) {
    if let Some((text, since)) = &state.status {
        let _ = write!(err, "{text} {}", human(since.elapsed()));
        let _ = err.flush();
        state.drawn = true;
    }
}

pub fn timestamp() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Lets `tracing` write through the console (so log lines never tear the status line).
impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Console {
    type Writer = ConsoleWriter;

    fn make_writer(&'a self) -> Self::Writer {
        ConsoleWriter {
            console: self.clone(),
            buffer: Vec::new(),
        }
    }
}

pub struct ConsoleWriter {
    console: Console,
    buffer: Vec<u8>,
}

impl Write for ConsoleWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for ConsoleWriter {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buffer);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            self.console.line(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_then_the_environment_then_the_terminal() {
        let env = |pairs: &[(&str, &str)]| Env::from_pairs(pairs.iter().copied());
        let auto = ColorChoice::Auto;
        assert!(use_color(auto, &env(&[]), true));
        assert!(!use_color(auto, &env(&[]), false));
        assert!(!use_color(auto, &env(&[("NO_COLOR", "1")]), true));
        assert!(use_color(auto, &env(&[("NO_COLOR", "")]), true));
        assert!(!use_color(auto, &env(&[("TERM", "dumb")]), true));
        assert!(!use_color(auto, &env(&[("CLICOLOR", "0")]), true));
        assert!(use_color(auto, &env(&[("CLICOLOR_FORCE", "1")]), false));
        assert!(!use_color(auto, &env(&[("CLICOLOR_FORCE", "0")]), false));
        let no_color = env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
        assert!(!use_color(auto, &no_color, true));
        assert!(use_color(ColorChoice::Always, &no_color, false));
        assert!(!use_color(
            ColorChoice::Never,
            &env(&[("CLICOLOR_FORCE", "1")]),
            true
        ));
    }

    #[test]
    fn streams_without_colour_get_the_text_without_styles() {
        let styled = "\x1b[32mvalid\x1b[0m: 3 regions\n\tnext";
        assert_eq!(for_stream(styled, true), styled);
        assert_eq!(for_stream(styled, false), "valid: 3 regions\n\tnext");
    }

    #[test]
    fn plain_events_stamp_every_line_so_no_line_starts_a_workflow_command() {
        let text = event_text(
            Style::Plain,
            "T",
            "failed: Conflict\n::set-output name=result::ok\r\nend",
        );
        assert_eq!(
            text,
            "T failed: Conflict\nT ::set-output name=result::ok\nT end"
        );
        assert!(text.lines().all(|l| l.starts_with("T ")));
    }

    #[test]
    fn azure_devops_markers_are_defused_in_every_style() {
        for style in [Style::Plain, Style::Live] {
            let text = event_text(
                style,
                "T",
                "x ##vso[task.complete result=Succeeded] ##[group]",
            );
            assert!(!text.contains("##vso["), "{text}");
            assert!(!text.contains("##["), "{text}");
            assert!(text.contains("**vso[task.complete"), "{text}");
        }
    }

    #[test]
    fn ordinary_text_is_unchanged_apart_from_the_stamp() {
        assert_eq!(event_text(Style::Live, "T", "a # b ## c"), "a # b ## c");
        assert_eq!(event_text(Style::Plain, "T", "ok"), "T ok");
    }
}
