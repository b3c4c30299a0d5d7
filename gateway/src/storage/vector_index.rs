//! An in-process vector index: one contiguous row-major matrix of unit
//! vectors, scanned with dot products, with partial top-k selection.
//!
//! The SQLite backend keeps one per (store, embedding model, dimensions),
//! loaded lazily from the database on the first search and updated in place
//! when embeddings are saved or products deleted through the same
//! [`SqliteStorage`](super::SqliteStorage). That is sound because the SQLite
//! backend is the embedded, single-process default: no other process writes
//! the database behind its back (a second process writing the same file
//! would leave this cache stale until restart).
//!
//! Small indexes are scanned exactly (a few thousand cards cost well under
//! a millisecond). Large ones are scanned through an 8-bit copy of every
//! row (a scale per row, so a quarter of the memory traffic of f32: 100,000
//! cards of 384 dimensions are 38 MB instead of 150 MB), on up to
//! [`MAX_SCAN_THREADS`] threads; the best few times k rows of that scan are
//! then re-ranked by their exact f32 dot products. The 8-bit error in a
//! cosine is about 1e-3, far below the gap between a k-th neighbour and
//! the [`RERANK_FACTOR`] k-th, so the re-ranked top k is the exact one but
//! for near ties (the benchmark measures recall@8 against an exact scan).

use std::cmp::Ordering;
use std::collections::HashMap;

/// Indexes larger than this many values are scanned through their 8-bit
/// copy, split over threads; smaller ones exactly, on the calling thread.
const QUANTIZED_SCAN_VALUES: usize = 4 * 1024 * 1024;
/// An 8-bit scan keeps this many times k candidates for the exact re-rank.
pub const RERANK_FACTOR: usize = 4;
/// ...and at least this many.
const MIN_RERANK: usize = 64;
/// Upper bound on scan threads (the scan is memory-bound past two or so).
pub const MAX_SCAN_THREADS: usize = 4;

/// Exact cosine-similarity index over unit vectors of one dimension.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dims: usize,
    ids: Vec<String>,
    positions: HashMap<String, usize>,
    /// `ids.len() * dims` values; row i is the unit vector of `ids[i]`.
    data: Vec<f32>,
    /// The same rows in 8 bits: row i is about `codes[i] * scales[i]`.
    codes: Vec<i8>,
    scales: Vec<f32>,
}

/// One hit: the id and its cosine similarity to the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
}

impl VectorIndex {
    pub fn new(dims: usize) -> Self {
        assert!(dims > 0, "a vector index needs at least one dimension");
        Self { dims, ids: Vec::new(), positions: HashMap::new(), data: Vec::new(), codes: Vec::new(), scales: Vec::new() }
    }

    pub fn with_capacity(dims: usize, capacity: usize) -> Self {
        let mut index = Self::new(dims);
        index.ids.reserve(capacity);
        index.positions.reserve(capacity);
        index.data.reserve(capacity * dims);
        index.codes.reserve(capacity * dims);
        index.scales.reserve(capacity);
        index
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.positions.contains_key(id)
    }

    /// Adds or replaces the vector of `id`, normalised to unit length.
    /// Panics if `vector` has the wrong dimension.
    pub fn upsert(&mut self, id: &str, vector: &[f32]) {
        assert_eq!(vector.len(), self.dims, "vector dimension");
        let i = match self.positions.get(id) {
            Some(&i) => i,
            None => {
                let i = self.ids.len();
                self.ids.push(id.to_owned());
                self.positions.insert(id.to_owned(), i);
                self.data.extend_from_slice(vector);
                self.codes.resize(self.data.len(), 0);
                self.scales.push(0.0);
                i
            }
        };
        let rows = i * self.dims..(i + 1) * self.dims;
        let row = &mut self.data[rows.clone()];
        row.copy_from_slice(vector);
        normalize(row);
        self.scales[i] = quantize(row, &mut self.codes[rows]);
    }

