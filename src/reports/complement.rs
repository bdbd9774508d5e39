//! Complementary suppression for one report: its counts as cells, the sums that bind them
//! (a total and its parts, shown or not), and enough further cells hidden that no count
//! from 1 to the threshold − 1 can be worked out from what is shown, by any combination of
//! the sums; that includes the counts a report does not show but a reader could get by
//! subtraction (the rest of a total: those answered late, those still awaited).
//!
//! A small count is exposed when what is shown fixes its value: by the sums read as linear
//! equations in the hidden and unseen counts (its unit vector lies in the row space of their
//! coefficients, found by Gaussian elimination), or by the bounds a reader knows (a hidden
//! count the report shows is at least 1, since zeros are shown; an unseen one at least 0),
//! found by searching for another completion of the sums. An unseen count of zero is taken as
//! known, since a reader may well guess it.

use super::suppress::Suppression;

/// A percentage's count rebuilt as a reader would: `pct`% of `of` (exact below 1,000, as the
/// percentage has one decimal).
pub fn count_of(pct: Option<f64>, of: Option<i64>) -> i64 {
    match (pct, of) {
        (Some(p), Some(n)) => ((p * n as f64) / 100.0).round() as i64,
        _ => 0,
    }
}

/// One count on the report.
#[derive(Debug, Clone, Copy)]
struct Cell {
    value: i64,
    /// Shown on the report (directly, or through a percentage of it).
    displayed: bool,
    /// Hidden only when nothing else will do.
    keep: bool,
    hidden: bool,
}

/// A cell of a [`Grid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CellId(usize);

/// The counts of one report and the sums between them.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    cells: Vec<Cell>,
    /// Each sum: the total, then its parts.
    sums: Vec<Vec<usize>>,
}

