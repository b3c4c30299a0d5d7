//! multilingual-e5-small (intfloat, MIT), 4-bit, run in process: the
//! `E5S1` model file reader ([`model`]), the SentencePiece tokenizer
//! ([`tokenizer`]), the batched BERT encoder ([`encoder`]) and its matrix
//! products ([`gemm`]); [`batch`] spreads many texts over threads. The
//! gateway's `embed::e5` wraps this as an `Embedder` (prefixes, token caps,
//! CPU permits).
//!
//! A crate of its own so that it builds at `opt-level = 3` in dev builds
//! too (see the root `Cargo.toml`): the encoder's tests and the gateway's
//! debug test runs then encode at release speed.

pub mod batch;
pub mod encoder;
pub mod gemm;
mod math;
pub mod model;
pub mod tokenizer;

pub use gemm::Kernel;
pub use model::{FETCH_HINT, Model, ModelError, Shape};
pub use tokenizer::{TextKind, Tokenizer};
