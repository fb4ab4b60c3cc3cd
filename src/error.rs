//! The one error type of the crate.
//!
//! Every variant carries what a user needs to act (a file name, a line number, an
//! expected hash) and maps to a stable, machine-readable [`Error::code`] that the
//! worker protocol and the JS client pass on unchanged.

/// Everything that can go wrong in cvmatch.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A model file named by the manifest or the model layout is absent.
    #[error("model file {name} is missing{hint}")]
    MissingFile {
        /// File name inside the model directory.
        name: String,
        /// Extra advice, starting with a separator (may be empty).
        hint: String,
    },
    /// A file's bytes do not match the manifest (size or sha256).
    #[error("{name} failed verification: expected {expected}, got {actual}")]
    Integrity {
        /// File name.
        name: String,
        /// What the manifest says.
        expected: String,
        /// What the bytes are.
        actual: String,
    },
    /// A configuration file is malformed or asks for something unsupported.
    #[error("{file}: {message}")]
    Config {
        /// The configuration file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The weights could not be parsed or do not fit the configuration.
    #[error("weights ({file}): {message}")]
    Weights {
        /// The weights file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The tokenizer could not be built or failed on a text.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A tensor operation failed inside the model.
    #[error("model: {0}")]
    Model(#[from] candle_core::Error),
    /// The caller's input is unusable (binary data, bad JSON line, bad argument).
    #[error("{0}")]
    BadInput(String),
    /// A network request failed or answered with an error status.
    #[error("network error for {url}: {message}")]
    Network {
        /// The URL requested.
        url: String,
        /// What happened.
        message: String,
    },
    /// The server answered an HTML page where a model file was expected.
    #[error("{url} answered an HTML page instead of the model file (is the model URL right?)")]
    HtmlResponse {
        /// The URL requested.
        url: String,
    },
    /// Browser storage is missing or full.
    #[error("storage: {0}")]
    Storage(String),
    /// A job index file is malformed, truncated or from another model.
    #[error("index: {0}")]
    Index(String),
    /// A document (PDF, DOCX, text) has no text to read: a scan, an image, an empty file.
    #[error("{0}")]
    NoText(String),
    /// A document is password-protected or encrypted.
    #[error("{0}")]
    Encrypted(String),
    /// A file could not be written ([`Error::Io`] is for reading).
    #[error("cannot write {path}: {source}")]
    IoWrite {
        /// The path involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A broken invariant of cvmatch itself (a bug, not the caller's input).
    #[error("internal error (please report it): {0}")]
    Internal(String),
    /// An input over one of the documented limits ([`crate::limits`], `docs/limits.md`).
    #[error("{what}: {actual} is more than the limit of {limit} (see docs/limits.md)")]
    TooLarge {
        /// What was counted (`jobs per request`, `input line bytes`, …).
        what: String,
        /// The limit.
        limit: u64,
        /// What the input has.
        actual: u64,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable code for programs: `io`, `model`, `integrity`, `bad_input`,
    /// `network`, `html_response`, `quota`, `index`, `no_text`, `encrypted`, `internal`,
    /// `too_large`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::MissingFile { .. }
            | Error::Config { .. }
            | Error::Weights { .. }
            | Error::Tokenizer(_)
            | Error::Model(_) => "model",
            Error::Integrity { .. } => "integrity",
            Error::BadInput(_) => "bad_input",
            Error::Network { .. } => "network",
            Error::HtmlResponse { .. } => "html_response",
            Error::Storage(_) => "quota",
            Error::Index(_) => "index",
            Error::NoText(_) => "no_text",
            Error::Encrypted(_) => "encrypted",
            Error::IoWrite { .. } => "io",
            Error::Internal(_) => "internal",
            Error::TooLarge { .. } => "too_large",
        }
    }

    /// Shorthand for [`Error::BadInput`].
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error::BadInput(message.into())
    }

    /// Shorthand for [`Error::Internal`]: a broken invariant, never the input's fault.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// An [`Error::TooLarge`]: `actual` is over `limit`.
    pub fn too_large(what: impl Into<String>, limit: u64, actual: u64) -> Self {
        Error::TooLarge {
            what: what.into(),
            limit,
            actual,
        }
    }

    /// An [`Error::Io`] while reading `path`.
    pub fn read(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_string(),
            source,
        }
    }

    /// An [`Error::IoWrite`] while writing `path`.
    pub fn write(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        Error::IoWrite {
            path: path.to_string(),
            source,
        }
    }

    /// Shorthand for [`Error::Config`].
    pub fn config(file: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            file: file.into(),
            message: message.into(),
        }
    }
}

