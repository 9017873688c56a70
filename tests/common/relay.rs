//! A TCP relay on 127.0.0.1 in front of another loopback server: it counts
//! the connections clients open (to show that connections are pooled), and can
//! trickle the server's bytes to the client one at a time (a slow network).
//! Dropping it ends every connection.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A running relay.
pub struct Relay {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Relay {
    /// Relays to `target` as fast as it can.
    pub async fn start(target: SocketAddr) -> Relay {
        Relay::with_trickle(target, None).await
    }

    /// Relays to `target`; with `trickle`, the server's bytes go to the client
    /// one at a time, `trickle` apart.
    pub async fn with_trickle(target: SocketAddr, trickle: Option<Duration>) -> Relay {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&connections);
        let task = tokio::spawn(async move {
            // Dropping the set (when the task is aborted) ends every connection.
            let mut relayed = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((client, _)) = accepted else { break };
                        count.fetch_add(1, Ordering::Relaxed);
                        relayed.spawn(relay(client, target, trickle));
                    }
                    Some(_) = relayed.join_next(), if !relayed.is_empty() => {}
                }
            }
        });
        Relay {
            addr,
            connections,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections clients have opened so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies both ways until either side closes.
async fn relay(client: TcpStream, target: SocketAddr, trickle: Option<Duration>) {
    let Ok(server) = TcpStream::connect(target).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = async {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    };
    let downstream = async {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let n = match server_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = buffer.get(..n).unwrap_or_default();
            let written = match trickle {
                None => client_write.write_all(chunk).await,
                Some(every) => {
                    let mut result = Ok(());
                    for byte in chunk {
                        tokio::time::sleep(every).await;
                        result = client_write.write_all(std::slice::from_ref(byte)).await;
                        if result.is_err() {
                            break;
                        }
                    }
                    result
                }
            };
            if written.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(upstream, downstream);
}
