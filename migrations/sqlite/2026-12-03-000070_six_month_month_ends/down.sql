-- The corrected dates are right under either six-month rule; there is nothing to undo.
SELECT 1;