    /// Removes `id`; false if it was not there. The last row moves into its
    /// place, so removal is O(dims).
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(i) = self.positions.remove(id) else {
            return false;
        };
        let last = self.ids.len() - 1;
        if i != last {
            let (head, tail) = self.data.split_at_mut(last * self.dims);
            head[i * self.dims..(i + 1) * self.dims].copy_from_slice(&tail[..self.dims]);
            let (head, tail) = self.codes.split_at_mut(last * self.dims);
            head[i * self.dims..(i + 1) * self.dims].copy_from_slice(&tail[..self.dims]);
            self.scales.swap(i, last);
            self.ids.swap(i, last);
            self.positions.insert(self.ids[i].clone(), i);
        }
        self.ids.pop();
        self.scales.pop();
        self.data.truncate(last * self.dims);
        self.codes.truncate(last * self.dims);
        true
    }

    /// The `k` rows most similar to `query` (cosine), best first; ties by id.
    /// Panics if `query` has the wrong dimension.
    pub fn search(&self, query: &[f32], k: usize) -> Vec<Hit> {
        assert_eq!(query.len(), self.dims, "query dimension");
        if k == 0 || self.ids.is_empty() {
            return Vec::new();
        }
        let mut q = query.to_vec();
        normalize(&mut q);
        let mut top = if self.data.len() < QUANTIZED_SCAN_VALUES {
            scan(&self.data, self.dims, 0, &q, k)
        } else {
            let candidates = self.quantized_candidates(&q, (k * RERANK_FACTOR).max(MIN_RERANK));
            candidates.into_iter().map(|row| (row, dot(&self.data[row * self.dims..(row + 1) * self.dims], &q))).collect()
        };
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| self.ids[a.0].cmp(&self.ids[b.0])));
        top.truncate(k);
        top.into_iter().map(|(i, score)| Hit { id: self.ids[i].clone(), score }).collect()
    }

    /// The rows of the `n` best 8-bit scores, in no order, the scan split
    /// over threads.
    fn quantized_candidates(&self, q: &[f32], n: usize) -> Vec<usize> {
        let mut q_codes = vec![0i8; self.dims];
        let q_scale = quantize(q, &mut q_codes);
        let rows = self.ids.len();
        let threads = std::thread::available_parallelism().map_or(1, |p| p.get()).clamp(1, MAX_SCAN_THREADS);
        let rows_per = rows.div_ceil(threads);
        let scan_part = |t: usize| {
            let (start, end) = ((t * rows_per).min(rows), ((t + 1) * rows_per).min(rows));
            scan_i8(&self.codes[start * self.dims..end * self.dims], &self.scales[start..end], self.dims, start, &q_codes, q_scale, n)
        };
        let found: Vec<(usize, f32)> = if threads == 1 {
            scan_part(0)
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads).map(|t| s.spawn(move || scan_part(t))).collect();
                handles.into_iter().flat_map(|h| h.join().expect("vector scan thread panicked")).collect()
            })
        };
        let mut top = TopK::new(n);
        for (row, score) in found {
            top.offer(row, score);
        }
        top.items.into_iter().map(|(row, _)| row).collect()
    }
}

/// Writes `row` as 8-bit codes scaled to its largest magnitude; returns
/// the scale (a value is about `code * scale`).
fn quantize(row: &[f32], codes: &mut [i8]) -> f32 {
    let max = row.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max == 0.0 {
        codes.fill(0);
        return 0.0;
    }
    let scale = max / 127.0;
    for (code, x) in codes.iter_mut().zip(row) {
        *code = (x / scale).round().clamp(-127.0, 127.0) as i8;
    }
    scale
}

/// Scales `v` to unit length in place (leaves a zero vector alone).
fn normalize(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 && (norm - 1.0).abs() > 1e-6 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Top `k` (row, score) of `rows` (row-major, `dims` wide) against `q`,
/// unordered; row numbers are offset by `first_row`.
fn scan(rows: &[f32], dims: usize, first_row: usize, q: &[f32], k: usize) -> Vec<(usize, f32)> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { scan_avx2(rows, dims, first_row, q, k) };
        }
    }
    scan_portable(rows, dims, first_row, q, k)
}

/// The same scan compiled for AVX2 (8 lanes instead of SSE's 4).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scan_avx2(rows: &[f32], dims: usize, first_row: usize, q: &[f32], k: usize) -> Vec<(usize, f32)> {
    scan_portable(rows, dims, first_row, q, k)
}

