//! A TCP proxy between the services and PostgreSQL that a test can switch to refuse
//! connections or to black-hole them (accept and never answer), then heal.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Forward = 0,
    /// New connections are closed at once; open ones are cut.
    Down = 1,
    /// New connections are accepted and never answered; open ones stall.
    BlackHole = 2,
}

pub struct FaultProxy {
    pub port: u16,
    mode: Arc<AtomicU8>,
    cut: broadcast::Sender<()>,
    freeze: broadcast::Sender<()>,
}

impl FaultProxy {
    /// Listens on a random local port and forwards to `target` ("host:port").
    pub async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let mode = Arc::new(AtomicU8::new(Mode::Forward as u8));
        let (cut, _) = broadcast::channel(4);
        let (freeze, _) = broadcast::channel(4);
        let (m, c, f) = (mode.clone(), cut.clone(), freeze.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mode = m.load(Ordering::SeqCst);
                let mut cut_rx = c.subscribe();
                let mut freeze_rx = f.subscribe();
                let target = target.clone();
                tokio::spawn(async move {
                    if mode == Mode::Down as u8 {
                        return;
                    }
                    if mode == Mode::BlackHole as u8 {
                        let _ = cut_rx.recv().await;
                        return;
                    }
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut_rx.recv() => {}
                        // A partition: keep both sockets open, move no bytes, until healed.
                        _ = freeze_rx.recv() => { let _ = cut_rx.recv().await; }
                    }
                });
            }
        });
        Self {
            port,
            mode,
            cut,
            freeze,
        }
    }

    /// Switches mode. Down and Forward cut open connections; BlackHole freezes them, like a
    /// network partition.
    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
        if mode == Mode::BlackHole {
            let _ = self.freeze.send(());
        } else {
            let _ = self.cut.send(());
        }
    }
}
