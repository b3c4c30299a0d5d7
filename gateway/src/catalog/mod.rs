//! The catalog: products, the cards that describe them for retrieval, and
//! the sync that keeps cards and embeddings in step with the store.

pub mod card;
pub mod product;
pub mod sync;

pub use card::{CardSegment, ProductCard};
pub use product::{Product, ProductSummary, Review, Translation, Variant};
