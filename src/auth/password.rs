//! Passwords: the rules people see (length, block list; no composition rules) and Argon2id
//! hashing off the async threads behind a small semaphore.

use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString, rand_core::OsRng};
use tokio::sync::Semaphore;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// The most common passwords and their obvious variants (lower case).
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "87654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "12341234",
    "11223344",
    "123123123",
    "1q2w3e4r",
    "1qaz2wsx",
    "qwertyui",
    "qwerty123",
    "qwertyuiop",
    "asdfghjk",
    "zxcvbnm1",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "iloveyou",
    "abc12345",
    "abcd1234",
    "a1234567",
    "aa123456",
    "admin123",
    "administrator",
    "welcome1",
    "letmein1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "woaini1314",
    "woaini520",
    "5201314520",
    "13145201314",
    "changeme",
    "default1",
    "test1234",
    "qq123456",
    "wang1234",
    "zhang123",
    "li123456",
];

/// Fragments that add nothing to a password: the platform's own words and keyboard runs.
const WEAK_FRAGMENTS: &[&str] = &[
    "123456",
    "654321",
    "password",
    "passw0rd",
    "qwerty",
    "asdf",
    "zxcv",
    "abc",
    "admin",
    "woaini",
    "1314",
    "520",
    "科技",
    "技术",
    "市场",
    "平台",
    "天水",
    "甘肃",
    "麦积",
    "maiji",
    "tianshui",
    "gansu",
    "techmarket",
    "keji",
];

/// Why a password is refused; the Display text is shown under the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少需要 {MIN_CHARS} 个字符")]
    TooShort,
    #[error("密码最多 {MAX_CHARS} 个字符")]
    TooLong,
    #[error("这个密码过于常见，很容易被猜到，请换一个")]
    Common,
    #[error("密码主要由平台名称、地名、姓名或联系方式等容易猜到的内容组成，请换一个更难猜的密码")]
    Guessable,
    #[error("两次输入的密码不一致")]
    Mismatch,
}

/// Checks a new password. `context` holds words specific to this person and place (district
/// name, their name, e-mail, mobile), which must not make up the password.
pub fn check_new_password(password: &str, context: &[&str]) -> Result<(), PasswordError> {
    let count = password.chars().count();
    if count < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if count > MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err(PasswordError::Common);
    }
    let mut rest = lower.clone();
    let context_words = context.iter().flat_map(|word| context_fragments(word));
    for fragment in WEAK_FRAGMENTS.iter().map(|s| s.to_string()).chain(context_words) {
        if !fragment.is_empty() {
            rest = rest.replace(&fragment, "");
        }
    }
    let mut distinct: Vec<char> = rest.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    // What is left once the guessable parts are gone must still be worth guessing.
    if rest.chars().count() < 6 || distinct.len() < 4 {
        return Err(PasswordError::Guessable);
    }
    Ok(())
}

/// A context word and the parts people reuse from it (the local part of an e-mail, the digits
/// of a mobile, the name without its 区/县 suffix).
fn context_fragments(word: &str) -> Vec<String> {
    let word = word.trim().to_lowercase();
    if word.chars().count() < 2 {
        return Vec::new();
    }
    let mut fragments = vec![word.clone()];
    if let Some((local, _)) = word.split_once('@') {
        fragments.push(local.to_string());
    }
    for suffix in ["区", "县", "市"] {
        if let Some(stem) = word.strip_suffix(suffix).filter(|s| s.chars().count() >= 2) {
            fragments.push(stem.to_string());
        }
    }
    if word.len() == 11 && word.bytes().all(|b| b.is_ascii_digit()) {
        fragments.push(word[3..].to_string());
        fragments.push(word[7..].to_string());
    }
    fragments
}

/// Hashes and verifies off the async threads, a few at a time: Argon2id with the crate's
/// defaults (19 MiB, 2 passes) costs tens of milliseconds and memory per call.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

/// Hashing failed for a reason outside the input (the thread pool or the library).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl Default for PasswordHasher {
    fn default() -> Self {
        PasswordHasher { permits: Arc::new(Semaphore::new(2)) }
    }
}

impl PasswordHasher {
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_string();
        self.blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError(e.to_string()))
        })
        .await
    }

    /// Whether `password` matches `stored`. With `stored = None` (unknown account) a dummy hash
    /// is verified instead, so the answer takes the same time either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let known = stored.is_some();
        let stored = match stored {
            Some(hash) => hash.to_string(),
            None => dummy_hash()?.to_string(),
        };
        let password = password.to_string();
        let matches = self
            .blocking(move || {
                let parsed = PasswordHash::new(&stored).map_err(|e| HashError(e.to_string()))?;
                Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await?;
        Ok(known && matches)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(e.to_string()))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| HashError(e.to_string()))?
    }
}

/// A real Argon2id hash of a random password, made once, to verify against for unknown accounts.
fn dummy_hash() -> Result<&'static str, HashError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(crate::secrets::random_token(24).as_bytes(), &salt)
        .map_err(|e| HashError(e.to_string()))?
        .to_string();
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        let context = ["麦积区", "张伟", "zhangwei@example.cn", "13800138000"];
        let cases: &[(&str, Result<(), PasswordError>)] = &[
            ("correct horse battery", Ok(())),
            ("天水苹果花牛红了", Ok(())),
            ("gx7!Lm2q", Ok(())),
            ("short", Err(PasswordError::TooShort)),
            ("1234567", Err(PasswordError::TooShort)),
            ("12345678", Err(PasswordError::Common)),
            ("Password", Err(PasswordError::Common)),
            ("password123", Err(PasswordError::Common)),
            ("麦积区科技12345678", Err(PasswordError::Guessable)),
            ("麦积科技平台123456", Err(PasswordError::Guessable)),
            ("zhangwei2024", Err(PasswordError::Guessable)),
            ("13800138000", Err(PasswordError::Guessable)),
            ("aaaaaaaaaaaa", Err(PasswordError::Guessable)),
            ("techmarket!!", Err(PasswordError::Guessable)),
        ];
        for (password, expected) in cases {
            assert_eq!(&check_new_password(password, &context), expected, "{password}");
        }
        assert_eq!(check_new_password(&"长".repeat(MAX_CHARS), &[]), Err(PasswordError::Guessable));
        assert_eq!(check_new_password(&"天水苹果花牛红了".repeat(16), &[]), Ok(()));
        assert_eq!(check_new_password(&"x".repeat(MAX_CHARS + 1), &[]), Err(PasswordError::TooLong));
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() -> Result<(), HashError> {
        let hasher = PasswordHasher::default();
        let hash = hasher.hash("天水苹果花牛红了").await?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("天水苹果花牛红了", Some(&hash)).await?);
        assert!(!hasher.verify("wrong password", Some(&hash)).await?);
        assert!(!hasher.verify("天水苹果花牛红了", None).await?);
        Ok(())
    }
}
