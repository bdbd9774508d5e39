//! The reg 18(b) figures of a published annual report: complaints decided well-founded
//! (upheld or partially upheld) and the parts, with complementary suppression, so that the
//! total is shown whenever it may be and no hidden part can be worked out from what is shown.

use super::complement::Grid;
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

/// Hide counts from 1 to the threshold − 1, and with them enough other cells that none can be
/// worked out from the totals; the well-founded figure is hidden only when nothing else will do.
pub fn publish(d: Decided, s: Suppression) -> Published {
    let mut g = Grid::new();
    let responded = g.shown(d.upheld + d.partially_upheld + d.not_upheld);
    let well_founded = g.kept(d.upheld + d.partially_upheld);
    let upheld = g.shown(d.upheld);
    let partially_upheld = g.shown(d.partially_upheld);
    let not_upheld = g.shown(d.not_upheld);
    g.sum(well_founded, &[upheld, partially_upheld]);
    g.sum(responded, &[well_founded, not_upheld]);
    g.protect(s);
    Published {
        responded: g.get(responded),
        well_founded: g.get(well_founded),
        upheld: g.get(upheld),
        partially_upheld: g.get(partially_upheld),
        not_upheld: g.get(not_upheld),
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

    /// No hidden cell can be worked out: every sum (the total, then its parts) has none or at
    /// least two hidden.
    fn safe(p: &Published) -> bool {
        const SUMS: [&[usize]; 3] = [&[1, 2, 3], &[0, 1, 4], &[0, 2, 3, 4]];
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
