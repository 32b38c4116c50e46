//! SIGINT/SIGTERM from start to exit. One watcher task on aigw's runtime is installed before aigw
//! does anything else, so an interrupt is never lost or ignored, whatever phase the run is in:
//!
//! - while a phase that can stop itself cleanly runs (getting a credential, the deploy walk),
//!   the first interrupt asks it to stop ([`Interrupts::cancel`]): nothing new is written and
//!   the run reports what it did;
//! - in every other phase (reading files, a GitHub call, rendering, a blocked write), and on any
//!   second interrupt, aigw exits at once with 130. If the run promised one JSON document on
//!   stdout and has not written it, the watcher writes it first.
//!
//! The watcher only decides how to stop; what "stop" means for the walk lives in
//! [`crate::deploy::cancel`].

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::console::Console;
use crate::deploy::cancel::{self, Cancel, CancelHandle};
use crate::error::Error;
use crate::exit::{self, Outcome};

/// What an immediate exit leaves on stdout when the run has not written its result.
pub type LastWords = Box<dyn Fn(&mut dyn Write) -> std::io::Result<()> + Send + Sync>;

/// How long an exit waits for a result being written (or for its own last words) before it
/// leaves anyway: a stdout nobody reads must not keep aigw alive.
const WRITE_GRACE: Duration = Duration::from_secs(2);

pub struct Interrupts {
    shared: Arc<Shared>,
    cancel: Cancel,
}

struct Shared {
    handle: CancelHandle,
    /// What the first interrupt stops, in a cooperative phase; `None`: exit at once.
    cooperative: Mutex<Option<&'static str>>,
    count: AtomicU32,
    /// Held while the result is written to stdout; `true` once something was.
    result_written: Mutex<bool>,
    last_words: Option<LastWords>,
    console: Console,
}

impl Interrupts {
    /// Starts watching for SIGINT and SIGTERM (Ctrl-C on Windows) on `runtime`, which must be
    /// multi-threaded so that the watcher runs while the main thread is blocked. The handlers are
    /// registered when this returns; if they cannot be, the operating system's default (end the
    /// process) stays in place.
    pub fn install(
        runtime: &tokio::runtime::Handle,
        console: Console,
        last_words: Option<LastWords>,
    ) -> Self {
        let (handle, cancel) = cancel::channel();
        let shared = Arc::new(Shared {
            handle,
            cooperative: Mutex::new(None),
            count: AtomicU32::new(0),
            result_written: Mutex::new(false),
            last_words,
            console,
        });
        let signals = {
            let _context = runtime.enter();
            Signals::new()
        };
        // Exiting may wait (briefly) for a result being written: on a multi-threaded runtime the
        // worker says so and the others keep going (`block_in_place` is refused elsewhere).
        let may_block = runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread;
        if let Ok(mut signals) = signals {
            let watcher = Arc::clone(&shared);
            runtime.spawn(async move {
                while signals.next().await.is_some() {
                    if may_block {
                        tokio::task::block_in_place(|| watcher.on_signal());
                    } else {
                        watcher.on_signal();
                    }
                }
            });
        }
        Interrupts { shared, cancel }
    }

    /// The stop request the walk (and other cooperative phases) watch.
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Until the guard is dropped, a first interrupt asks the running phase to stop (saying
    /// `stops`, e.g. "no new writes will start") instead of ending the process.
    pub fn cooperate(&self, stops: &'static str) -> Cooperation<'_> {
        let mut mode = lock(&self.shared.cooperative);
        let previous = mode.replace(stops);
        Cooperation {
            shared: &self.shared,
            previous,
        }
    }

    /// Writes the run's result to stdout, at most once per run (a second call writes nothing).
    /// An interrupt meanwhile waits for it (briefly) instead of tearing it.
    pub fn write_result(
        &self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut written = lock(&self.shared.result_written);
        if *written {
            return Ok(());
        }
        // A failed write may have left part of a document: nothing is appended to it later.
        *written = true;
        let mut stdout = std::io::stdout().lock();
        write(&mut stdout).and_then(|()| stdout.flush())
    }
}

/// A cooperative phase; dropping it restores what the first interrupt did before.
pub struct Cooperation<'a> {
    shared: &'a Shared,
    previous: Option<&'static str>,
}

impl Drop for Cooperation<'_> {
    fn drop(&mut self) {
        *lock(&self.shared.cooperative) = self.previous;
    }
}

impl Shared {
    fn on_signal(&self) {
        let count = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let cooperative = *lock(&self.cooperative);
        match (count, cooperative) {
            (1, Some(stops)) => {
                self.console.line(&format!(
                    "aigw: interrupt received: {stops} (interrupt again to exit at once)"
                ));
                self.handle.cancel();
            }
            (1, None) => {
                self.console.line("aigw: interrupted: exiting");
                self.exit();
            }
            _ => {
                self.console.line("aigw: second interrupt: exiting now");
                self.exit();
            }
        }
    }

    /// Leaves with 130, after the last words when the result was not written.
    ///
    /// This is the one exit that does not return through `main`: the main thread may be blocked
    /// where it cannot be asked to return (reading a file, writing to a stdout nobody reads, a
    /// bounded GitHub call), and an interrupt there must end aigw at once. The code still comes
    /// from [`exit::code`].
    fn exit(&self) -> ! {
        let deadline = Instant::now() + WRITE_GRACE;
        loop {
            match self.result_written.try_lock() {
                Ok(written) => {
                    if !*written && let Some(last_words) = &self.last_words {
                        speak(last_words, deadline);
                    }
                    break;
                }
                Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(_) => break,
            }
        }
        leave()
    }
}

/// Writes the last words from a helper thread, so a stdout nobody reads cannot hold the exit.
fn speak(last_words: &LastWords, deadline: Instant) {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        let writer = std::thread::Builder::new().spawn_scoped(scope, move || {
            let mut stdout = std::io::stdout().lock();
            let _ = last_words(&mut stdout).and_then(|()| stdout.flush());
            let _ = done_tx.send(());
        });
        // A writer still blocked after the grace period is left behind: the process exits
        // around it (leaving the scope would wait for it).
        if writer.is_ok()
            && done_rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .is_err()
        {
            leave();
        }
    });
}

/// Ends the process as interrupted (see [`Shared::exit`] for why not through `main`).
fn leave() -> ! {
    std::process::exit(i32::from(exit::code(&Outcome::Failed(Error::Interrupted))))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The signals that stop aigw.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(windows)]
        {
            Ok(Signals {
                ctrl_c: tokio::signal::windows::ctrl_c()?,
            })
        }
    }

    /// The next interrupt; `None` when no more can arrive.
    async fn next(&mut self) -> Option<()> {
        #[cfg(unix)]
        {
            tokio::select! {
                received = self.interrupt.recv() => received,
                received = self.terminate.recv() => received,
            }
        }
        #[cfg(windows)]
        {
            self.ctrl_c.recv().await
        }
    }
}
