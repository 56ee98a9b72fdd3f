//! Verified pairs → clusters of near-duplicate documents (union–find over [`DocId`]).
//!
//! Input: the number of documents, their sizes and the verified pairs. Output: every connected
//! group of two or more documents, members in id order, clusters ordered by their first
//! member. Each cluster names the document to keep under a [`KeepPolicy`]: by default the
//! longest (in bytes), so that keeping it never loses text that only a container has; ties go
//! to the first in id order.
//!
//! Clusters are transitive: A ~ B and B ~ C put A and C together even when A and C are not a
//! pair themselves (a page holding two articles joins them).

use crate::config::KeepPolicy;
use crate::document::DocId;

/// A group of connected documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Members in id order.
    pub members: Vec<DocId>,
    /// The member to keep.
    pub keep: DocId,
}

/// A disjoint-set forest with path halving and union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the sets of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
    }
}

/// Clusters of the documents joined by `pairs`. `lengths[i]` is document `i`'s size and
/// `given[i]` its position in the order the caller gave the documents.
pub fn cluster(
    lengths: &[usize],
    given: &[usize],
    policy: KeepPolicy,
    pairs: impl IntoIterator<Item = (DocId, DocId)>,
) -> Vec<Cluster> {
    let n = lengths.len();
    let mut uf = UnionFind::new(n);
    let mut linked = vec![false; n];
    for (a, b) in pairs {
        uf.union(a.0, b.0);
        linked[a.index()] = true;
        linked[b.index()] = true;
    }
    // Members in id order, since we visit documents in id order.
    let mut by_root: Vec<Vec<DocId>> = vec![Vec::new(); n];
    for doc in (0..n as u32).filter(|&d| linked[d as usize]) {
        let root = uf.find(doc);
        by_root[root as usize].push(DocId(doc));
    }
    let mut clusters: Vec<Cluster> = by_root
        .into_iter()
        .filter(|m| m.len() > 1)
        .map(|members| {
            // Members are in id order, so `min_by_key` keeps the first on ties.
            let keep = *match policy {
                KeepPolicy::Longest => members
                    .iter()
                    .min_by_key(|d| std::cmp::Reverse(lengths[d.index()])),
                KeepPolicy::Shortest => members.iter().min_by_key(|d| lengths[d.index()]),
                KeepPolicy::First => members.iter().min_by_key(|d| given[d.index()]),
            }
            .expect("clusters have members");
            Cluster { members, keep }
        })
        .collect();
    clusters.sort_by_key(|c| c.members[0]);
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u32]) -> Vec<DocId> {
        v.iter().map(|&i| DocId(i)).collect()
    }

    #[test]
    fn transitive_groups_in_order() {
        let lengths = [10, 50, 10, 10, 30, 30];
        let pairs = [
            (DocId(4), DocId(5)),
            (DocId(0), DocId(2)),
            (DocId(2), DocId(1)),
        ];
        let c = cluster(&lengths, &[0, 1, 2, 3, 4, 5], KeepPolicy::Longest, pairs);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].members, ids(&[0, 1, 2]));
        assert_eq!(c[0].keep, DocId(1));
        assert_eq!(c[1].members, ids(&[4, 5]));
        // Tie on length: the first in id order.
        assert_eq!(c[1].keep, DocId(4));
    }

    #[test]
    fn no_pairs_no_clusters() {
        assert!(cluster(&[1, 2, 3], &[0, 1, 2], KeepPolicy::Longest, []).is_empty());
    }

    #[test]
    fn pair_order_does_not_matter() {
        let lengths = [1; 6];
        let p1 = [
            (DocId(0), DocId(1)),
            (DocId(1), DocId(2)),
            (DocId(3), DocId(5)),
        ];
        let mut p2 = p1;
        p2.reverse();
        let given = [0, 1, 2, 3, 4, 5];
        assert_eq!(
            cluster(&lengths, &given, KeepPolicy::Longest, p1),
            cluster(&lengths, &given, KeepPolicy::Longest, p2)
        );
    }

    #[test]
    fn keep_policies() {
        let lengths = [30, 10, 30, 5];
        let given = [3, 2, 1, 0];
        let pairs = [
            (DocId(0), DocId(1)),
            (DocId(1), DocId(2)),
            (DocId(2), DocId(3)),
        ];
        let keep = |p| cluster(&lengths, &given, p, pairs)[0].keep;
        assert_eq!(
            keep(KeepPolicy::Longest),
            DocId(0),
            "tie on length goes to id order"
        );
        assert_eq!(keep(KeepPolicy::Shortest), DocId(3));
        assert_eq!(keep(KeepPolicy::First), DocId(3));
    }
}
