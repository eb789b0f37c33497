//! SCRAM-SHA-256 password authentication (RFC 5802 with RFC 7677's hash),
//! the server's side, as PostgreSQL runs it for TCP clients:
//!
//! - [`Verifier`]: what the server keeps per user instead of the password
//!   (salt, iteration count, StoredKey, ServerKey), computed once at start;
//! - [`Passwords`]: the verifiers read from `--password-file`;
//! - [`ServerExchange`]: one exchange's messages (client-first →
//!   server-first, client-final → server-final), free of I/O so that it can
//!   be tested against RFC 7677's example;
//! - [`TcpAuth`]: how TCP clients authenticate, fixed by the postmaster
//!   before any backend exists (forked backends inherit it, threads share
//!   it).
//!
//! The messages travel in PostgreSQL's SASL messages; that flow is in
//! `startup.rs`. Channel binding is not offered, not even under TLS (no
//! SCRAM-SHA-256-PLUS is advertised, so libpq does not ask for it), so the
//! client's GS2 header must be `n,,` or `y,,`. Passwords are used as given,
//! without SASLprep (identical for ASCII passwords).

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The only mechanism offered (no `-PLUS`: no channel binding).
pub const MECHANISM: &str = "SCRAM-SHA-256";
/// PBKDF2 iterations for new verifiers (PostgreSQL's scram_iterations).
pub const ITERATIONS: u32 = 4096;
/// Longest SASL message accepted from a client (PostgreSQL's
/// PG_MAX_AUTH_TOKEN_LENGTH).
pub const MAX_MESSAGE_LEN: usize = 65535;
/// Salt bytes of new verifiers (PostgreSQL's SCRAM_DEFAULT_SALT_LEN).
const SALT_LEN: usize = 16;
/// Random bytes in the server's nonce (PostgreSQL's SCRAM_RAW_NONCE_LEN).
const NONCE_LEN: usize = 18;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(data);
    m.finalize().into_bytes().into()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Compares without an early exit, so that timing says nothing about how
/// much of a proof was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// A user's SCRAM-SHA-256 secret: enough to check a client's proof and
/// prove the server's knowledge, not enough to log in.
#[derive(Clone)]
pub struct Verifier {
    salt: Vec<u8>,
    iterations: u32,
    stored_key: [u8; 32],
    server_key: [u8; 32],
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// The verifier of `password` with this salt and iteration count.
    pub fn new(password: &str, salt: &[u8], iterations: u32) -> Verifier {
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut salted);
        let client_key = hmac(&salted, b"Client Key");
        Verifier {
            salt: salt.to_vec(),
            iterations,
            stored_key: sha256(&client_key),
            server_key: hmac(&salted, b"Server Key"),
        }
    }

    /// A verifier of `password` with a fresh random salt.
    pub fn generate(password: &str) -> Verifier {
        Verifier::new(password, &random_bytes::<SALT_LEN>(), ITERATIONS)
    }
}

