//! Outgoing e-mail (lettre, plain SMTP to the configured relay). Without `smtp_url` there is no
//! mailer and the features that would mail say so (password reset falls back to links that
//! administrators issue).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailSettings;

/// Sends mail, when a relay is configured.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("enabled", &self.enabled()).finish()
    }
}

/// `smtp://host[:port]` → host and port (25 when not given).
fn relay_address(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("smtp://")?.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (rest, 25),
    };
    (!host.is_empty() && !host.contains(['/', '@'])).then(|| (host.to_string(), port))
}

impl Mailer {
    /// The mailer the settings describe; a bad relay address or sender is a start-up error.
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let Some(url) = &settings.smtp_url else {
            return Ok(Mailer { transport: None, from: None });
        };
        let (host, port) = relay_address(url).ok_or_else(|| format!("smtp_url “{url}” 应形如 smtp://主机:端口"))?;
        // A relay on the same network, as government networks run them: no TLS on this hop.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from: Mailbox = settings.from.parse().map_err(|e| format!("mail_from “{}” 无效：{e}", settings.from))?;
        Ok(Mailer { transport: Some(transport), from: Some(from) })
    }

    pub fn enabled(&self) -> bool {
        self.transport.is_some()
    }

    /// Sends a plain-text message; `Ok(false)` when no relay is configured.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<bool, String> {
        let (Some(transport), Some(from)) = (&self.transport, &self.from) else {
            return Ok(false);
        };
        let to: Mailbox = to.parse().map_err(|e| format!("收件地址无效：{e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        transport.send(message).await.map_err(|e| e.to_string())?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::relay_address;

    #[test]
    fn reads_the_relay_address() {
        assert_eq!(relay_address("smtp://127.0.0.1:2525"), Some(("127.0.0.1".into(), 2525)));
        assert_eq!(relay_address("smtp://mail.example.cn"), Some(("mail.example.cn".into(), 25)));
        assert_eq!(relay_address("smtp://user@host:25"), None);
        assert_eq!(relay_address("smtp://host:notaport"), None);
        assert_eq!(relay_address("http://host"), None);
    }
}
