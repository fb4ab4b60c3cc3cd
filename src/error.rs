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
    /// A document is over a size limit of [`crate::document::limits`] (the limit is named).
    #[error("{0}")]
    TooLarge(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable code for programs: `io`, `model`, `integrity`, `bad_input`,
    /// `network`, `html_response`, `quota`, `index`, `no_text`, `encrypted`, `too_large`.
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
            Error::TooLarge(_) => "too_large",
        }
    }

    /// Shorthand for [`Error::BadInput`].
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error::BadInput(message.into())
    }

    /// Shorthand for [`Error::Config`].
    pub fn config(file: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            file: file.into(),
            message: message.into(),
        }
    }
}