/// Why a password file was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum PasswordFileError {
    #[error("could not read it: {0}")]
    Read(#[from] std::io::Error),
    #[error("it holds no password")]
    Empty,
    #[error("line {line}: {what}")]
    Syntax { line: usize, what: &'static str },
    #[error("line {line}: user \"{user}\" appears twice")]
    Duplicate { line: usize, user: String },
}

/// The verifiers from a password file: one for every user, or one per user.
pub struct Passwords {
    any_user: Option<Verifier>,
    users: HashMap<String, Verifier>,
    /// Seeds the mock exchange for users without a password, so that the
    /// salt a client sees does not tell it whether the user exists.
    mock_secret: [u8; 32],
}

impl Passwords {
    /// Parses a password file: either a single line holding the password
    /// of every user, or `user:password` lines (split at the first ':').
    /// Blank lines and lines starting with '#' are ignored; the password
    /// is the rest of the line as written (a trailing CR is dropped).
    pub fn parse(text: &str) -> Result<Passwords, PasswordFileError> {
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        let mut p = Passwords::none();
        match lines.as_slice() {
            [] => return Err(PasswordFileError::Empty),
            [(_, only)] if !only.contains(':') => {
                p.any_user = Some(Verifier::generate(only));
                return Ok(p);
            }
            _ => {}
        }
        for (line, l) in lines {
            let Some((user, password)) = l.split_once(':') else {
                return Err(PasswordFileError::Syntax {
                    line,
                    what: "expected user:password (a file of one password has just one line)",
                });
            };
            if user.is_empty() {
                return Err(PasswordFileError::Syntax {
                    line,
                    what: "empty user name",
                });
            }
            if password.is_empty() {
                return Err(PasswordFileError::Syntax {
                    line,
                    what: "empty password",
                });
            }
            if p.users.contains_key(user) {
                return Err(PasswordFileError::Duplicate {
                    line,
                    user: user.to_owned(),
                });
            }
            p.users
                .insert(user.to_owned(), Verifier::generate(password));
        }
        Ok(p)
    }

    /// Reads and parses a password file.
    pub fn load(path: &Path) -> Result<Passwords, PasswordFileError> {
        Passwords::parse(&std::fs::read_to_string(path)?)
    }

    /// No passwords at all: every login fails.
    pub fn none() -> Passwords {
        Passwords {
            any_user: None,
            users: HashMap::new(),
            mock_secret: random_bytes(),
        }
    }

    /// The verifier for `user`, if the user has a password.
    pub fn verifier(&self, user: &str) -> Option<&Verifier> {
        self.users.get(user).or(self.any_user.as_ref())
    }

    /// How many users have their own password (0 for a single password).
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// A verifier no password matches, with a salt that is always the same
    /// for this user (PostgreSQL's mock authentication).
    fn mock_verifier(&self, user: &str) -> Verifier {
        let seed = hmac(&self.mock_secret, user.as_bytes());
        Verifier {
            salt: seed[..SALT_LEN].to_vec(),
            iterations: ITERATIONS,
            stored_key: hmac(&seed, b"stored"),
            server_key: hmac(&seed, b"server"),
        }
    }
}

/// How TCP clients authenticate (Unix-socket clients are trusted).
pub enum TcpAuth {
    /// `--tcp-trust`: no password.
    Trust,
    /// SCRAM-SHA-256 against these verifiers.
    Scram(Passwords),
}

static TCP_AUTH: OnceLock<TcpAuth> = OnceLock::new();

/// Fixes how TCP clients authenticate, once, before any backend starts.
/// Returns false if it was already set.
pub fn set_tcp_auth(auth: TcpAuth) -> bool {
    TCP_AUTH.set(auth).is_ok()
}

/// How TCP clients authenticate. Never set means SCRAM with no passwords:
/// every TCP login fails.
pub fn tcp_auth() -> &'static TcpAuth {
    TCP_AUTH.get_or_init(|| TcpAuth::Scram(Passwords::none()))
}

/// Why an exchange failed. The texts go to the server log, never to the
/// client, and never contain what the client sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    #[error("malformed SCRAM message ({0})")]
    Malformed(&'static str),
    #[error("the client requires channel binding, which the server does not offer")]
    ChannelBindingRequested,
    #[error("the client uses an authorization identity, which is not supported")]
    AuthzidNotSupported,
    #[error("SCRAM channel binding check failed")]
    ChannelBindingMismatch,
    #[error("SCRAM nonce mismatch")]
    NonceMismatch,
    #[error("the user has no password")]
    NoPassword,
    #[error("password does not match")]
    WrongPassword,
    #[error("SCRAM message out of order")]
    OutOfOrder,
}

enum State {
    /// Waiting for client-first-message.
    Initial,
    /// server-first-message sent; waiting for client-final-message.
    SentFirst {
        gs2_header: String,
        nonce: String,
        client_first_bare: String,
        server_first: String,
    },
    Done,
}

/// The server's side of one SCRAM-SHA-256 exchange.
pub struct ServerExchange {
    verifier: Verifier,
    /// The user has no password: the exchange runs to its end and fails.
    mock: bool,
    server_nonce: String,
    state: State,
}

