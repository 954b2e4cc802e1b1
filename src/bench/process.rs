//! A server process for the benches that drive the real binary: started with this binary's own
//! `serve`, waited on until healthy, killed hard (SIGKILL) or stopped gracefully (SIGTERM).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One running `techmarket serve`.
pub struct ServerProcess {
    child: Child,
    pub base: String,
}

/// How to start one: port, settings as environment variables, where its output goes.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    pub port: u16,
    pub env: Vec<(String, String)>,
    pub log: PathBuf,
}

/// A free TCP port on the loopback address.
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl ServerProcess {
    /// Starts the server and waits until `/api/v1/health` answers 200 (at most `within`).
    pub async fn start(spec: &ServerSpec, within: Duration) -> Result<ServerProcess, String> {
        let exe = std::env::current_exe().map_err(|e| format!("找不到可执行文件：{e}"))?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&spec.log)
            .map_err(|e| format!("无法写入 {}：{e}", spec.log.display()))?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(exe);
        command.arg("serve").env("TECHMARKET_PORT", spec.port.to_string()).stdout(log).stderr(err);
        for (key, value) in &spec.env {
            command.env(key, value);
        }
        let child = command.stdin(Stdio::null()).spawn().map_err(|e| format!("无法启动服务：{e}"))?;
        let mut server = ServerProcess { child, base: format!("http://127.0.0.1:{}", spec.port) };
        server.wait_healthy(within).await?;
        Ok(server)
    }

    async fn wait_healthy(&mut self, within: Duration) -> Result<(), String> {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("服务进程已退出：{status}"));
            }
            if let Ok(response) = client.get(format!("{}/api/v1/health", self.base)).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("服务在 {} 秒内没有就绪", within.as_secs()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown hooks, no flush — a power cut as far as the process is concerned.
    pub fn kill_hard(mut self) -> Result<(), String> {
        self.child.kill().map_err(|e| e.to_string())?;
        self.child.wait().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// SIGTERM and wait: the graceful stop operators do.
    pub fn stop(mut self) -> Result<std::process::ExitStatus, String> {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        if !sent.is_ok_and(|s| s.success()) {
            self.child.kill().map_err(|e| e.to_string())?;
        }
        self.child.wait().map_err(|e| e.to_string())
    }
}

/// Median, 90th percentile and maximum of durations, in seconds.
pub fn spread(durations: &[Duration]) -> (f64, f64, f64) {
    let mut seconds: Vec<f64> = durations.iter().map(Duration::as_secs_f64).collect();
    seconds.sort_by(f64::total_cmp);
    let at = |p: f64| {
        if seconds.is_empty() {
            0.0
        } else {
            seconds[((p * seconds.len() as f64).ceil() as usize).clamp(1, seconds.len()) - 1]
        }
    };
    (at(0.5), at(0.9), seconds.last().copied().unwrap_or(0.0))
}

/// A scratch directory for a bench run (kept: its logs are evidence).
pub fn workdir(given: Option<&Path>, name: &str) -> Result<PathBuf, String> {
    let dir = match given {
        Some(dir) => dir.to_path_buf(),
        None => std::env::temp_dir().join(format!("techmarket-{name}-{}", uuid::Uuid::now_v7().simple())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("无法创建 {}：{e}", dir.display()))?;
    Ok(dir)
}