impl Grid {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, value: i64, displayed: bool, keep: bool) -> CellId {
        self.cells.push(Cell {
            value,
            displayed,
            keep,
            hidden: !displayed,
        });
        CellId(self.cells.len() - 1)
    }

    /// A count shown on the report.
    pub fn shown(&mut self, value: i64) -> CellId {
        self.push(value, true, false)
    }

    /// A count shown on the report and hidden only when no other cell will protect a small one.
    pub fn kept(&mut self, value: i64) -> CellId {
        self.push(value, true, true)
    }

    /// A count the report does not show but which takes part in a sum (the rest of a total).
    pub fn unseen(&mut self, value: i64) -> CellId {
        self.push(value, false, false)
    }

    /// `total` = the sum of `parts`.
    pub fn sum(&mut self, total: CellId, parts: &[CellId]) {
        debug_assert_eq!(
            self.cells[total.0].value,
            parts.iter().map(|p| self.cells[p.0].value).sum::<i64>(),
            "a sum that does not add up"
        );
        let mut s = vec![total.0];
        s.extend(parts.iter().map(|p| p.0));
        self.sums.push(s);
    }

    /// `total` = the sum of `parts` whenever the figures happen to add up (as when every
    /// complaint has one service): a reader who knows that could subtract.
    pub fn sum_if_exact(&mut self, total: CellId, parts: &[CellId]) {
        let added: i64 = parts.iter().map(|p| self.cells[p.0].value).sum();
        if !parts.is_empty() && added == self.cells[total.0].value {
            self.sum(total, parts);
        }
    }

    /// A total of `parts` the report does not show, as a new unseen cell bound to them.
    pub fn unseen_total(&mut self, parts: &[CellId]) -> CellId {
        let total = self.unseen(parts.iter().map(|p| self.cells[p.0].value).sum());
        self.sum(total, parts);
        total
    }

    /// The count as shown: `None` when hidden.
    pub fn get(&self, id: CellId) -> Option<i64> {
        let c = self.cells[id.0];
        (!c.hidden).then_some(c.value)
    }

    /// `num / den` as a percentage with one decimal: `None` when `den` is 0 or either is hidden.
    pub fn pct(&self, num: CellId, den: CellId) -> Option<f64> {
        let (n, d) = (self.get(num)?, self.get(den)?);
        Suppression::NONE.pct(n, d)
    }

    fn unknown(&self, i: usize) -> bool {
        let c = self.cells[i];
        c.hidden && (c.displayed || c.value != 0)
    }

    /// A count from 1 to the threshold − 1, shown or not: the rest of a total is a count of
    /// complaints too (those answered late, those still awaited), and must not be worked out.
    fn sensitive(&self, s: Suppression, i: usize) -> bool {
        s.n(self.cells[i].value).is_none()
    }

    /// Hide the small counts, then hide more until none of them is determined.
    pub fn protect(&mut self, s: Suppression) {
        if !s.applies() {
            return;
        }
        for i in 0..self.cells.len() {
            if self.cells[i].displayed && self.sensitive(s, i) {
                self.cells[i].hidden = true;
            }
        }
        // Hiding more never makes a count easier to work out, so a count once found safe stays
        // safe and is not checked again.
        let mut safe = vec![false; self.cells.len()];
        while let Some(x) = self.exposed(s, &mut safe) {
            match self.protector(x) {
                Some(c) => self.cells[c].hidden = true,
                // Nothing left to hide beside it (only zeros): it cannot be protected further.
                None => break,
            }
        }
    }

    /// The first small count the shown figures still determine.
    fn exposed(&self, s: Suppression, safe: &mut [bool]) -> Option<usize> {
        let determined = self.determined();
        for i in 0..self.cells.len() {
            if !self.sensitive(s, i) || safe[i] {
                continue;
            }
            if determined[i] || !self.could_differ(i) {
                return Some(i);
            }
            safe[i] = true;
        }
        None
    }

    /// The unknowns tied to `x` through sums with other unknowns.
    fn component(&self, x: usize) -> Vec<bool> {
        let mut inside = vec![false; self.cells.len()];
        inside[x] = true;
        let mut grew = true;
        while grew {
            grew = false;
            for sum in &self.sums {
                if sum.iter().any(|i| inside[*i]) {
                    for i in sum {
                        if !inside[*i] && self.unknown(*i) {
                            inside[*i] = true;
                            grew = true;
                        }
                    }
                }
            }
        }
        inside
    }

    /// Whether some other completion of the unknowns fits every sum with a different value of
    /// `x`, keeping each hidden count shown on the report at 1 or more (a reader knows zeros
    /// are shown) and each unseen one at 0 or more: the values a sum forces are worked out,
    /// and the rest tried within two of their own. A search too long to finish answers no.
    fn could_differ(&self, x: usize) -> bool {
        // Unknowns not tied to `x` keep their own values: they cannot move it.
        let tied = self.component(x);
        let mut values: Vec<Option<i64>> = (0..self.cells.len())
            .map(|i| (!self.unknown(i) || !tied[i]).then_some(self.cells[i].value))
            .collect();
        let v = self.cells[x].value;
        let mut budget = 20_000;
        [v - 1, v + 1, v - 2, v + 2]
            .into_iter()
            .filter(|w| *w >= self.floor(x))
            .any(|w| {
                values[x] = Some(w);
                self.complete(&mut values.clone(), &mut budget)
            })
    }

    /// The least a reader knows a hidden count can be.
    fn floor(&self, i: usize) -> i64 {
        i64::from(self.cells[i].displayed)
    }

    /// Fill in `values` so that every sum adds up, if it can be done.
    fn complete(&self, values: &mut [Option<i64>], budget: &mut i32) -> bool {
        *budget -= 1;
        if *budget < 0 {
            return false;
        }
        // Values the sums force, until none is left to force.
        loop {
            let mut forced = false;
            for s in &self.sums {
                let open: Vec<usize> = s.iter().copied().filter(|i| values[*i].is_none()).collect();
                let signed = |k: usize, i: usize| {
                    if k == 0 {
                        values[i]
                    } else {
                        values[i].map(|v| -v)
                    }
                };
                let known: i64 = s
                    .iter()
                    .enumerate()
                    .filter_map(|(k, i)| signed(k, *i))
                    .sum();
                match open.as_slice() {
                    [] if known != 0 => return false,
                    [i] => {
                        // total − parts = 0: solve for the one open cell.
                        let v = if *i == s[0] { -known } else { known };
                        if v < self.floor(*i) {
                            return false;
                        }
                        values[*i] = Some(v);
                        forced = true;
                    }
                    _ => {}
                }
            }
            if !forced {
                break;
            }
        }
        let Some(next) = (0..values.len()).find(|i| values[*i].is_none()) else {
            return true;
        };
        let v = self.cells[next].value;
        [v, v - 1, v + 1, v - 2, v + 2]
            .into_iter()
            .filter(|w| *w >= self.floor(next))
            .any(|w| {
                let mut trial = values.to_vec();
                trial[next] = Some(w);
                self.complete(&mut trial, budget)
            })
    }

    /// The cell to hide next to protect `x`: of the shown, non-zero cells in a sum with it (or,
    /// failing those, anywhere), the first whose hiding leaves `x` undetermined, preferring cells
    /// not marked to keep and then the smallest; else the most preferred of them.
    fn protector(&self, x: usize) -> Option<usize> {
        let candidate = |i: &usize| {
            let c = self.cells[*i];
            c.displayed && !c.hidden && c.value > 0
        };
        let mut near: Vec<usize> = self
            .sums
            .iter()
            .filter(|s| s.contains(&x))
            .flatten()
            .copied()
            .filter(candidate)
            .collect();
        if near.is_empty() {
            near = (0..self.cells.len()).filter(candidate).collect();
        }
        near.sort_by_key(|i| (self.cells[*i].keep, self.cells[*i].value, *i));
        near.dedup();
        // Trying each is worth it on a small report; on a large one the first will do.
        let unknowns = (0..self.cells.len()).filter(|i| self.unknown(*i)).count();
        if unknowns > 60 {
            return near.first().copied();
        }
        near.iter()
            .copied()
            .find(|c| {
                let mut trial = self.clone();
                trial.cells[*c].hidden = true;
                !trial.determined()[x] && trial.could_differ(x)
            })
            .or_else(|| near.first().copied())
    }

    /// For each cell: is its value fixed by the shown cells and the sums? (Shown cells are.)
    fn determined(&self) -> Vec<bool> {
        let unknowns: Vec<usize> = (0..self.cells.len()).filter(|i| self.unknown(*i)).collect();
        let column = |i: usize| unknowns.iter().position(|u| *u == i);
        let mut rows: Vec<Vec<f64>> = self
            .sums
            .iter()
            .map(|s| {
                let mut row = vec![0.0; unknowns.len()];
                for (k, i) in s.iter().enumerate() {
                    if let Some(col) = column(*i) {
                        row[col] += if k == 0 { 1.0 } else { -1.0 };
                    }
                }
                row
            })
            .collect();
        let pivots = reduce(&mut rows, unknowns.len());
        let mut out: Vec<bool> = self.cells.iter().map(|c| !c.hidden).collect();
        for (r, col) in pivots {
            let alone = rows[r]
                .iter()
                .enumerate()
                .all(|(j, v)| j == col || v.abs() < 1e-9);
            if alone {
                out[unknowns[col]] = true;
            }
        }
        for (i, known) in out.iter_mut().enumerate() {
            if self.cells[i].hidden && !self.unknown(i) {
                *known = true;
            }
        }
        out
    }
}