impl ServerExchange {
    /// An exchange for `user` with a fresh random nonce.
    pub fn new(passwords: &Passwords, user: &str) -> ServerExchange {
        let (verifier, mock) = match passwords.verifier(user) {
            Some(v) => (v.clone(), false),
            None => (passwords.mock_verifier(user), true),
        };
        ServerExchange::with_nonce(verifier, mock, BASE64.encode(random_bytes::<NONCE_LEN>()))
    }

    /// An exchange with a given server nonce (tests use RFC 7677's).
    pub fn with_nonce(verifier: Verifier, mock: bool, server_nonce: String) -> ServerExchange {
        ServerExchange {
            verifier,
            mock,
            server_nonce,
            state: State::Initial,
        }
    }

    /// Takes client-first-message, returns server-first-message.
    pub fn client_first(&mut self, msg: &[u8]) -> Result<String, ScramError> {
        if !matches!(self.state, State::Initial) {
            return Err(ScramError::OutOfOrder);
        }
        self.state = State::Done;
        let msg = std::str::from_utf8(msg).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        // gs2-header: cbind-flag "," [authzid] ","
        let (flag, rest) = msg
            .split_once(',')
            .ok_or(ScramError::Malformed("no GS2 header"))?;
        match flag {
            // "y": the client supports channel binding but thinks the
            // server does not; right, as no -PLUS mechanism is offered.
            "n" | "y" => {}
            f if f.starts_with("p=") => return Err(ScramError::ChannelBindingRequested),
            _ => return Err(ScramError::Malformed("unexpected channel-binding flag")),
        }
        let (authzid, bare) = rest
            .split_once(',')
            .ok_or(ScramError::Malformed("no GS2 header"))?;
        if authzid.starts_with("a=") {
            return Err(ScramError::AuthzidNotSupported);
        } else if !authzid.is_empty() {
            return Err(ScramError::Malformed("unexpected attribute in GS2 header"));
        }
        // client-first-message-bare: [reserved-mext ","] username "," nonce
        // ["," extensions]. The user name is the startup packet's, as in
        // PostgreSQL (libpq sends "n=").
        let mut attrs = bare.split(',');
        let first = attrs.next().unwrap_or("");
        if first.starts_with("m=") {
            return Err(ScramError::Malformed("unsupported mandatory extension"));
        }
        if !first.starts_with("n=") {
            return Err(ScramError::Malformed("expected username attribute"));
        }
        let client_nonce = attrs
            .next()
            .and_then(|a| a.strip_prefix("r="))
            .ok_or(ScramError::Malformed("expected nonce attribute"))?;
        if client_nonce.is_empty() || !client_nonce.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(ScramError::Malformed("invalid nonce"));
        }
        let nonce = format!("{client_nonce}{}", self.server_nonce);
        let server_first = format!(
            "r={nonce},s={},i={}",
            BASE64.encode(&self.verifier.salt),
            self.verifier.iterations
        );
        self.state = State::SentFirst {
            gs2_header: format!("{flag},,"),
            nonce,
            client_first_bare: bare.to_owned(),
            server_first: server_first.clone(),
        };
        Ok(server_first)
    }

    /// Takes client-final-message, checks the proof and returns
    /// server-final-message.
    pub fn client_final(&mut self, msg: &[u8]) -> Result<String, ScramError> {
        let State::SentFirst {
            gs2_header,
            nonce,
            client_first_bare,
            server_first,
        } = std::mem::replace(&mut self.state, State::Done)
        else {
            return Err(ScramError::OutOfOrder);
        };
        let msg = std::str::from_utf8(msg).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        // channel-binding "," nonce ["," extensions] "," proof
        let (without_proof, proof) = msg
            .rsplit_once(",p=")
            .ok_or(ScramError::Malformed("expected proof attribute"))?;
        let mut attrs = without_proof.split(',');
        let binding = attrs
            .next()
            .and_then(|a| a.strip_prefix("c="))
            .ok_or(ScramError::Malformed("expected channel-binding attribute"))?;
        let binding = BASE64
            .decode(binding)
            .map_err(|_| ScramError::Malformed("invalid base64 in channel binding"))?;
        if binding != gs2_header.as_bytes() {
            return Err(ScramError::ChannelBindingMismatch);
        }
        let client_nonce = attrs
            .next()
            .and_then(|a| a.strip_prefix("r="))
            .ok_or(ScramError::Malformed("expected nonce attribute"))?;
        if client_nonce != nonce {
            return Err(ScramError::NonceMismatch);
        }
        let proof = BASE64
            .decode(proof)
            .map_err(|_| ScramError::Malformed("invalid base64 in proof"))?;
        if proof.len() != 32 {
            return Err(ScramError::Malformed("proof of the wrong length"));
        }
        let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
        let signature = hmac(&self.verifier.stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(signature).map(|(p, s)| p ^ s).collect();
        let matches = constant_time_eq(&sha256(&client_key), &self.verifier.stored_key);
        if self.mock {
            return Err(ScramError::NoPassword);
        }
        if !matches {
            return Err(ScramError::WrongPassword);
        }
        let server_signature = hmac(&self.verifier.server_key, auth_message.as_bytes());
        Ok(format!("v={}", BASE64.encode(server_signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7677, section 3.
    const SALT: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
    const SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const SERVER_FIRST: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    fn rfc_exchange(password: &str) -> ServerExchange {
        let v = Verifier::new(password, &BASE64.decode(SALT).unwrap(), 4096);
        ServerExchange::with_nonce(v, false, SERVER_NONCE.into())
    }

    /// A client's side, to drive exchanges with other inputs.
    fn client_final(
        password: &str,
        client_first_bare: &str,
        server_first: &str,
        gs2: &str,
    ) -> String {
        let salt = server_first
            .split(",s=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        let nonce = &server_first.split(',').next().unwrap()[2..];
        let v = Verifier::new(password, &BASE64.decode(salt).unwrap(), ITERATIONS);
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(
            password.as_bytes(),
            &BASE64.decode(salt).unwrap(),
            ITERATIONS,
            &mut salted,
        );
        let client_key = hmac(&salted, b"Client Key");
        let without_proof = format!("c={},r={nonce}", BASE64.encode(gs2));
        let auth = format!("{client_first_bare},{server_first},{without_proof}");
        let sig = hmac(&v.stored_key, auth.as_bytes());
        let proof: Vec<u8> = client_key.iter().zip(sig).map(|(k, s)| k ^ s).collect();
        format!("{without_proof},p={}", BASE64.encode(proof))
    }

    #[test]
    fn rfc7677_test_vector() {
        let mut x = rfc_exchange("pencil");
        assert_eq!(
            x.client_first(CLIENT_FIRST.as_bytes()).unwrap(),
            SERVER_FIRST
        );
        assert_eq!(
            x.client_final(CLIENT_FINAL.as_bytes()).unwrap(),
            SERVER_FINAL
        );
        // Nothing more is accepted.
        assert_eq!(
            x.client_final(CLIENT_FINAL.as_bytes()),
            Err(ScramError::OutOfOrder)
        );
    }

    #[test]
    fn wrong_password_fails() {
        let mut x = rfc_exchange("pencil2");
        x.client_first(CLIENT_FIRST.as_bytes()).unwrap();
        assert_eq!(
            x.client_final(CLIENT_FINAL.as_bytes()),
            Err(ScramError::WrongPassword)
        );
    }

    #[test]
    fn gs2_headers() {
        let mut x = rfc_exchange("pencil");
        assert_eq!(
            x.client_first(b"p=tls-server-end-point,,n=,r=abc"),
            Err(ScramError::ChannelBindingRequested)
        );
        let mut x = rfc_exchange("pencil");
        assert_eq!(
            x.client_first(b"n,a=admin,n=,r=abc"),
            Err(ScramError::AuthzidNotSupported)
        );
        for bad in [
            &b"x,,n=,r=abc"[..],
            b"n,,r=abc",
            b"n,,n=",
            b"n,,m=x,n=,r=a",
            b"",
            b"n,,n=,r=a b",
        ] {
            let mut x = rfc_exchange("pencil");
            assert!(
                matches!(x.client_first(bad), Err(ScramError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // "y,,": the client could bind but the server offered no -PLUS.
        let mut x = rfc_exchange("pencil");
        let sf = x.client_first(b"y,,n=,r=abc").unwrap();
        let cf = client_final("pencil", "n=,r=abc", &sf, "y,,");
        assert!(x.client_final(cf.as_bytes()).unwrap().starts_with("v="));
        // The binding must repeat the header actually sent.
        let mut x = rfc_exchange("pencil");
        let sf = x.client_first(b"y,,n=,r=abc").unwrap();
        let cf = client_final("pencil", "n=,r=abc", &sf, "n,,");
        assert_eq!(
            x.client_final(cf.as_bytes()),
            Err(ScramError::ChannelBindingMismatch)
        );
    }

    #[test]
    fn final_message_checks() {
        let mut x = rfc_exchange("pencil");
        x.client_first(CLIENT_FIRST.as_bytes()).unwrap();
        assert_eq!(
            x.client_final(b"c=biws,r=rOprNGfwEbeRWgbNEkqOother,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="),
            Err(ScramError::NonceMismatch)
        );
        let mut x = rfc_exchange("pencil");
        x.client_first(CLIENT_FIRST.as_bytes()).unwrap();
        assert!(matches!(
            x.client_final(b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA"),
            Err(ScramError::Malformed(_))
        ));
        let mut x = rfc_exchange("pencil");
        assert_eq!(
            x.client_final(CLIENT_FINAL.as_bytes()),
            Err(ScramError::OutOfOrder)
        );
    }

    #[test]
    fn password_files() {
        let p = Passwords::parse("# comment\n\n  s3cret word \n").unwrap();
        assert_eq!(p.user_count(), 0);
        assert!(p.verifier("anyone").is_some());

        let p = Passwords::parse("alice:a:b\r\n# x\nbob:pw\n\n").unwrap();
        assert_eq!(p.user_count(), 2);
        assert!(p.verifier("carol").is_none());
        // The password is everything after the first ':'.
        let v = p.verifier("alice").unwrap().clone();
        let mut x = ServerExchange::with_nonce(v, false, "srv".into());
        let sf = x.client_first(b"n,,n=,r=cli").unwrap();
        let cf = client_final("a:b", "n=,r=cli", &sf, "n,,");
        assert!(x.client_final(cf.as_bytes()).is_ok());

        assert!(matches!(
            Passwords::parse("# only\n\n"),
            Err(PasswordFileError::Empty)
        ));
        assert!(matches!(
            Passwords::parse("alice:x\nnocolon\n"),
            Err(PasswordFileError::Syntax { line: 2, .. })
        ));
        assert!(matches!(
            Passwords::parse(":x\n"),
            Err(PasswordFileError::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            Passwords::parse("a:\n"),
            Err(PasswordFileError::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            Passwords::parse("a:1\na:2\n"),
            Err(PasswordFileError::Duplicate { line: 2, .. })
        ));
    }

    #[test]
    fn unknown_user_runs_a_mock_exchange() {
        let p = Passwords::parse("alice:pw\n").unwrap();
        let mut x = ServerExchange::new(&p, "mallory");
        let sf = x.client_first(b"n,,n=,r=cli").unwrap();
        // Same salt on every attempt, as for a real user.
        let mut y = ServerExchange::new(&p, "mallory");
        let sf2 = y.client_first(b"n,,n=,r=cli").unwrap();
        assert_eq!(sf.split(",s=").nth(1), sf2.split(",s=").nth(1));
        let cf = client_final("pw", "n=,r=cli", &sf, "n,,");
        assert_eq!(x.client_final(cf.as_bytes()), Err(ScramError::NoPassword));
    }
}
