//! A map kept as a sorted vector: the representation of [`Scalar`](super::Scalar)'s terms.
//!
//! Most scalars are a single rational (one entry) and few have more than a handful
//! of terms, so a sorted `Vec` beats a `BTreeMap` there: one small allocation
//! instead of a node of eleven slots, and cache-friendly merges. Iteration order
//! (and so `Ord`, `Hash` and printing) is the key order, as with a `BTreeMap`.

/// A map from `K` to `V` with keys strictly increasing.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// One entry.
    pub fn single(k: K, v: V) -> Self {
        SortedMap(vec![(k, v)])
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn find(&self, k: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(x, _)| x.cmp(k))
    }
    pub fn get(&self, k: &K) -> Option<&V> {
        self.find(k).ok().map(|i| &self.0[i].1)
    }
    /// Inserts or replaces.
    pub fn insert(&mut self, k: K, v: V) {
        match self.find(&k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }
    pub fn remove(&mut self, k: &K) -> Option<V> {
        self.find(k).ok().map(|i| self.0.remove(i).1)
    }
    /// Combines `v` into the entry for `k` (inserting `v` when there is none); drops the
    /// entry when `keep` says the combined value is not worth keeping.
    pub fn merge(
        &mut self,
        k: K,
        v: V,
        combine: impl FnOnce(&mut V, V),
        keep: impl Fn(&V) -> bool,
    ) {
        match self.find(&k) {
            Ok(i) => {
                combine(&mut self.0[i].1, v);
                if !keep(&self.0[i].1) {
                    self.0.remove(i);
                }
            }
            Err(i) => {
                if keep(&v) {
                    self.0.insert(i, (k, v));
                }
            }
        }
    }
    /// Combines every entry of `other` into this map as [`SortedMap::merge`] would one by one,
    /// in one pass over both: each insertion into the vector shifts its tail, so adding two
    /// maps of thousands of entries entry by entry took time quadratic in their size.
    pub fn merge_all<'a>(
        &mut self,
        other: impl IntoIterator<Item = (&'a K, &'a V)>,
        combine: impl Fn(&mut V, &V),
        keep: impl Fn(&V) -> bool,
    ) where
        K: Clone + 'a,
        V: Clone + 'a,
    {
        let mut other = other.into_iter().peekable();
        if other.peek().is_none() {
            return;
        }
        let mine = std::mem::take(&mut self.0);
        let mut out = Vec::with_capacity(mine.len() + other.size_hint().0);
        let mut mine = mine.into_iter().peekable();
        loop {
            let order = match (mine.peek(), other.peek()) {
                (Some((a, _)), Some((b, _))) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            match order {
                std::cmp::Ordering::Less => out.extend(mine.next()),
                std::cmp::Ordering::Greater => {
                    if let Some((k, v)) = other.next()
                        && keep(v)
                    {
                        out.push((k.clone(), v.clone()));
                    }
                }
                std::cmp::Ordering::Equal => {
                    if let (Some((k, mut v)), Some((_, w))) = (mine.next(), other.next()) {
                        combine(&mut v, w);
                        if keep(&v) {
                            out.push((k, v));
                        }
                    }
                }
            }
        }
        self.0 = out;
    }
    /// The value for `k`, inserted with `make` first when there is none.
    pub fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&k) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (k, make()));
                i
            }
        };
        &mut self.0[i].1
    }
    /// The map of entries already in increasing key order, without checking them again
    /// (a caller that sorted them by an order known to agree with `K`'s).
    pub(crate) fn from_sorted(v: Vec<(K, V)>) -> Self {
        debug_assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
        SortedMap(v)
    }
    /// The entries, in key order.
    pub fn into_entries(self) -> std::vec::IntoIter<(K, V)> {
        self.0.into_iter()
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k, v))
    }
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// Like a `BTreeMap`: sorted by key, the last value of a repeated key wins.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(it: I) -> Self {
        let mut v: Vec<(K, V)> = it.into_iter().collect();
        if v.windows(2).all(|w| w[0].0 < w[1].0) {
            return SortedMap(v);
        }
        v.sort_by(|a, b| a.0.cmp(&b.0)); // stable: equal keys keep their order
        let mut out: Vec<(K, V)> = Vec::with_capacity(v.len());
        for (k, x) in v {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = x,
                _ => out.push((k, x)),
            }
        }
        SortedMap(out)
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_btreemap() {
        let m: SortedMap<u32, &str> = [(3, "c"), (1, "a"), (3, "C"), (2, "b")]
            .into_iter()
            .collect();
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(m.get(&3), Some(&"C"));
        let mut m: SortedMap<u32, i64> = SortedMap::default();
        for (k, v) in [(5, 1), (2, 4), (5, -1), (7, 2)] {
            m.merge(k, v, |a, b| *a += b, |x| *x != 0);
        }
        assert_eq!(
            m.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [(2, 4), (7, 2)]
        );
        assert_eq!(m.remove(&2), Some(4));
        assert_eq!(m.len(), 1);
    }

    /// One merge of two maps equals merging the entries of the second one by one: sums,
    /// cancellations (dropped), zeros of the second map (not inserted), either side empty.
    #[test]
    fn merging_a_map_equals_merging_its_entries() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for round in 0..300 {
            let sizes = [next(12), next(40) * u64::from(round % 3 != 0)];
            let [a, b]: [SortedMap<u64, i64>; 2] = sizes.map(|n| {
                (0..n)
                    .map(|_| (next(50), next(7) as i64 - 3))
                    .filter(|(_, v)| *v != 0)
                    .collect()
            });
            let mut b = b;
            let first = b.keys().next().copied();
            if let Some(k) = first {
                b.insert(k, 0);
            }
            let mut one_by_one = a.clone();
            for (k, v) in b.iter() {
                one_by_one.merge(*k, *v, |p, q| *p += q, |v| *v != 0);
            }
            let mut at_once = a.clone();
            at_once.merge_all(b.iter(), |p, q| *p += q, |v| *v != 0);
            assert_eq!(at_once, one_by_one, "{a:?} + {b:?}");
        }
    }
}
