//! Ids of new records: UUIDv7, so each new row lands at the end of every index that holds an
//! id instead of at a random place in it.
//!
//! With random (v4) ids every case logged dirtied a leaf page at a random place in about ten
//! indexes (the cases' and people's keys, their coding, timeline and chain rows, the
//! complainant and patient indexes), so a batch of creates wrote one page to the log for each
//! of those; in id order they share the last pages. The time in a v7 id (the system's, to the
//! millisecond) is only for that order: nothing reads it as a date, which always comes from
//! the application's clock. Its 74 other bits are random. Secrets and the ids that stand for
//! them (sessions, tokens, links) stay random v4 ids.

/// A new record's id: ordered after every id this process made before it.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_each_sorts_after_the_one_before() {
        let ids: Vec<String> = (0..1000).map(|_| new_id()).collect();
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 7, "{id}");
            assert_eq!(id.len(), 36, "the hyphenated form: {id}");
        }
        // As text, the order the indexes keep; within one millisecond too.
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "not in order");
    }
}
