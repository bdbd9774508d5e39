//! The reg 18(b) figures of a published annual report: complaints decided well-founded
//! (upheld or partially upheld) and the parts, with complementary suppression, so that the
//! total is shown whenever it may be and no hidden part can be worked out from what is shown.

use super::suppress::Suppression;

/// The decided complaints of a year, as counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Decided {
    pub upheld: i64,
    pub partially_upheld: i64,
    pub not_upheld: i64,
}

/// The figures as published (`None`: hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    pub responded: Option<i64>,
    pub well_founded: Option<i64>,
    pub upheld: Option<i64>,
    pub partially_upheld: Option<i64>,
    pub not_upheld: Option<i64>,
}

const RESPONDED: usize = 0;
const WELL_FOUNDED: usize = 1;
const UPHELD: usize = 2;
const PARTLY: usize = 3;
const NOT_UPHELD: usize = 4;

/// Each sum: the total first, then its parts.
const SUMS: [&[usize]; 3] = [
    &[WELL_FOUNDED, UPHELD, PARTLY],
    &[RESPONDED, WELL_FOUNDED, NOT_UPHELD],
    &[RESPONDED, UPHELD, PARTLY, NOT_UPHELD],
];

/// Hide counts from 1 to the threshold − 1; then, while any sum has exactly one hidden
/// cell (which the others would give away), hide the smallest part still shown in it, else
/// its total, and the well-founded figure only when nothing else is left.
pub fn publish(d: Decided, s: Suppression) -> Published {
    let well_founded = d.upheld + d.partially_upheld;
    let values = [
        well_founded + d.not_upheld,
        well_founded,
        d.upheld,
        d.partially_upheld,
        d.not_upheld,
    ];
    let mut hidden: [bool; 5] = values.map(|v| s.n(v).is_none());
    while let Some(sum) = SUMS
        .iter()
        .find(|sum| sum.iter().filter(|i| hidden[**i]).count() == 1)
    {
        // The well-founded total is kept whenever anything else will do.
        let candidate = |i: &&usize| !hidden[**i] && values[**i] > 0;
        let parts = sum[1..].iter().filter(|i| **i != WELL_FOUNDED);
        let next = parts
            .filter(candidate)
            .min_by_key(|i| values[**i])
            .or_else(|| {
                [&sum[0]]
                    .into_iter()
                    .filter(|i| **i != WELL_FOUNDED)
                    .find(candidate)
            })
            .or_else(|| sum.iter().find(|i| **i == WELL_FOUNDED && candidate(i)));
        match next {
            Some(i) => hidden[*i] = true,
            // Only zeros left beside the hidden cell: nothing more can hide it.
            None => break,
        }
    }
    let shown = |i: usize| (!hidden[i]).then_some(values[i]);
    Published {
        responded: shown(RESPONDED),
        well_founded: shown(WELL_FOUNDED),
        upheld: shown(UPHELD),
        partially_upheld: shown(PARTLY),
        not_upheld: shown(NOT_UPHELD),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Suppression = Suppression { threshold: 5 };

    fn decided(upheld: i64, partially_upheld: i64, not_upheld: i64) -> Decided {
        Decided {
            upheld,
            partially_upheld,
            not_upheld,
        }
    }

    /// No hidden cell can be worked out: every sum has none or at least two hidden.
    fn safe(p: &Published) -> bool {
        let cells = [
            p.responded,
            p.well_founded,
            p.upheld,
            p.partially_upheld,
            p.not_upheld,
        ];
        SUMS.iter()
            .all(|sum| sum.iter().filter(|i| cells[**i].is_none()).count() != 1)
    }

    #[test]
    fn well_founded_of_fifteen_is_shown_though_one_part_is_small() {
        let p = publish(decided(3, 12, 20), FIVE);
        assert_eq!(p.well_founded, Some(15));
        assert_eq!(p.upheld, None);
        assert_eq!(p.partially_upheld, None, "else upheld = 15 − 12");
        assert_eq!(p.not_upheld, Some(20));
        assert_eq!(p.responded, Some(35));
        assert!(safe(&p));
    }

    #[test]
    fn nothing_hidden_can_be_derived() {
        for u in 0..8 {
            for pu in 0..8 {
                for nu in 0..8 {
                    let p = publish(decided(u, pu, nu), FIVE);
                    assert!(safe(&p), "{u} {pu} {nu}: {p:?}");
                    for (shown, value) in [
                        (p.upheld, u),
                        (p.partially_upheld, pu),
                        (p.not_upheld, nu),
                        (p.well_founded, u + pu),
                    ] {
                        if let Some(v) = shown {
                            assert_eq!(v, value);
                            assert!(v == 0 || v >= 5, "{u} {pu} {nu}: {p:?}");
                        }
                    }
                    if u + pu >= 5 {
                        assert_eq!(p.well_founded, Some(u + pu), "{u} {pu} {nu}");
                    }
                }
            }
        }
    }

    #[test]
    fn without_suppression_everything_is_shown() {
        let p = publish(decided(1, 2, 3), Suppression::NONE);
        assert_eq!(
            (p.well_founded, p.upheld, p.not_upheld, p.responded),
            (Some(3), Some(1), Some(3), Some(6))
        );
    }
}