#[inline(always)]
fn scan_portable(rows: &[f32], dims: usize, first_row: usize, q: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut top = TopK::new(k);
    for (i, row) in rows.chunks_exact(dims).enumerate() {
        top.offer(first_row + i, dot(row, q));
    }
    top.items
}

/// Top `k` (row, approximate score) of 8-bit `rows` against the 8-bit
/// query, unordered; row numbers are offset by `first_row`.
fn scan_i8(rows: &[i8], scales: &[f32], dims: usize, first_row: usize, q: &[i8], q_scale: f32, k: usize) -> Vec<(usize, f32)> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { scan_i8_avx2(rows, scales, dims, first_row, q, q_scale, k) };
        }
    }
    scan_i8_portable(rows, scales, dims, first_row, q, q_scale, k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scan_i8_avx2(rows: &[i8], scales: &[f32], dims: usize, first_row: usize, q: &[i8], q_scale: f32, k: usize) -> Vec<(usize, f32)> {
    scan_i8_portable(rows, scales, dims, first_row, q, q_scale, k)
}

#[inline(always)]
fn scan_i8_portable(rows: &[i8], scales: &[f32], dims: usize, first_row: usize, q: &[i8], q_scale: f32, k: usize) -> Vec<(usize, f32)> {
    let mut top = TopK::new(k);
    for (i, (row, scale)) in rows.chunks_exact(dims).zip(scales).enumerate() {
        top.offer(first_row + i, dot_i8(row, q) as f32 * scale * q_scale);
    }
    top.items
}

/// Integer dot product of 8-bit codes, in independent 32-bit lanes (the
/// products of two i8 fit an i16; the compiler pairs them into
/// multiply-add instructions).
#[inline(always)]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    const LANES: usize = 16;
    let mut acc = [0i32; LANES];
    let (a_chunks, a_rest) = a.as_chunks::<LANES>();
    let (b_chunks, b_rest) = b.as_chunks::<LANES>();
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..LANES {
            acc[l] += i32::from(i16::from(x[l]) * i16::from(y[l]));
        }
    }
    let rest: i32 = a_rest.iter().zip(b_rest).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum();
    acc.iter().sum::<i32>() + rest
}

/// Dot product with 16 independent accumulators so the compiler can keep
/// the sum in vector registers (floating point addition is not
/// associative, so it will not reorder a single running sum).
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut acc = [0.0f32; LANES];
    let (a_chunks, a_rest) = a.as_chunks::<LANES>();
    let (b_chunks, b_rest) = b.as_chunks::<LANES>();
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut sum = 0.0;
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    // Pairwise reduction of the lanes.
    let mut width = LANES / 2;
    while width > 0 {
        for l in 0..width {
            acc[l] += acc[l + width];
        }
        width /= 2;
    }
    acc[0] + sum
}

/// Keeps the k best (row, score) pairs seen; the worst kept is tracked so
/// most rows are rejected with one comparison.
struct TopK {
    k: usize,
    items: Vec<(usize, f32)>,
    /// Index in `items` of the worst kept score, once full.
    worst: usize,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self { k, items: Vec::with_capacity(k), worst: 0 }
    }

    #[inline(always)]
    fn offer(&mut self, row: usize, score: f32) {
        if self.items.len() < self.k {
            self.items.push((row, score));
            if self.items.len() == self.k {
                self.find_worst();
            }
        } else if score > self.items[self.worst].1 {
            self.items[self.worst] = (row, score);
            self.find_worst();
        }
    }

    fn find_worst(&mut self) {
        self.worst = self.items.iter().enumerate().min_by(|a, b| a.1.1.partial_cmp(&b.1.1).unwrap_or(Ordering::Equal)).map_or(0, |(i, _)| i);
    }
}

