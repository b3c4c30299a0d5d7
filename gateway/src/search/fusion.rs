//! Reciprocal rank fusion: merges ranked lists from different retrievers
//! without calibrating their scores against each other. A product's fused
//! score is the sum over lists of 1 / (k + rank).

use std::collections::HashMap;

use super::ScoredProduct;

pub fn reciprocal_rank_fusion(lists: &[&[ScoredProduct]], k: f32) -> Vec<ScoredProduct> {
    let mut scores: HashMap<&str, (f32, usize)> = HashMap::new();
    let mut order = 0usize;
    for list in lists {
        for (rank, item) in list.iter().enumerate() {
            let entry = scores.entry(item.product_id.as_str()).or_insert_with(|| {
                order += 1;
                (0.0, order)
            });
            entry.0 += 1.0 / (k + rank as f32 + 1.0);
        }
    }
    let mut fused: Vec<(&str, f32, usize)> = scores.into_iter().map(|(id, (s, o))| (id, s, o)).collect();
    // Ties keep first-seen order so results are deterministic.
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    fused.into_iter().map(|(id, score, _)| ScoredProduct { product_id: id.to_owned(), score }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(ids: &[&str]) -> Vec<ScoredProduct> {
        ids.iter().map(|id| ScoredProduct { product_id: (*id).into(), score: 0.0 }).collect()
    }

    #[test]
    fn items_in_both_lists_rise() {
        let a = list(&["x", "y", "z"]);
        let b = list(&["z", "w"]);
        let fused = reciprocal_rank_fusion(&[&a, &b], 60.0);
        let ids: Vec<&str> = fused.iter().map(|s| s.product_id.as_str()).collect();
        assert_eq!(ids[0], "z");
        assert_eq!(ids.len(), 4);
        assert_eq!(ids[1], "x");
    }

    #[test]
    fn empty_lists() {
        assert!(reciprocal_rank_fusion(&[], 60.0).is_empty());
        let a = list(&["x"]);
        assert_eq!(reciprocal_rank_fusion(&[&a, &[]], 60.0).len(), 1);
    }
}