/// Turning foreign errors into cvmatch's, without hand-written `map_err` closures (after
/// candle-core's `Context` trait): the caller names the file or the kind, the foreign
/// error's text becomes the message.
///
/// ```
/// use cvmatch::error::{Context, Error};
/// let parsed: cvmatch::Result<u32> = "x".parse::<u32>().context(|e| Error::bad_input(format!("--top: {e}")));
/// assert_eq!(parsed.unwrap_err().code(), "bad_input");
/// let none: Option<u32> = None;
/// assert_eq!(none.context(|_| Error::internal("a value was expected")).unwrap_err().code(), "internal");
/// ```
pub trait Context<T> {
    /// Converts the error (or `None`) with `wrap`, which gets the foreign error's message.
    fn context(self, wrap: impl FnOnce(String) -> Error) -> Result<T>;
}

impl<T, E: std::fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, wrap: impl FnOnce(String) -> Error) -> Result<T> {
        self.map_err(|e| wrap(e.to_string()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, wrap: impl FnOnce(String) -> Error) -> Result<T> {
        self.ok_or_else(|| wrap("missing".to_string()))
    }
}

/// I/O results that say whether they were reading or writing, and which file.
///
/// ```
/// use cvmatch::error::IoContext;
/// let e = std::fs::read("/nonexistent/cvmatch").reading("/nonexistent/cvmatch").unwrap_err();
/// assert!(e.to_string().starts_with("cannot read /nonexistent/cvmatch"));
/// ```
pub trait IoContext<T> {
    /// An [`Error::Io`] naming `path`.
    fn reading(self, path: impl std::fmt::Display) -> Result<T>;
    /// An [`Error::IoWrite`] naming `path`.
    fn writing(self, path: impl std::fmt::Display) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn reading(self, path: impl std::fmt::Display) -> Result<T> {
        self.map_err(|e| Error::read(path, e))
    }
    fn writing(self, path: impl std::fmt::Display) -> Result<T> {
        self.map_err(|e| Error::write(path, e))
    }
}

/// Returns early with an error (after candle-core's `bail!`): `bail!(bad_input, "…", args)`,
/// `bail!(internal, "…")`, `bail!(too_large, what, limit, actual)`, or `bail!(expr)` for
/// any [`Error`].
///
/// ```
/// fn top(n: usize) -> cvmatch::Result<usize> {
///     if n == 0 {
///         cvmatch::bail!(bad_input, "top must be at least 1, got {n}");
///     }
///     Ok(n)
/// }
/// assert_eq!(top(0).unwrap_err().code(), "bad_input");
/// ```
#[macro_export]
macro_rules! bail {
    (bad_input, $($arg:tt)+) => {
        return Err($crate::Error::bad_input(format!($($arg)+)))
    };
    (internal, $($arg:tt)+) => {
        return Err($crate::Error::internal(format!($($arg)+)))
    };
    (too_large, $what:expr, $limit:expr, $actual:expr $(,)?) => {
        return Err($crate::Error::too_large($what, $limit as u64, $actual as u64))
    };
    ($err:expr $(,)?) => {
        return Err($crate::Error::from($err))
    };
}

/// Like [`bail!`] when a condition does not hold: `ensure!(cond, bad_input, "…")`.
///
/// ```
/// fn check(n: usize) -> cvmatch::Result<()> {
///     cvmatch::ensure!(n <= 10, too_large, "jobs per request", 10, n);
///     Ok(())
/// }
/// assert_eq!(check(11).unwrap_err().code(), "too_large");
/// ```
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($rest:tt)+) => {
        if !$cond {
            $crate::bail!($($rest)+);
        }
    };
}