/// Reduce `rows` to reduced row echelon form; the (row, column) of each pivot.
fn reduce(rows: &mut [Vec<f64>], columns: usize) -> Vec<(usize, usize)> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for col in 0..columns {
        let Some(p) = (r..rows.len()).find(|i| rows[*i][col].abs() > 1e-9) else {
            continue;
        };
        rows.swap(r, p);
        let lead = rows[r][col];
        for v in rows[r].iter_mut() {
            *v /= lead;
        }
        let pivot = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && row[col].abs() > 1e-9 {
                let f = row[col];
                for (v, p) in row.iter_mut().zip(&pivot) {
                    *v -= f * p;
                }
            }
        }
        pivots.push((r, col));
        r += 1;
    }
    pivots
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Suppression = Suppression { threshold: 5 };

    /// Every integer completion of the hidden cells (shown ones at least 1, since zeros are
    /// never hidden) that satisfies the sums, with values up to `max`.
    fn completions(g: &Grid, max: i64) -> Vec<Vec<i64>> {
        let unknown: Vec<usize> = (0..g.cells.len()).filter(|i| g.unknown(*i)).collect();
        let mut out = Vec::new();
        let mut values: Vec<Option<i64>> = (0..g.cells.len())
            .map(|i| (!g.unknown(i)).then_some(g.cells[i].value))
            .collect();
        walk(g, &unknown, max, &mut values, &mut out);
        out
    }

    /// Assign the unknowns one by one, dropping a branch as soon as a sum fails.
    fn walk(
        g: &Grid,
        unknown: &[usize],
        max: i64,
        values: &mut Vec<Option<i64>>,
        out: &mut Vec<Vec<i64>>,
    ) {
        let adds = g.sums.iter().all(|s| {
            let vs: Option<Vec<i64>> = s.iter().map(|i| values[*i]).collect();
            vs.is_none_or(|vs| vs[0] == vs[1..].iter().sum::<i64>())
        });
        if !adds {
            return;
        }
        let Some((&i, rest)) = unknown.split_first() else {
            out.push(values.iter().map(|v| v.unwrap_or(0)).collect());
            return;
        };
        for v in i64::from(g.cells[i].displayed)..=max {
            values[i] = Some(v);
            walk(g, rest, max, values, out);
        }
        values[i] = None;
    }

    /// No small count has only one possible value given what is shown.
    fn safe(g: &Grid) -> bool {
        let all = completions(g, 25);
        (0..g.cells.len())
            .filter(|i| g.sensitive(FIVE, *i))
            .all(|i| all.iter().any(|v| v[i] != g.cells[i].value))
    }

    /// Acknowledgement groups: on time + late + overdue make the due total (shown through a
    /// percentage), which with those not yet due makes the complaints received.
    fn acknowledgements(on_time: i64, late: i64, overdue: i64, waiting: i64) -> (Grid, CellId) {
        let mut g = Grid::new();
        let received = g.shown(on_time + late + overdue + waiting);
        let due = g.shown(on_time + late + overdue);
        let cells = [g.shown(on_time), g.shown(late), g.shown(overdue)];
        let waiting = g.unseen(waiting);
        g.sum(received, &[due, waiting]);
        g.sum(due, &cells);
        (g, cells[1])
    }

    #[test]
    fn a_small_part_is_hidden_with_another() {
        let (mut g, late) = acknowledgements(20, 2, 0, 0);
        g.protect(FIVE);
        assert_eq!(g.get(late), None);
        let shown = g.cells.iter().filter(|c| !c.hidden && c.displayed).count();
        assert!(shown < 5, "something beside the 2 is hidden");
        assert!(safe(&g));
    }

    #[test]
    fn no_small_count_can_be_worked_out() {
        for on_time in [0, 3, 6, 12] {
            for late in 0..7 {
                for overdue in 0..6 {
                    for waiting in [0, 2, 7] {
                        let (mut g, _) = acknowledgements(on_time, late, overdue, waiting);
                        g.protect(FIVE);
                        assert!(safe(&g), "{on_time} {late} {overdue} {waiting}: {g:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_kept_total_stays_shown_when_the_parts_can_hide() {
        let mut g = Grid::new();
        let total = g.kept(15);
        let parts = [g.shown(3), g.shown(12)];
        g.sum(total, &parts);
        g.protect(FIVE);
        assert_eq!(
            (g.get(total), g.get(parts[0]), g.get(parts[1])),
            (Some(15), None, None)
        );
    }

    #[test]
    fn differences_of_two_sums_are_caught() {
        // a + b = 10 and a + c = 9: while a is shown, b and c follow from the totals.
        let mut g = Grid::new();
        let (t1, t2) = (g.shown(10), g.shown(9));
        let (a, b, c) = (g.shown(7), g.shown(3), g.shown(2));
        g.sum(t1, &[a, b]);
        g.sum(t2, &[a, c]);
        g.protect(FIVE);
        assert!(g.get(b).is_none() && g.get(c).is_none());
        assert!(safe(&g));
    }

    #[test]
    fn a_sum_that_only_sometimes_adds_up_binds_only_then() {
        let mut g = Grid::new();
        let total = g.shown(9);
        let parts = [g.shown(6), g.shown(2)];
        g.sum_if_exact(total, &parts);
        assert!(g.sums.is_empty());
        let parts = [g.shown(6), g.shown(3)];
        g.sum_if_exact(total, &parts);
        g.protect(FIVE);
        assert!(g.get(parts[0]).is_none() || g.get(total).is_none());
    }

    #[test]
    fn nothing_is_hidden_without_suppression() {
        let (mut g, late) = acknowledgements(20, 2, 0, 0);
        g.protect(Suppression::NONE);
        assert_eq!(g.get(late), Some(2));
    }
}
