//! Stopping a run between writes (SIGINT/SIGTERM): no new write starts after a request to stop.

use tokio::sync::watch;

/// Held by whoever may stop the run (the signal handler).
pub struct CancelHandle {
    tx: watch::Sender<bool>,
}

/// Held by the engine.
#[derive(Clone)]
pub struct Cancel {
    rx: watch::Receiver<bool>,
}

pub fn channel() -> (CancelHandle, Cancel) {
    let (tx, rx) = watch::channel(false);
    (CancelHandle { tx }, Cancel { rx })
}

impl CancelHandle {
    pub fn cancel(&self) {
        let _ = self.tx.send(true);
    }
}

impl Cancel {
    /// A token that is never cancelled.
    pub fn never() -> Self {
        channel().1
    }

    pub fn is_cancelled(&self) -> bool {
        *self.rx.borrow()
    }

    /// Completes once cancellation is requested (never, if the handle is dropped unused).
    pub async fn cancelled(&self) {
        let mut rx = self.rx.clone();
        if rx.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