/// Encodes a vector as the little-endian f32 BLOB the SQLite backend stores.
pub fn encode_f32_le(vector: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(vector.len() * 4);
    for x in vector {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Decodes a little-endian f32 BLOB; None if its length is not a multiple
/// of four.
pub fn decode_f32_le(bytes: &[u8]) -> Option<Vec<f32>> {
    let (chunks, rest) = bytes.as_chunks::<4>();
    if !rest.is_empty() {
        return None;
    }
    Some(chunks.iter().map(|c| f32::from_le_bytes(*c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(index_rows: &[(String, Vec<f32>)], q: &[f32], k: usize) -> Vec<String> {
        let unit = |v: &[f32]| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / n).collect::<Vec<_>>()
        };
        let q = unit(q);
        let mut scored: Vec<(f32, &String)> = index_rows.iter().map(|(id, v)| (unit(v).iter().zip(&q).map(|(a, b)| a * b).sum::<f32>(), id)).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(k).map(|(_, id)| id.clone()).collect()
    }

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    #[test]
    fn matches_brute_force_and_handles_updates() {
        let dims = 37;
        let mut seed = 7;
        let rows: Vec<(String, Vec<f32>)> = (0..500).map(|i| (format!("p{i}"), (0..dims).map(|_| lcg(&mut seed)).collect())).collect();
        let mut index = VectorIndex::new(dims);
        for (id, v) in &rows {
            index.upsert(id, v);
        }
        assert_eq!(index.len(), 500);
        for _ in 0..10 {
            let q: Vec<f32> = (0..dims).map(|_| lcg(&mut seed)).collect();
            let got: Vec<String> = index.search(&q, 7).into_iter().map(|h| h.id).collect();
            assert_eq!(got, brute(&rows, &q, 7));
        }
        // Remove and replace.
        assert!(index.remove("p3"));
        assert!(!index.remove("p3"));
        assert!(index.remove("p499"));
        let q = rows[10].1.clone();
        let hits = index.search(&q, 1);
        assert_eq!(hits[0].id, "p10");
        assert!((hits[0].score - 1.0).abs() < 1e-5);
        index.upsert("p10", &rows[20].1);
        let hits = index.search(&rows[20].1, 2);
        assert_eq!(hits.len(), 2);
        assert!(hits.iter().any(|h| h.id == "p10") && hits.iter().any(|h| h.id == "p20"));
        assert_eq!(index.len(), 498);
        assert!(index.search(&q, 0).is_empty());
        assert_eq!(index.search(&q, 10_000).len(), 498);
    }

    #[test]
    fn quantized_scan_finds_the_exact_neighbours() {
        let dims = 64;
        let n = QUANTIZED_SCAN_VALUES / dims + 1000;
        let mut seed = 11;
        let mut index = VectorIndex::with_capacity(dims, n);
        let mut rows = Vec::new();
        for i in 0..n {
            let v: Vec<f32> = (0..dims).map(|_| lcg(&mut seed)).collect();
            index.upsert(&format!("p{i}"), &v);
            if i % 4999 == 0 {
                rows.push(v);
            }
        }
        let exact = |q: &[f32], k: usize| {
            let mut q = q.to_vec();
            normalize(&mut q);
            let mut top = scan_portable(&index.data, dims, 0, &q, k);
            top.sort_by(|a, b| b.1.total_cmp(&a.1));
            top.into_iter().map(|(i, _)| index.ids[i].clone()).collect::<Vec<_>>()
        };
        for (j, q) in rows.iter().enumerate() {
            let hits = index.search(q, 10);
            assert_eq!(hits[0].id, format!("p{}", j * 4999), "a row finds itself");
            assert!((hits[0].score - 1.0).abs() < 1e-5, "scores are exact f32 cosines");
            assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
            let got: Vec<String> = hits.into_iter().map(|h| h.id).collect();
            assert_eq!(got, exact(q, 10));
        }
        // Removal moves the last row's codes along with its vector.
        let last = format!("p{}", n - 1);
        let last_vector = index.data[(n - 1) * dims..n * dims].to_vec();
        assert!(index.remove("p0"));
        assert_eq!(index.search(&last_vector, 1)[0].id, last);
    }

    #[test]
    fn blob_round_trip() {
        let v = vec![0.25f32, -1.5, 3.0e-7];
        assert_eq!(decode_f32_le(&encode_f32_le(&v)).unwrap(), v);
        assert!(decode_f32_le(&[1, 2, 3]).is_none());
    }
}
